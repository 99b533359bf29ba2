"""E-07: a storage account uses a replication the environment allows (zone- or
geo-zone-redundant for production landing data)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import ENVIRONMENT_SCHEMA, environment, get, one_of, resource_types, shown, str_list

__all__ = ["protection_configure_storage_redundancy"]

SKUS = (
    "Standard_LRS",
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_ZRS",
    "Premium_LRS",
    "Premium_ZRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
    "StandardV2_LRS",
    "StandardV2_GRS",
    "StandardV2_ZRS",
    "StandardV2_GZRS",
    "PremiumV2_LRS",
    "PremiumV2_ZRS",
)
PROD_SKUS = ["Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS", "StandardV2_ZRS", "StandardV2_GZRS", "Premium_ZRS"]


@resource_types(T.STORAGE_ACCOUNT)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    env = environment(config)
    allowed = str_list(config.get("allowedSkus")) or (PROD_SKUS if env == "prod" else [])
    if not allowed:
        return
    sku = get(args.props, "sku.name")
    if not one_of(sku, allowed):
        report_violation(
            f"sku.name is {shown(sku, SKUS)}; allowed in {env}: {', '.join(allowed)}. Locally redundant landing data "
            "is lost with its datacenter, and the CDC can't replay it."
        )


protection_configure_storage_redundancy = GuardrailResourcePolicy(
    name="protection-configure-storage-redundancy",
    description="A storage account must use a replication allowed in its environment.",
    validate=_validate,
    rule="E-07",
    layer="landing",
    concern="protection",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set sku.name on the StorageAccount to one of allowedSkus (in production by default Standard_ZRS, "
        "Standard_GZRS or Standard_RAGZRS)."
    ),
    url="https://learn.microsoft.com/azure/storage/common/storage-redundancy",
    framework=mcsb("BR-2"),
    config={
        "environment": ENVIRONMENT_SCHEMA,
        "allowedSkus": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "default": [],
            "description": "Storage SKUs allowed; empty means zone-redundant SKUs in prod and any elsewhere.",
        },
    },
)
