"""D-04: a storage account holding sensitive change data encrypts it with a customer-managed
key and infrastructure encryption."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required
from cdcml.policies.vocabulary import as_bool, as_str, get, one_of, resource_types

__all__ = ["encryption_require_storage_cmk"]


@resource_types(T.STORAGE_ACCOUNT)
def _validate(args: Any, report_violation: Any) -> None:
    if not cmk_required(args.props, args.get_config()):
        return
    # Storage spells the key source "Microsoft.Keyvault" (Event Hubs: "Microsoft.KeyVault"); compare case-insensitively.
    if not one_of(get(args.props, "encryption.keySource"), ("Microsoft.Keyvault",)) or not as_str(
        get(args.props, "encryption.keyVaultProperties.keyName")
    ):
        report_violation(
            'encryption.keySource must be "Microsoft.Keyvault" with encryption.keyVaultProperties.keyName and '
            "keyVaultUri set: the account's data classification requires a customer-managed key."
        )
    if as_bool(get(args.props, "encryption.requireInfrastructureEncryption")) is not True:
        report_violation("encryption.requireInfrastructureEncryption must be true (double encryption at rest).")


encryption_require_storage_cmk = GuardrailResourcePolicy(
    name="encryption-require-storage-cmk",
    description="A storage account whose data classification requires it must use a customer-managed key and "
    "infrastructure encryption.",
    validate=_validate,
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
