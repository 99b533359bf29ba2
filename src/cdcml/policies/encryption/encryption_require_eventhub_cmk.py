"""D-02: an Event Hubs namespace holding sensitive change data encrypts it with a
customer-managed key and infrastructure (double) encryption."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required
from cdcml.policies.vocabulary import as_bool, get, listed, one_of, resource_types

__all__ = ["encryption_require_eventhub_cmk"]


@resource_types(T.EH_NAMESPACE)
def _validate(args: Any, report_violation: Any) -> None:
    if not cmk_required(args.props, args.get_config()):
        return
    if not one_of(get(args.props, "sku.name"), ("Premium",)):
        report_violation(
            "The namespace's data classification requires a customer-managed key, which Event Hubs offers only on "
            "the Premium and Dedicated tiers."
        )
    # Event Hubs spells the key source "Microsoft.KeyVault" (Storage: "Microsoft.Keyvault"); compare case-insensitively.
    if not one_of(get(args.props, "encryption.keySource"), ("Microsoft.KeyVault",)) or not listed(
        get(args.props, "encryption.keyVaultProperties")
    ):
        report_violation(
            'encryption.keySource must be "Microsoft.KeyVault" with encryption.keyVaultProperties naming the key.'
        )
    if as_bool(get(args.props, "encryption.requireInfrastructureEncryption")) is not True:
        report_violation("encryption.requireInfrastructureEncryption must be true (double encryption at rest).")


encryption_require_eventhub_cmk = GuardrailResourcePolicy(
    name="encryption-require-eventhub-cmk",
    description="An Event Hubs namespace whose data classification requires it must use a customer-managed key "
    "and infrastructure encryption.",
    validate=_validate,
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
