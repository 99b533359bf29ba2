"""D-03: an Azure ML workspace holding sensitive data encrypts it with a customer-managed
key."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required
from cdcml.policies.vocabulary import as_str, get, one_of, resource_types

__all__ = ["encryption_require_workspace_cmk"]


@resource_types(T.ML_WORKSPACE)
def _validate(args: Any, report_violation: Any) -> None:
    if not cmk_required(args.props, args.get_config()):
        return
    # The key is read only when the status is right: an unknown key can't hide a disabled encryption.
    if not one_of(get(args.props, "encryption.status"), ("Enabled",)) or not as_str(
        get(args.props, "encryption.keyVaultProperties.keyIdentifier")
    ):
        report_violation(
            'encryption.status must be "Enabled" with encryption.keyVaultProperties.keyIdentifier set: the '
            "workspace's data classification requires a customer-managed key."
        )


encryption_require_workspace_cmk = GuardrailResourcePolicy(
    name="encryption-require-workspace-cmk",
    description="An Azure Machine Learning workspace whose data classification requires it must be encrypted "
    "with a customer-managed key.",
    validate=_validate,
    rule="D-03",
    layer="ml",
    concern="encryption",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Set encryption.status "Enabled" and encryption.keyVaultProperties (keyVaultArmId, keyIdentifier) on the '
        "Workspace at creation time, with a key in a vault in the workspace's region."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/concept-customer-managed-keys",
    framework=mcsb("DP-5"),
    config=CMK_CONFIG,
)
