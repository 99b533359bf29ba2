"""Hypothesis strategies for the reference stacks: one builder per Args class, and stack
configurations that mirror the ``cdcml:`` configuration schema.

Every builder gives each field an explicit strategy, takes keyword arguments to narrow
any of them (``landing_zone_args(containers=st.just(("orders",)))``), and generates only
values the Args accept: a generated Args always constructs, and a generated stack
configuration always plans. ``@st.composite`` is used only where fields depend on each
other (Event Hubs tier limits, a subnet inside its address space, cool-before-delete
lifecycle days, CDC targets inside one landing account)::

    @given(cdc_ingestion_args())
    def test_every_feed_gets_a_cdc(args): ...

    @given(stack_configs(private_networking=st.just(True)))
    def test_every_private_stack_plans(values): plan_stack(values, project="p", stack="dev")
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from cdcml.stacks import (
    AdminPrincipalType,
    BackupRedundancy,
    CdcFeed,
    CdcIngestionArgs,
    CdcSourceArgs,
    CdcTarget,
    ConsumerPurpose,
    EventHubsSku,
    EventingArgs,
    GitRepository,
    IdentityArgs,
    LandingSku,
    LandingZoneArgs,
    MlConsumer,
    MlConsumptionArgs,
    NetworkArgs,
    ObservabilityArgs,
    RoleGrant,
    SqlSku,
    TargetFormat,
)
from cdcml.stacks.cdc_ingestion import CORE_COUNTS, LATENCY_MINUTES, cdc_name, target_folder
from cdcml.stacks.config import DataClassification, Environment
from cdcml.stacks.eventing import TIER_LIMITS
from cdcml.stacks.identity import LEAST_PRIVILEGE

__all__ = [
    "cdc_feeds",
    "cdc_ingestion_args",
    "cdc_source_args",
    "cdc_targets",
    "eventing_args",
    "git_repositories",
    "identity_args",
    "landing_zone_args",
    "locations",
    "ml_consumers",
    "ml_consumption_args",
    "network_args",
    "observability_args",
    "role_grants",
    "source_names",
    "stack_configs",
    "table_lists",
    "tag_maps",
]

_REGIONS = ("westeurope", "northeurope", "swedencentral", "uksouth", "eastus2", "centralus")


def locations() -> st.SearchStrategy[str]:
    """Azure region names."""
    return st.sampled_from(_REGIONS)


def tag_maps() -> st.SearchStrategy[dict[str, str]]:
    """ARM tag maps (names without ``<>%&\\?/``, values up to 256 characters)."""
    return st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9-]{0,19}", fullmatch=True),
        st.text(st.characters(codec="ascii", categories=("L", "N", "P", "Zs")), max_size=40),
        max_size=4,
    )


def source_names() -> st.SearchStrategy[str]:
    """CDC source names (3–24 lowercase letters and digits, starting with a letter)."""
    return st.from_regex(r"[a-z][a-z0-9]{2,11}", fullmatch=True)


def table_lists(min_size: int = 1, max_size: int = 3) -> st.SearchStrategy[tuple[str, ...]]:
    """Schema-qualified tables whose landing folders differ."""
    ident = r"[A-Za-z_][A-Za-z0-9_]{0,11}"
    return st.lists(
        st.from_regex(rf"{ident}\.{ident}", fullmatch=True),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda t: target_folder("cdc", t),
    ).map(tuple)


def _guids() -> st.SearchStrategy[str]:
    return st.uuids().map(str)


def cdc_source_args(
    *,
    source: st.SearchStrategy[str] | None = None,
    tables: st.SearchStrategy[tuple[str, ...]] | None = None,
    admin_login: st.SearchStrategy[str] | None = None,
    admin_object_id: st.SearchStrategy[str] | None = None,
    admin_principal_type: st.SearchStrategy[AdminPrincipalType] | None = None,
    sku: st.SearchStrategy[SqlSku] | None = None,
    public_network_access: st.SearchStrategy[bool] | None = None,
    backup_redundancy: st.SearchStrategy[BackupRedundancy] | None = None,
    location: st.SearchStrategy[str] | None = None,
    tags: st.SearchStrategy[dict[str, str]] | None = None,
) -> st.SearchStrategy[CdcSourceArgs]:
    return st.builds(
        CdcSourceArgs,
        source=source or source_names(),
        tables=tables or table_lists(),
        admin_login=admin_login or st.from_regex(r"sg-[a-z0-9-]{3,20}", fullmatch=True),
        admin_object_id=admin_object_id or _guids(),
        admin_principal_type=admin_principal_type or st.sampled_from(AdminPrincipalType),
        sku=sku or st.sampled_from(SqlSku),
        public_network_access=public_network_access or st.booleans(),
        backup_redundancy=backup_redundancy or st.sampled_from(BackupRedundancy),
        location=location or locations(),
        tags=tags or tag_maps(),
    )


def cdc_feeds(
    *,
    source: st.SearchStrategy[str] | None = None,
    tables: st.SearchStrategy[tuple[str, ...]] | None = None,
    format: st.SearchStrategy[TargetFormat] | None = None,
    latency_minutes: st.SearchStrategy[int] | None = None,
) -> st.SearchStrategy[CdcFeed]:
    return st.builds(
        CdcFeed,
        source=source or source_names(),
        tables=tables or table_lists(),
        format=format or st.sampled_from(TargetFormat),
        latency_minutes=latency_minutes or st.integers(*LATENCY_MINUTES),
    )


def git_repositories() -> st.SearchStrategy[GitRepository]:
    return st.builds(
        GitRepository,
        account_name=st.from_regex(r"[a-z][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True),
        repository_name=st.from_regex(r"[a-z][a-z0-9._-]{0,20}", fullmatch=True),
        collaboration_branch=st.sampled_from(("main", "develop", "adf/main")),
        root_folder=st.sampled_from(("/", "/adf", "/factories/cdc")),
    )


def cdc_ingestion_args(
    *,
    feeds: st.SearchStrategy[tuple[CdcFeed, ...]] | None = None,
    managed_virtual_network: st.SearchStrategy[bool] | None = None,
    public_network_access: st.SearchStrategy[bool] | None = None,
    core_count: st.SearchStrategy[int] | None = None,
    time_to_live_minutes: st.SearchStrategy[int] | None = None,
    git: st.SearchStrategy[GitRepository | None] | None = None,
    location: st.SearchStrategy[str] | None = None,
    tags: st.SearchStrategy[dict[str, str]] | None = None,
) -> st.SearchStrategy[CdcIngestionArgs]:
    return st.builds(
        CdcIngestionArgs,
        feeds=feeds or st.lists(cdc_feeds(), min_size=1, max_size=3, unique_by=lambda f: f.source).map(tuple),
        managed_virtual_network=managed_virtual_network or st.booleans(),
        public_network_access=public_network_access or st.booleans(),
        core_count=core_count or st.sampled_from(CORE_COUNTS),
        time_to_live_minutes=time_to_live_minutes or st.integers(0, 60),
        git=git or st.none() | git_repositories(),
        location=location or locations(),
        tags=tags or tag_maps(),
    )


@st.composite
def landing_zone_args(
    draw: st.DrawFn,
    *,
    containers: st.SearchStrategy[tuple[str, ...]] | None = None,
    sku: st.SearchStrategy[LandingSku] | None = None,
    soft_delete_days: st.SearchStrategy[int] | None = None,
    cool_after_days: st.SearchStrategy[int] | None = None,
    capture_container: st.SearchStrategy[bool] | None = None,
    capture_retention_days: st.SearchStrategy[int] | None = None,
    public_network_access: st.SearchStrategy[bool] | None = None,
    shared_key_access: st.SearchStrategy[bool] | None = None,
    delete_lock: st.SearchStrategy[bool] | None = None,
    location: st.SearchStrategy[str] | None = None,
    tags: st.SearchStrategy[dict[str, str]] | None = None,
) -> LandingZoneArgs:
    """``delete_after_days`` depends on ``cool_after_days``: 0 (never) or later."""
    cool = draw(cool_after_days or st.integers(1, 365))
    return LandingZoneArgs(
        containers=draw(containers or st.lists(source_names(), min_size=1, max_size=3, unique=True).map(tuple)),
        sku=draw(sku or st.sampled_from(LandingSku)),
        soft_delete_days=draw(soft_delete_days or st.integers(1, 365)),
        cool_after_days=cool,
        delete_after_days=draw(st.just(0) | st.integers(cool + 1, cool + 3650)),
        capture_container=draw(capture_container or st.booleans()),
        capture_retention_days=draw(capture_retention_days or st.integers(1, 3650)),
        public_network_access=draw(public_network_access or st.booleans()),
        shared_key_access=draw(shared_key_access or st.booleans()),
        delete_lock=draw(delete_lock or st.booleans()),
        location=draw(location or locations()),
        tags=draw(tags or tag_maps()),
    )


def ml_consumers(*, purpose: st.SearchStrategy[ConsumerPurpose] | None = None) -> st.SearchStrategy[MlConsumer]:
    return st.builds(
        MlConsumer,
        name=st.from_regex(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", fullmatch=True),
        purpose=purpose or st.sampled_from(ConsumerPurpose),
    )


@st.composite
def eventing_args(
    draw: st.DrawFn,
    *,
    sku: st.SearchStrategy[EventHubsSku] | None = None,
    capture: st.SearchStrategy[bool] | None = None,
    public_network_access: st.SearchStrategy[bool] | None = None,
    consumer_workspace: st.SearchStrategy[str] | None = None,
    location: st.SearchStrategy[str] | None = None,
    tags: st.SearchStrategy[dict[str, str]] | None = None,
) -> EventingArgs:
    """Capacity, partitions, retention, consumers, Capture and private access all depend
    on the tier's limits."""
    tier = draw(sku or st.sampled_from(EventHubsSku))
    limits = TIER_LIMITS[tier]
    capacity = draw(st.integers(1, min(limits.capacity, 8)))
    if tier is EventHubsSku.STANDARD:
        mtu = draw(st.just(0) | st.integers(capacity, limits.capacity))
    else:
        mtu = 0
    consumers = draw(
        st.lists(ml_consumers(), max_size=min(limits.consumer_groups - 1, 4), unique_by=lambda c: c.name).map(tuple)
    )
    return EventingArgs(
        consumers=consumers,
        sku=tier,
        capacity=capacity,
        max_throughput_units=mtu,
        partitions=draw(st.integers(1, limits.partitions)),
        retention_hours=draw(st.integers(1, limits.retention_hours)),
        capture=draw(capture or st.booleans()) if limits.capture else False,
        capture_interval_seconds=draw(st.integers(60, 900)),
        capture_size_mb=draw(st.integers(10, 500)),
        public_network_access=draw(public_network_access or st.booleans()) if limits.private_link else True,
        zone_redundant=draw(st.booleans()),
        consumer_workspace=draw(consumer_workspace or st.sampled_from(("", "cdcml-ml", "team_ws-01"))),
        location=draw(location or locations()),
        tags=draw(tags or tag_maps()),
    )


