"""C-09: a Key Vault authorizes data-plane access with Azure RBAC, not access policies."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import ITEMS, Expect, PropertyPolicy, mcsb

__all__ = ["identity_enable_keyvault_rbac"]

identity_enable_keyvault_rbac = PropertyPolicy(
    name="identity-enable-keyvault-rbac",
    description="A Key Vault must use Azure RBAC for data-plane authorization.",
    resource_types=(T.KEY_VAULT,),
    expects=[
        Expect(
            "properties.enableRbacAuthorization",
            (True,),
            message="properties.enableRbacAuthorization is not true; vault access policies grant all-or-nothing "
            "rights per object type and are invisible to role-assignment reviews.",
        ),
        Expect(
            "properties.accessPolicies",
            forbidden=(ITEMS,),
            message="properties.accessPolicies is not empty; grant access with role assignments instead.",
        ),
    ],
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
