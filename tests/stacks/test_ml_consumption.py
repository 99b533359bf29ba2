"""MlConsumptionArgs: the workspace and its data assets over CDC targets."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.stacks import CdcTarget, LandingSku, MlConsumptionArgs, TargetFormat
from cdcml.stacks.ml_consumption import data_uri, datastore_name
from tests.stacks._cases import assert_bad, assert_good


def target(source: str = "orders", table: str = "dbo.orders", account: str = "acct01", **kw: Any) -> CdcTarget:
    schema, name = table.lower().split(".")
    return CdcTarget(
        source=source,
        table=table,
        account=account,
        filesystem=kw.get("filesystem", source),
        folder=f"cdc/{schema}/{name}",
        format=kw.get("format", TargetFormat.DELTA),
        factory="adf-x",
        change_data_capture=f"{source}_cdc",
    )


BASE: dict[str, Any] = {"workspace_name": "cdcml-ml", "assets": (target(),), "location": "westeurope"}

GOOD: dict[str, dict[str, Any]] = {
    "base": {},
    "two_sources": {"assets": [target(), target("inventory", "dbo.stock")]},
    "public_dev": {"public_network_access": True, "managed_network": False},
    "legacy": {"legacy_datasets": True},
    "lrs": {"storage_sku": LandingSku.STANDARD_LRS},
    "short_vault_retention": {"key_vault_retention_days": 7},
}
BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "no_assets": ({"assets": ()}, "assets", "a list of 1 to 160 items"),
    "same_asset_twice": ({"assets": [target(), target()]}, "assets[1]", "not used before"),
    "two_accounts": (
        {"assets": [target(), target("inventory", "dbo.stock", account="other")]},
        "assets",
        "one landing account",
    ),
    "asset_as_dict": ({"assets": [{"source": "orders"}]}, "assets[0]", "a CdcTarget"),
    "workspace_name_too_long": ({"workspace_name": "w" * 34}, "workspace_name", "3 to 33"),
    "vault_retention_over_90": ({"key_vault_retention_days": 91}, "key_vault_retention_days", "from 7 to 90"),
    "premium_storage": ({"storage_sku": "Premium_LRS"}, "storage_sku", "Standard_LRS"),
    "legacy_as_string": ({"legacy_datasets": "true"}, "legacy_datasets", "true or false"),
}


@pytest.mark.parametrize("case", GOOD)
def test_good_ml_consumption_args_construct(case: str) -> None:
    assert_good(MlConsumptionArgs, BASE, GOOD[case])


@pytest.mark.parametrize("case", BAD)
def test_bad_ml_consumption_args_name_the_field_and_the_allowed_values(case: str) -> None:
    overrides, field, allowed = BAD[case]
    assert_bad(MlConsumptionArgs, BASE, overrides, field, allowed)


def test_a_data_asset_reads_its_cdc_target_folder_through_the_container_datastore() -> None:
    t = target("orders", "Sales.Order_Lines", filesystem="order-landing")
    assert datastore_name("order-landing") == "cdc_order_landing"
    assert data_uri(t) == "azureml://datastores/cdc_order_landing/paths/cdc/sales/order_lines/"
