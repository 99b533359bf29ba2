"""CdcSourceArgs: a CDC-capable, Entra-only Azure SQL source."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.stacks import AdminPrincipalType, BackupRedundancy, CdcSourceArgs, SqlSku
from cdcml.stacks.cdc_source import sku_args
from tests.stacks._cases import assert_bad, assert_good

BASE: dict[str, Any] = {
    "source": "orders",
    "tables": ("dbo.orders",),
    "admin_login": "sg-sql-admins",
    "admin_object_id": "6b0e9a2f-3c1d-4e5f-8a7b-9c0d1e2f3a4b",
    "location": "westeurope",
}

GOOD: dict[str, dict[str, Any]] = {
    "base": {},
    "list_of_tables": {"tables": ["dbo.orders", "sales.Order_Lines"]},
    "vcore_sku": {"sku": SqlSku.GP_GEN5_2},
    "sku_as_string": {"sku": "HS_Gen5_2"},
    "user_admin": {"admin_principal_type": AdminPrincipalType.USER},
    "public_dev_server": {"public_network_access": True},
    "zone_backups": {"backup_redundancy": BackupRedundancy.ZONE},
    "twenty_tables": {"tables": [f"dbo.t{i}" for i in range(20)]},
    "tags": {"tags": {"owner": "me", "cost-center": "cc-1"}},
}

BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "uppercase_source": ({"source": "Orders"}, "source", "lowercase letters or digits"),
    "short_source": ({"source": "or"}, "source", "3 to 24"),
    "hyphen_source": ({"source": "order-db"}, "source", "lowercase letters or digits"),
    "no_tables": ({"tables": ()}, "tables", "a list of 1 to 20 items"),
    "too_many_tables": ({"tables": [f"dbo.t{i}" for i in range(21)]}, "tables", "a list of 1 to 20 items"),
    "table_without_schema": ({"tables": ["orders"]}, "tables[0]", "schema-qualified"),
    "tables_as_string": ({"tables": "dbo.orders"}, "tables", "a list"),
    "duplicate_table": ({"tables": ["dbo.orders", "DBO.Orders"]}, "tables[1]", "not listed before"),
    "basic_tier_cannot_cdc": ({"sku": "Basic"}, "sku", "one of S3"),
    "s2_cannot_cdc": ({"sku": "S2"}, "sku", "one of S3"),
    "admin_not_a_guid": ({"admin_object_id": "sg-admins"}, "admin_object_id", "GUID"),
    "admin_login_with_quote": ({"admin_login": "x'y"}, "admin_login", "no quotes"),
    "service_principal_type": ({"admin_principal_type": "ServicePrincipal"}, "admin_principal_type", "Group"),
    "public_as_string": ({"public_network_access": "no"}, "public_network_access", "true or false"),
    "backup_redundancy": ({"backup_redundancy": "RAGRS"}, "backup_redundancy", "Local"),
    "location_display_name": ({"location": "West Europe"}, "location", "Azure region"),
    "tag_name_with_slash": ({"tags": {"a/b": "x"}}, "tags", "without"),
    "tag_value_too_long": ({"tags": {"owner": "x" * 257}}, "tags['owner']", "at most 256"),
}


@pytest.mark.parametrize("case", GOOD)
def test_good_cdc_source_args_construct(case: str) -> None:
    assert_good(CdcSourceArgs, BASE, GOOD[case])


@pytest.mark.parametrize("case", BAD)
def test_bad_cdc_source_args_name_the_field_and_the_allowed_values(case: str) -> None:
    overrides, field, allowed = BAD[case]
    assert_bad(CdcSourceArgs, BASE, overrides, field, allowed)


def test_args_are_frozen_and_normalised() -> None:
    args = CdcSourceArgs(**{**BASE, "tables": ["dbo.a"], "sku": "S4"})
    assert args.tables == ("dbo.a",)
    assert args.sku is SqlSku.S4
    with pytest.raises(AttributeError):
        args.source = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("sku", "expected"),
    [
        (SqlSku.S3, {"name": "S3", "tier": "Standard"}),
        (SqlSku.P1, {"name": "P1", "tier": "Premium"}),
        (SqlSku.GP_GEN5_4, {"name": "GP_Gen5", "tier": "GeneralPurpose", "family": "Gen5", "capacity": 4}),
        (SqlSku.HS_GEN5_2, {"name": "HS_Gen5", "tier": "Hyperscale", "family": "Gen5", "capacity": 2}),
    ],
)
def test_every_service_objective_maps_to_the_arm_sku(sku: SqlSku, expected: dict[str, Any]) -> None:
    args = sku_args(sku)
    got = {k: getattr(args, k) for k in ("name", "tier", "family", "capacity") if getattr(args, k) is not None}
    assert got == expected
