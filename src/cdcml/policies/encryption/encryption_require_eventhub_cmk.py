"""D-02: an Event Hubs namespace holding sensitive change data encrypts it with a
customer-managed key and infrastructure (double) encryption."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import ITEMS, Expect, PropertyPolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required

__all__ = ["encryption_require_eventhub_cmk"]

encryption_require_eventhub_cmk = PropertyPolicy(
    name="encryption-require-eventhub-cmk",
    description="An Event Hubs namespace whose data classification requires it must use a customer-managed key "
    "and infrastructure encryption.",
    resource_types=(T.EH_NAMESPACE,),
    only_if=cmk_required,
    expects=[
        Expect(
            "sku.name",
            ("Premium",),
            trim=False,
            message="The namespace's data classification requires a customer-managed key, which Event Hubs offers "
            "only on the Premium and Dedicated tiers.",
        ),
        # Event Hubs spells the key source "Microsoft.KeyVault" (Storage: "Microsoft.Keyvault"); compared
        # case-insensitively.
        Expect(
            "encryption.keySource",
            ("Microsoft.KeyVault",),
            also=(("encryption.keyVaultProperties", (ITEMS,)),),
            trim=False,
            message='encryption.keySource must be "Microsoft.KeyVault" with encryption.keyVaultProperties naming '
            "the key.",
        ),
        Expect(
            "encryption.requireInfrastructureEncryption",
            (True,),
            message="encryption.requireInfrastructureEncryption must be true (double encryption at rest).",
        ),
    ],
    rule="D-02",
    layer="eventing",
    concern="encryption",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Run the namespace on Premium, set encryption.keySource "Microsoft.KeyVault", encryption.keyVaultProperties '
        "(keyName, keyVaultUri, identity) and encryption.requireInfrastructureEncryption true, with a user-assigned "
        "identity that holds Key Vault Crypto Service Encryption User on the key."
    ),
    url="https://learn.microsoft.com/azure/event-hubs/configure-customer-managed-key",
    framework=mcsb("DP-5"),
    config=CMK_CONFIG,
)
