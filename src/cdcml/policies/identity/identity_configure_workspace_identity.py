"""C-08: an Azure ML workspace reaches its system datastores with its identity, and —
where the organisation requires it — runs as a user-assigned identity."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_bool, as_str, get, one_of, resource_types, shown

__all__ = ["identity_configure_workspace_identity"]

AUTH_MODES = ("AccessKey", "Identity", "UserDelegationSAS")


@resource_types(T.ML_WORKSPACE)
def _validate(args: Any, report_violation: Any) -> None:
    mode = get(args.props, "systemDatastoresAuthMode")
    if not one_of(mode, ("Identity",)):
        report_violation(
            f'systemDatastoresAuthMode is {shown(mode, AUTH_MODES)}; set it to "Identity" so the workspace reaches '
            "its default storage without account keys."
        )
    if as_bool(args.get_config().get("requireUserAssignedIdentity")) is not True:
        return
    kind = as_str(get(args.props, "identity.type")) or ""
    primary = as_str(get(args.props, "primaryUserAssignedIdentity"))
    if "userassigned" not in kind.replace(" ", "").casefold() or not primary:
        report_violation(
            "The workspace must run as a user-assigned identity: add one to identity.userAssignedIdentities and "
            "name it in primaryUserAssignedIdentity."
        )


identity_configure_workspace_identity = GuardrailResourcePolicy(
    name="identity-configure-workspace-identity",
    description="An Azure Machine Learning workspace must reach its system datastores with its managed identity.",
    validate=_validate,
    rule="C-08",
    layer="ml",
    concern="identity",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Set systemDatastoresAuthMode to "Identity" on the Workspace; where user-assigned identities are required, '
        'set identity.type to "UserAssigned" (or "SystemAssigned,UserAssigned") and primaryUserAssignedIdentity.'
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-identity-based-service-authentication",
    framework=mcsb("IM-3"),
    config={
        "requireUserAssignedIdentity": {
            "type": "boolean",
            "default": False,
            "description": "Require the workspace to run as a user-assigned managed identity.",
        }
    },
)
