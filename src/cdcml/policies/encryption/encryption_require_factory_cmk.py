"""D-01: a Data Factory holding sensitive data encrypts it with a customer-managed key."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import SET, Expect, PropertyPolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required

__all__ = ["encryption_require_factory_cmk"]

encryption_require_factory_cmk = PropertyPolicy(
    name="encryption-require-factory-cmk",
    description="A Data Factory whose data classification requires it must be encrypted with a customer-managed key.",
    resource_types=(T.FACTORY,),
    only_if=cmk_required,
    expects=[
        Expect(
            ("encryption.vaultBaseUrl", "encryption.keyName"),
            (SET,),
            message="{paths} not set: the factory's data classification requires a customer-managed key, but its "
            "metadata and cached credentials are encrypted with a Microsoft-managed key.",
        )
    ],
    rule="D-01",
    layer="cdc",
    concern="encryption",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set encryption.vaultBaseUrl, encryption.keyName and encryption.identity.userAssignedIdentity on the Factory "
        "(at creation time), with a key in a vault that has soft delete and purge protection."
    ),
    url="https://learn.microsoft.com/azure/data-factory/enable-customer-managed-key",
    framework=mcsb("DP-5"),
    config=CMK_CONFIG,
)
