"""C-09: a Key Vault authorizes data-plane access with Azure RBAC, not access policies."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_bool, get, listed, resource_types

__all__ = ["identity_enable_keyvault_rbac"]


@resource_types(T.KEY_VAULT)
def _validate(args: Any, report_violation: Any) -> None:
    if as_bool(get(args.props, "properties.enableRbacAuthorization")) is not True:
        report_violation(
            "properties.enableRbacAuthorization is not true; vault access policies grant all-or-nothing rights per "
            "object type and are invisible to role-assignment reviews."
        )
    if listed(get(args.props, "properties.accessPolicies")):
        report_violation("properties.accessPolicies is not empty; grant access with role assignments instead.")


identity_enable_keyvault_rbac = GuardrailResourcePolicy(
    name="identity-enable-keyvault-rbac",
    description="A Key Vault must use Azure RBAC for data-plane authorization.",
    validate=_validate,
    rule="C-09",
    layer="platform",
    concern="identity",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set properties.enableRbacAuthorization to true on the Vault, remove properties.accessPolicies, and grant "
        "Key Vault Secrets User / Crypto Service Encryption User roles at vault or secret scope."
    ),
    url="https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
    framework=mcsb("PA-7"),
)
