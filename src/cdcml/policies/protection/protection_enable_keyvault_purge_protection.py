"""E-01: a Key Vault is recoverable: purge protection on, soft delete never switched off,
and soft-deleted objects kept long enough."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["protection_enable_keyvault_purge_protection"]

protection_enable_keyvault_purge_protection = PropertyPolicy(
    name="protection-enable-keyvault-purge-protection",
    description="A Key Vault must have purge protection and soft delete with a sufficient retention.",
    resource_types=(T.KEY_VAULT,),
    expects=[
        Expect(
            "properties.enablePurgeProtection",
            (True,),
            message="properties.enablePurgeProtection is not true, so a deleted vault or key can be purged at once — "
            "and every customer-managed-key encrypted store with it.",
        ),
        Expect(
            "properties.enableSoftDelete",
            forbidden=(False,),
            message="properties.enableSoftDelete is false; soft delete can no longer be switched off and the "
            "deployment fails or drifts.",
        ),
        Expect(
            "properties.softDeleteRetentionInDays",
            at_least="minSoftDeleteRetentionDays",
            message="properties.softDeleteRetentionInDays is {value}; keep deleted objects at least {minimum} days.",
        ),
    ],
    rule="E-01",
    layer="platform",
    concern="protection",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Set properties.enablePurgeProtection to true on the Vault, leave enableSoftDelete unset or true, and set "
        "softDeleteRetentionInDays to at least minSoftDeleteRetentionDays (90 is the service default)."
    ),
    url="https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview",
    framework=mcsb("DP-8"),
    config={
        "minSoftDeleteRetentionDays": {
            "type": "number",
            "minimum": 7,
            "maximum": 90,
            "default": 7,
            "description": "The shortest allowed soft-delete retention, in days.",
        }
    },
)
