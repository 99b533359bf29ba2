"""D-04: a storage account holding sensitive change data encrypts it with a customer-managed
key and infrastructure encryption."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import TEXT, Expect, PropertyPolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required

__all__ = ["encryption_require_storage_cmk"]

encryption_require_storage_cmk = PropertyPolicy(
    name="encryption-require-storage-cmk",
    description="A storage account whose data classification requires it must use a customer-managed key and "
    "infrastructure encryption.",
    resource_types=(T.STORAGE_ACCOUNT,),
    only_if=cmk_required,
    expects=[
        # Storage spells the key source "Microsoft.Keyvault" (Event Hubs: "Microsoft.KeyVault"); compared
        # case-insensitively.
        Expect(
            "encryption.keySource",
            ("Microsoft.Keyvault",),
            also=(("encryption.keyVaultProperties.keyName", (TEXT,)),),
            trim=False,
            message='encryption.keySource must be "Microsoft.Keyvault" with encryption.keyVaultProperties.keyName '
            "and keyVaultUri set: the account's data classification requires a customer-managed key.",
        ),
        Expect(
            "encryption.requireInfrastructureEncryption",
            (True,),
            message="encryption.requireInfrastructureEncryption must be true (double encryption at rest).",
        ),
    ],
    rule="D-04",
    layer="landing",
    concern="encryption",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Set encryption.keySource "Microsoft.Keyvault", encryption.keyVaultProperties (keyName, keyVaultUri), '
        "encryption.encryptionIdentity and encryption.requireInfrastructureEncryption true on the StorageAccount "
        "(infrastructure encryption only at creation)."
    ),
    url="https://learn.microsoft.com/azure/storage/common/customer-managed-keys-overview",
    framework=mcsb("DP-5"),
    config=CMK_CONFIG,
)
