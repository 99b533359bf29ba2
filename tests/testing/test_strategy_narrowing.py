"""Every public strategy of ``cdcml.testing.strategies`` takes narrowing arguments without
warnings, and honours them (issue 12: ``landing_zone_args(public_network_access=
st.just(False))`` warned ``bool(just(False)) is always True``, failing any suite run with
warnings as errors). Narrowed values are falsy where the field allows it — the case a
``strategy or default`` gets wrong."""

from __future__ import annotations

import inspect
import json
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdcml.stacks import (
    AdminPrincipalType,
    BackupRedundancy,
    CdcFeed,
    ConsumerPurpose,
    EventHubsSku,
    LandingSku,
    SqlSku,
    TargetFormat,
)
from cdcml.testing import strategies as S

FEED = CdcFeed(source="orders", tables=("dbo.orders",), format=TargetFormat.PARQUET, latency_minutes=30)


def field(name: str, value: Any) -> tuple[st.SearchStrategy[Any], Callable[[Any], bool]]:
    """Narrow to ``just(value)``; the drawn object's attribute *name* must be *value*."""
    return st.just(value), lambda obj: getattr(obj, name) == value


def key(name: str, value: Any, flat: str) -> tuple[st.SearchStrategy[Any], Callable[[Any], bool]]:
    """Narrow a stack configuration key; the flat config must hold *flat* there."""
    return st.just(value), lambda doc: doc.get(name) == flat


def common(strategy: str) -> dict[tuple[str, str], tuple[st.SearchStrategy[Any], Callable[[Any], bool]]]:
    return {(strategy, "location"): field("location", "uksouth"), (strategy, "tags"): field("tags", {})}


NARROWINGS: dict[tuple[str, str], tuple[st.SearchStrategy[Any], Callable[[Any], bool]]] = {
    ("cdc_feeds", "source"): field("source", "orders"),
    ("cdc_feeds", "tables"): field("tables", ("dbo.orders", "sales.items")),
    ("cdc_feeds", "format"): field("format", TargetFormat.PARQUET),
    ("cdc_feeds", "latency_minutes"): field("latency_minutes", 120),
    ("cdc_source_args", "source"): field("source", "orders"),
    ("cdc_source_args", "tables"): field("tables", ("dbo.orders",)),
    ("cdc_source_args", "admin_login"): field("admin_login", "sg-dba"),
    ("cdc_source_args", "admin_object_id"): field("admin_object_id", "00000000-0000-0000-0000-000000000001"),
    ("cdc_source_args", "admin_principal_type"): field("admin_principal_type", AdminPrincipalType.USER),
    ("cdc_source_args", "sku"): field("sku", SqlSku.S3),
    ("cdc_source_args", "public_network_access"): field("public_network_access", False),
    ("cdc_source_args", "backup_redundancy"): field("backup_redundancy", BackupRedundancy.LOCAL),
    **common("cdc_source_args"),
    ("cdc_ingestion_args", "feeds"): field("feeds", (FEED,)),
    ("cdc_ingestion_args", "managed_virtual_network"): field("managed_virtual_network", False),
    ("cdc_ingestion_args", "public_network_access"): field("public_network_access", False),
    ("cdc_ingestion_args", "core_count"): field("core_count", 8),
    ("cdc_ingestion_args", "time_to_live_minutes"): field("time_to_live_minutes", 0),
    ("cdc_ingestion_args", "git"): field("git", None),
    **common("cdc_ingestion_args"),
    ("cdc_targets", "account"): (st.just("acct01"), lambda targets: {t.account for t in targets} == {"acct01"}),
    ("landing_zone_args", "containers"): field("containers", ("orders",)),
    ("landing_zone_args", "sku"): field("sku", LandingSku.STANDARD_LRS),
    ("landing_zone_args", "soft_delete_days"): field("soft_delete_days", 1),
    ("landing_zone_args", "cool_after_days"): field("cool_after_days", 30),
    ("landing_zone_args", "capture_container"): field("capture_container", False),
    ("landing_zone_args", "capture_retention_days"): field("capture_retention_days", 1),
    ("landing_zone_args", "public_network_access"): field("public_network_access", False),
    ("landing_zone_args", "shared_key_access"): field("shared_key_access", False),
    ("landing_zone_args", "delete_lock"): field("delete_lock", False),
    **common("landing_zone_args"),
    ("eventing_args", "sku"): field("sku", EventHubsSku.BASIC),
    ("eventing_args", "capture"): field("capture", True),
    ("eventing_args", "public_network_access"): field("public_network_access", False),
    ("eventing_args", "consumer_workspace"): field("consumer_workspace", ""),
    **common("eventing_args"),
    ("ml_consumers", "purpose"): field("purpose", ConsumerPurpose.SCORING),
    ("ml_consumption_args", "workspace_name"): field("workspace_name", "mlws"),
    ("ml_consumption_args", "assets"): (
        S.cdc_targets(account=st.just("acct01")),
        lambda args: {t.account for t in args.assets} == {"acct01"},
    ),
    ("ml_consumption_args", "public_network_access"): field("public_network_access", False),
    ("ml_consumption_args", "managed_network"): field("managed_network", False),
    ("ml_consumption_args", "storage_sku"): field("storage_sku", LandingSku.STANDARD_LRS),
    ("ml_consumption_args", "key_vault_retention_days"): field("key_vault_retention_days", 7),
    ("ml_consumption_args", "legacy_datasets"): field("legacy_datasets", False),
    **common("ml_consumption_args"),
    **common("network_args"),
    ("observability_args", "retention_days"): field("retention_days", 30),
    ("observability_args", "daily_quota_gb"): field("daily_quota_gb", -1),
    **common("observability_args"),
    ("stack_configs", "profile"): key("cdcml:profile", "dev", "dev"),
    ("stack_configs", "private_networking"): key("cdcml:privateNetworking", False, "false"),
    ("stack_configs", "sources"): (
        st.just(["alpha", "beta"]),
        lambda doc: [s["name"] for s in json.loads(doc["cdcml:sources"])] == ["alpha", "beta"],
    ),
    ("stack_configs", "location"): key("azure-native:location", "uksouth", "uksouth"),
}


def narrowing_parameters() -> set[tuple[str, str]]:
    """(strategy, parameter) for every keyword parameter of every public strategy."""
    return {
        (name, p.name)
        for name in S.__all__
        for p in inspect.signature(getattr(S, name)).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


def test_the_table_covers_every_narrowing_parameter_of_every_public_strategy() -> None:
    assert set(NARROWINGS) == narrowing_parameters()


@pytest.mark.parametrize(("strategy", "parameter"), sorted(NARROWINGS))
def test_every_narrowing_is_honoured_without_a_warning(strategy: str, parameter: str) -> None:
    """narrowed ⇒ honoured, silently: every drawn value carries the narrowed value, and
    drawing emits no warning at all (HypothesisWarning included) under ``error``."""
    narrowed, holds = NARROWINGS[strategy, parameter]

    @settings(max_examples=10, database=None)
    @given(value=getattr(S, strategy)(**{parameter: narrowed}))
    def check(value: Any) -> None:
        assert holds(value), value

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check()


@given(args=S.eventing_args(sku=st.just(EventHubsSku.BASIC), capture=st.just(False)))
def test_a_narrowing_the_tier_allows_is_honoured_on_basic(args: Any) -> None:
    """Basic has no Capture and no Private Link: narrowed to Basic, Capture is off and the
    namespace is public."""
    assert (args.sku, args.capture, args.public_network_access) == (EventHubsSku.BASIC, False, True)