@st.composite
def cdc_targets(draw: st.DrawFn, *, account: st.SearchStrategy[str] | None = None) -> tuple[CdcTarget, ...]:
    """CDC targets of one factory in one landing account, as CdcIngestion derives them
    (all targets share the account and factory; each source writes its own container)."""
    account_name = draw(account or st.from_regex(r"[a-z0-9]{3,24}", fullmatch=True))
    factory = draw(st.from_regex(r"[a-z][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True))
    feeds = draw(st.lists(cdc_feeds(), min_size=1, max_size=3, unique_by=lambda f: f.source))
    return tuple(
        CdcTarget(
            source=feed.source,
            table=table,
            account=account_name,
            filesystem=feed.source,
            folder=target_folder("cdc", table),
            format=feed.format,
            factory=factory,
            change_data_capture=cdc_name(feed.source),
        )
        for feed in feeds
        for table in feed.tables
    )


def ml_consumption_args(
    *,
    workspace_name: st.SearchStrategy[str] | None = None,
    assets: st.SearchStrategy[tuple[CdcTarget, ...]] | None = None,
    public_network_access: st.SearchStrategy[bool] | None = None,
    managed_network: st.SearchStrategy[bool] | None = None,
    storage_sku: st.SearchStrategy[LandingSku] | None = None,
    key_vault_retention_days: st.SearchStrategy[int] | None = None,
    legacy_datasets: st.SearchStrategy[bool] | None = None,
    location: st.SearchStrategy[str] | None = None,
    tags: st.SearchStrategy[dict[str, str]] | None = None,
) -> st.SearchStrategy[MlConsumptionArgs]:
    return st.builds(
        MlConsumptionArgs,
        workspace_name=workspace_name or st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True),
        assets=assets or cdc_targets(),
        public_network_access=public_network_access or st.booleans(),
        managed_network=managed_network or st.booleans(),
        storage_sku=storage_sku or st.sampled_from(LandingSku),
        key_vault_retention_days=key_vault_retention_days or st.integers(7, 90),
        legacy_datasets=legacy_datasets or st.booleans(),
        location=location or locations(),
        tags=tags or tag_maps(),
    )


@st.composite
def network_args(
    draw: st.DrawFn,
    *,
    location: st.SearchStrategy[str] | None = None,
    tags: st.SearchStrategy[dict[str, str]] | None = None,
) -> NetworkArgs:
    """The private-endpoint subnet is drawn inside the drawn address space."""
    second = draw(st.integers(0, 255))
    space_prefix = draw(st.integers(16, 24))
    subnet_prefix = draw(st.integers(max(space_prefix, 16), 28))
    space = f"10.{second}.0.0/{space_prefix}"
    return NetworkArgs(
        address_space=space,
        private_endpoint_subnet=f"10.{second}.0.0/{subnet_prefix}",
        location=draw(location or locations()),
        tags=draw(tags or tag_maps()),
    )


def observability_args(
    *,
    retention_days: st.SearchStrategy[int] | None = None,
    daily_quota_gb: st.SearchStrategy[int] | None = None,
    location: st.SearchStrategy[str] | None = None,
    tags: st.SearchStrategy[dict[str, str]] | None = None,
) -> st.SearchStrategy[ObservabilityArgs]:
    return st.builds(
        ObservabilityArgs,
        retention_days=retention_days or st.integers(30, 730),
        daily_quota_gb=daily_quota_gb or (st.just(-1) | st.integers(1, 10000)),
        location=location or locations(),
        tags=tags or tag_maps(),
    )


@st.composite
def role_grants(draw: st.DrawFn) -> RoleGrant:
    """A grant the least-privilege table allows (the role depends on principal and scope)."""
    (principal, scope), role = draw(st.sampled_from(sorted(LEAST_PRIVILEGE.items())))
    return RoleGrant(
        principal=principal,
        role=role,
        scope=scope,
        target=draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)),
    )


