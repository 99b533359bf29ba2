"""CdcIngestionArgs and its parts: CDC feeds (mode, latency, format), Git, CDC targets."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_azure_native import datafactory

from cdcml.stacks import CdcFeed, CdcIngestionArgs, CdcTarget, GitRepository, TargetFormat
from cdcml.stacks.cdc_ingestion import cdc_targets, target_folder
from tests.stacks._cases import assert_bad, assert_good

FEED: dict[str, Any] = {"source": "orders", "tables": ("dbo.orders",)}
BASE: dict[str, Any] = {"feeds": (CdcFeed(**FEED),), "location": "westeurope"}

FEED_GOOD: dict[str, dict[str, Any]] = {
    "base": {},
    "parquet": {"format": TargetFormat.PARQUET},
    "format_as_string": {"format": "delta"},
    "fastest": {"latency_minutes": 15},
    "slowest": {"latency_minutes": 120},
    "two_tables": {"tables": ["dbo.orders", "dbo.order_lines"]},
}
FEED_BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "every_minute": ({"latency_minutes": 1}, "latency_minutes", "from 15 to 120"),
    "every_three_hours": ({"latency_minutes": 180}, "latency_minutes", "from 15 to 120"),
    "latency_as_float": ({"latency_minutes": 15.0}, "latency_minutes", "an integer"),
    "csv": ({"format": "delimited"}, "format", "delta or parquet"),
    "same_folder_twice": ({"tables": ["dbo.Orders", "DBO.orders"]}, "tables", "lowercase names differ"),
    "bad_source": ({"source": "1orders"}, "source", "starting with a letter"),
    "no_tables": ({"tables": []}, "tables", "a list of 1 to 20 items"),
}

GOOD: dict[str, dict[str, Any]] = {
    "base": {},
    "no_managed_vnet_public_dev": {"managed_virtual_network": False, "public_network_access": True},
    "bigger_cluster": {"core_count": 32, "time_to_live_minutes": 60},
    "git": {"git": GitRepository(account_name="contoso", repository_name="adf")},
    "two_feeds": {"feeds": [CdcFeed(**FEED), CdcFeed(source="inventory", tables=("dbo.stock",))]},
}
BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "no_feeds": ({"feeds": ()}, "feeds", "a list of 1 to 8 items"),
    "feed_as_dict": ({"feeds": [FEED]}, "feeds[0]", "a CdcFeed"),
    "same_source_twice": ({"feeds": [CdcFeed(**FEED), CdcFeed(**FEED)]}, "feeds[1].source", "not listed before"),
    "core_count_not_offered": ({"core_count": 12}, "core_count", "8, 16 or 32"),
    "core_count_above_cap": ({"core_count": 48}, "core_count", "8, 16 or 32"),
    "ttl_too_long": ({"time_to_live_minutes": 61}, "time_to_live_minutes", "from 0 to 60"),
    "git_as_dict": ({"git": {"account_name": "contoso"}}, "git", "a GitRepository or None"),
}


@pytest.mark.parametrize("case", FEED_GOOD)
def test_good_cdc_feeds_construct(case: str) -> None:
    assert_good(CdcFeed, FEED, FEED_GOOD[case])


@pytest.mark.parametrize("case", FEED_BAD)
def test_bad_cdc_feeds_name_the_field_and_the_allowed_values(case: str) -> None:
    overrides, field, allowed = FEED_BAD[case]
    assert_bad(CdcFeed, FEED, overrides, field, allowed)


@pytest.mark.parametrize("case", GOOD)
def test_good_cdc_ingestion_args_construct(case: str) -> None:
    assert_good(CdcIngestionArgs, BASE, GOOD[case])


@pytest.mark.parametrize("case", BAD)
def test_bad_cdc_ingestion_args_name_the_field_and_the_allowed_values(case: str) -> None:
    overrides, field, allowed = BAD[case]
    assert_bad(CdcIngestionArgs, BASE, overrides, field, allowed)


@pytest.mark.parametrize(
    ("minutes", "frequency", "interval"),
    [(15, "Minute", 15), (30, "Minute", 30), (45, "Minute", 45), (60, "Hour", 1), (90, "Minute", 90), (120, "Hour", 2)],
)
def test_latency_maps_to_the_recurrence_adf_studio_writes(minutes: int, frequency: str, interval: int) -> None:
    feed = CdcFeed(**{**FEED, "latency_minutes": minutes})
    assert feed.recurrence == (datafactory.FrequencyType(frequency), interval)


@pytest.mark.parametrize(
    ("overrides", "field", "allowed"),
    [
        ({"account_name": "-contoso"}, "account_name", "GitHub organisation"),
        ({"repository_name": "a b"}, "repository_name", "repository name"),
        ({"root_folder": "adf"}, "root_folder", "starting with '/'"),
        ({"collaboration_branch": "main branch"}, "collaboration_branch", "branch name"),
    ],
)
def test_bad_git_repositories_name_the_field(overrides: dict[str, Any], field: str, allowed: str) -> None:
    assert_bad(GitRepository, {"account_name": "contoso", "repository_name": "adf"}, overrides, field, allowed)


def test_cdc_targets_put_each_entity_in_its_own_folder_of_its_source_container() -> None:
    args = CdcIngestionArgs(
        feeds=(
            CdcFeed(source="orders", tables=("dbo.Orders", "sales.lines"), format=TargetFormat.DELTA),
            CdcFeed(source="inventory", tables=("dbo.stock",), format=TargetFormat.PARQUET),
        ),
        location="westeurope",
    )
    targets = cdc_targets(
        args,
        factory="adf-x",
        account="acct",
        containers={"orders": "orders", "inventory": "inventory"},
        cdc_folder="cdc",
    )
    assert [(t.filesystem, t.folder, t.format, t.change_data_capture, t.asset_name) for t in targets] == [
        ("orders", "cdc/dbo/orders", TargetFormat.DELTA, "orders_cdc", "orders-dbo-orders"),
        ("orders", "cdc/sales/lines", TargetFormat.DELTA, "orders_cdc", "orders-sales-lines"),
        ("inventory", "cdc/dbo/stock", TargetFormat.PARQUET, "inventory_cdc", "inventory-dbo-stock"),
    ]
    assert target_folder("changes", "Sales.Order_Lines") == "changes/sales/order_lines"


def test_a_cdc_target_rejects_a_path_no_cdc_could_write() -> None:
    good: dict[str, Any] = {
        "source": "orders",
        "table": "dbo.orders",
        "account": "acct01",
        "filesystem": "orders",
        "folder": "cdc/dbo/orders",
        "format": "delta",
        "factory": "adf-x",
        "change_data_capture": "orders_cdc",
    }
    assert_good(CdcTarget, good, {})
    assert_bad(CdcTarget, good, {"folder": "/cdc/dbo/orders"}, "folder", "relative folder path")
    assert_bad(CdcTarget, good, {"account": "Acct-01"}, "account", "storage account name")
    assert_bad(CdcTarget, good, {"change_data_capture": "orders-cdc"}, "change_data_capture", "entity name")
