"""D-01: a Data Factory holding sensitive data encrypts it with a customer-managed key."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required
from cdcml.policies.vocabulary import MISSING, get, resource_types

__all__ = ["encryption_require_factory_cmk"]


@resource_types(T.FACTORY)
def _validate(args: Any, report_violation: Any) -> None:
    if not cmk_required(args.props, args.get_config()):
        return
    missing = [p for p in ("encryption.vaultBaseUrl", "encryption.keyName") if get(args.props, p) is MISSING]
    if missing:
        report_violation(
            f"{' and '.join(missing)} not set: the factory's data classification requires a customer-managed key, "
            "but its metadata and cached credentials are encrypted with a Microsoft-managed key."
        )


encryption_require_factory_cmk = GuardrailResourcePolicy(
    name="encryption-require-factory-cmk",
    description="A Data Factory whose data classification requires it must be encrypted with a customer-managed key.",
    validate=_validate,
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
