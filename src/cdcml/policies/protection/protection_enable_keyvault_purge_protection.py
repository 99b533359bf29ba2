"""E-01: a Key Vault is recoverable: purge protection on, soft delete never switched off,
and soft-deleted objects kept long enough."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_bool, as_number, config_number, get, resource_types

__all__ = ["protection_enable_keyvault_purge_protection"]


@resource_types(T.KEY_VAULT)
def _validate(args: Any, report_violation: Any) -> None:
    props = args.props
    if as_bool(get(props, "properties.enablePurgeProtection")) is not True:
        report_violation(
            "properties.enablePurgeProtection is not true, so a deleted vault or key can be purged at once — and every "
            "customer-managed-key encrypted store with it."
        )
    if as_bool(get(props, "properties.enableSoftDelete")) is False:
        report_violation(
            "properties.enableSoftDelete is false; soft delete can no longer be switched off and the deployment "
            "fails or drifts."
        )
    days = as_number(get(props, "properties.softDeleteRetentionInDays"))
    minimum = config_number(args.get_config(), "minSoftDeleteRetentionDays", 7)
    if days is not None and days < minimum:
        report_violation(
            f"properties.softDeleteRetentionInDays is {days:g}; keep deleted objects at least {minimum:g} days."
        )


protection_enable_keyvault_purge_protection = GuardrailResourcePolicy(
    name="protection-enable-keyvault-purge-protection",
    description="A Key Vault must have purge protection and soft delete with a sufficient retention.",
    validate=_validate,
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