def identity_args() -> st.SearchStrategy[IdentityArgs]:
    return st.builds(
        IdentityArgs, grants=st.lists(role_grants(), min_size=1, max_size=6, unique_by=lambda g: g.key).map(tuple)
    )


# --------------------------------------------------------------------------- stack configs


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@st.composite
def stack_configs(
    draw: st.DrawFn,
    *,
    profile: st.SearchStrategy[str] | None = None,
    private_networking: st.SearchStrategy[bool] | None = None,
    sources: st.SearchStrategy[Sequence[str]] | None = None,
    location: st.SearchStrategy[str] | None = None,
) -> dict[str, str]:
    """A reference profile's stack configuration, flat as Pulumi hands it to the program
    (``"cdcml:sources"`` → JSON text); :func:`~cdcml.stacks.config.plan_stack` accepts
    every one. Optional keys are sometimes left out, so defaults are exercised too."""
    names = list(draw(sources or st.lists(source_names(), min_size=1, max_size=3, unique=True)))
    formats = [draw(st.sampled_from(TargetFormat)) for _ in names]
    source_items = []
    for name, fmt in zip(names, formats, strict=True):
        item: dict[str, Any] = {"name": name, "tables": list(draw(table_lists(max_size=2))), "format": fmt.value}
        if draw(st.booleans()):
            item["sku"] = draw(st.sampled_from(SqlSku)).value
        if draw(st.booleans()):
            item["latencyMinutes"] = draw(st.sampled_from((15, 30, 60, 120)))
        if draw(st.booleans()):
            item["backupRedundancy"] = draw(st.sampled_from(BackupRedundancy)).value
        source_items.append(item)
    tier = draw(st.sampled_from((EventHubsSku.STANDARD, EventHubsSku.PREMIUM)))
    consumers = draw(st.lists(ml_consumers(), max_size=3, unique_by=lambda c: c.name))
    cool = draw(st.integers(1, 90))
    any_delta = TargetFormat.DELTA in formats
    values: dict[str, str] = {
        "azure-native:location": draw(location or locations()),
        "cdcml:profile": draw(profile or st.sampled_from(("dev", "prod", "fanin"))),
        "cdcml:environment": draw(st.sampled_from(Environment)).value,
        "cdcml:prefix": draw(st.from_regex(r"[a-z][a-z0-9]{2,9}", fullmatch=True)),
        "cdcml:tags": _json(
            {
                "owner": "team@example.com",
                "cost-center": draw(st.from_regex(r"cc-[0-9]{3,5}", fullmatch=True)),
                "data-classification": draw(st.sampled_from(DataClassification)).value,
            }
        ),
        "cdcml:sqlAdmin": _json(
            {
                "login": "sg-sql-admins",
                "objectId": draw(_guids()),
                "principalType": draw(st.sampled_from(AdminPrincipalType)).value,
            }
        ),
        "cdcml:privateNetworking": _json(draw(private_networking or st.booleans())),
        "cdcml:sources": _json(source_items),
        "cdcml:ingestion": _json({"coreCount": draw(st.sampled_from(CORE_COUNTS))}),
        "cdcml:landing": _json(
            {
                "sku": draw(st.sampled_from(LandingSku)).value,
                "coolAfterDays": cool,
                "deleteAfterDays": 0 if any_delta else draw(st.just(0) | st.integers(cool + 1, 3650)),
                "deleteLock": draw(st.booleans()),
            }
        ),
        "cdcml:eventHubs": _json(
            {
                "sku": tier.value,
                "partitions": draw(st.integers(1, TIER_LIMITS[tier].partitions)),
                "retentionHours": draw(st.integers(1, TIER_LIMITS[tier].retention_hours)),
                "capture": draw(st.booleans()),
                **({"maxThroughputUnits": 0} if tier is not EventHubsSku.STANDARD else {}),
            }
        ),
        "cdcml:mlConsumers": _json([{"name": c.name, "purpose": c.purpose.value} for c in consumers]),
        "cdcml:ml": _json({"legacyDatasets": draw(st.booleans())}),
        "cdcml:logs": _json({"retentionDays": draw(st.integers(30, 730))}),
    }
    return values
