"""Hypothesis strategies for the reference stacks: one builder per Args class, and stack
configurations drawn from the configuration schema (``cdcml/stacks/config.schema.json``,
by :func:`cdcml.testing.schemas.from_schema`) with the rules the schema can't state
layered on top.

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
from typing import Any, TypeVar

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ModuleNotFoundError as e:  # the kit's strategies need the testing extra
    raise ModuleNotFoundError(f"{__name__} needs Hypothesis: pip install 'cdcml-guard[testing]'", name=e.name) from e

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
from cdcml.stacks.eventing import TIER_LIMITS
from cdcml.stacks.identity import LEAST_PRIVILEGE
from cdcml.stacks.schema import SCHEMA
from cdcml.testing.schemas import from_schema

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

T = TypeVar("T")


def _given(strategy: st.SearchStrategy[T] | None, default: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """The caller's strategy, or *default* when none was given (``strategy or default``
    would ask a strategy for its truth value, which Hypothesis warns about)."""
    return default if strategy is None else strategy


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
        source=_given(source, source_names()),
        tables=_given(tables, table_lists()),
        admin_login=_given(admin_login, st.from_regex(r"sg-[a-z0-9-]{3,20}", fullmatch=True)),
        admin_object_id=_given(admin_object_id, _guids()),
        admin_principal_type=_given(admin_principal_type, st.sampled_from(AdminPrincipalType)),
        sku=_given(sku, st.sampled_from(SqlSku)),
        public_network_access=_given(public_network_access, st.booleans()),
        backup_redundancy=_given(backup_redundancy, st.sampled_from(BackupRedundancy)),
        location=_given(location, locations()),
        tags=_given(tags, tag_maps()),
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
        source=_given(source, source_names()),
        tables=_given(tables, table_lists()),
        format=_given(format, st.sampled_from(TargetFormat)),
        latency_minutes=_given(latency_minutes, st.integers(*LATENCY_MINUTES)),
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
        feeds=_given(feeds, st.lists(cdc_feeds(), min_size=1, max_size=3, unique_by=lambda f: f.source).map(tuple)),
        managed_virtual_network=_given(managed_virtual_network, st.booleans()),
        public_network_access=_given(public_network_access, st.booleans()),
        core_count=_given(core_count, st.sampled_from(CORE_COUNTS)),
        time_to_live_minutes=_given(time_to_live_minutes, st.integers(0, 60)),
        git=_given(git, st.none() | git_repositories()),
        location=_given(location, locations()),
        tags=_given(tags, tag_maps()),
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
    cool = draw(_given(cool_after_days, st.integers(1, 365)))
    return LandingZoneArgs(
        containers=draw(_given(containers, st.lists(source_names(), min_size=1, max_size=3, unique=True).map(tuple))),
        sku=draw(_given(sku, st.sampled_from(LandingSku))),
        soft_delete_days=draw(_given(soft_delete_days, st.integers(1, 365))),
        cool_after_days=cool,
        delete_after_days=draw(st.just(0) | st.integers(cool + 1, cool + 3650)),
        capture_container=draw(_given(capture_container, st.booleans())),
        capture_retention_days=draw(_given(capture_retention_days, st.integers(1, 3650))),
        public_network_access=draw(_given(public_network_access, st.booleans())),
        shared_key_access=draw(_given(shared_key_access, st.booleans())),
        delete_lock=draw(_given(delete_lock, st.booleans())),
        location=draw(_given(location, locations())),
        tags=draw(_given(tags, tag_maps())),
    )


def ml_consumers(*, purpose: st.SearchStrategy[ConsumerPurpose] | None = None) -> st.SearchStrategy[MlConsumer]:
    return st.builds(
        MlConsumer,
        name=st.from_regex(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", fullmatch=True),
        purpose=_given(purpose, st.sampled_from(ConsumerPurpose)),
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
    on the tier's limits. Narrowing ``capture`` to on or ``public_network_access`` to off
    draws only tiers that have them (and no example, with ``sku`` narrowed to one that
    doesn't)."""
    want_capture = None if capture is None else draw(capture)
    want_public = None if public_network_access is None else draw(public_network_access)

    def fits(tier: EventHubsSku) -> bool:
        limits = TIER_LIMITS[tier]
        return (limits.capture or not want_capture) and (limits.private_link or want_public is not False)

    tier = draw(_given(sku, st.sampled_from([t for t in EventHubsSku if fits(t)])))
    assume(fits(tier))
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
        capture=(draw(st.booleans()) if want_capture is None else want_capture) if limits.capture else False,
        capture_interval_seconds=draw(st.integers(60, 900)),
        capture_size_mb=draw(st.integers(10, 500)),
        public_network_access=(draw(st.booleans()) if want_public is None else want_public)
        if limits.private_link
        else True,
        zone_redundant=draw(st.booleans()),
        consumer_workspace=draw(_given(consumer_workspace, st.sampled_from(("", "cdcml-ml", "team_ws-01")))),
        location=draw(_given(location, locations())),
        tags=draw(_given(tags, tag_maps())),
    )


@st.composite
def cdc_targets(draw: st.DrawFn, *, account: st.SearchStrategy[str] | None = None) -> tuple[CdcTarget, ...]:
    """CDC targets of one factory in one landing account, as CdcIngestion derives them
    (all targets share the account and factory; each source writes its own container)."""
    account_name = draw(_given(account, st.from_regex(r"[a-z0-9]{3,24}", fullmatch=True)))
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
        workspace_name=_given(workspace_name, st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True)),
        assets=_given(assets, cdc_targets()),
        public_network_access=_given(public_network_access, st.booleans()),
        managed_network=_given(managed_network, st.booleans()),
        storage_sku=_given(storage_sku, st.sampled_from(LandingSku)),
        key_vault_retention_days=_given(key_vault_retention_days, st.integers(7, 90)),
        legacy_datasets=_given(legacy_datasets, st.booleans()),
        location=_given(location, locations()),
        tags=_given(tags, tag_maps()),
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
        location=draw(_given(location, locations())),
        tags=draw(_given(tags, tag_maps())),
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
        retention_days=_given(retention_days, st.integers(30, 730)),
        daily_quota_gb=_given(daily_quota_gb, (st.just(-1) | st.integers(1, 10000))),
        location=_given(location, locations()),
        tags=_given(tags, tag_maps()),
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

_KEYS = SCHEMA["properties"]
_REFERENCE_PROFILES = tuple(p for p in _KEYS["cdcml:profile"]["enum"] if p != "seed")


def _flat(value: Any) -> str:
    """A config value as Pulumi hands it to the program: strings as they are, the rest JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _tags() -> st.SearchStrategy[dict[str, str]]:
    """The schema's tags (the required ones, ARM-sized) plus a few ARM-valid extra tags."""
    declared = set(_KEYS["cdcml:tags"]["properties"])
    required = from_schema(_KEYS["cdcml:tags"]).filter(lambda t: all(len(v) <= 256 for v in t.values()))
    extra = tag_maps().map(lambda t: {k: v for k, v in t.items() if k not in declared})
    return st.tuples(required, extra).map(lambda pair: {**pair[0], **pair[1]})


def _sources(names: st.SearchStrategy[Sequence[str]] | None) -> st.SearchStrategy[list[dict[str, Any]]]:
    """CDC sources with unique names and tables whose landing folders differ."""
    node = _KEYS["cdcml:sources"]
    tables_node = node["items"]["properties"]["tables"]
    tables = st.lists(
        from_schema(tables_node["items"]),
        min_size=tables_node["minItems"],
        max_size=tables_node["maxItems"],
        unique_by=lambda t: target_folder("cdc", t),
    )
    if names is None:
        source = from_schema(node["items"], overrides={"tables": tables})
        return st.lists(source, min_size=node["minItems"], max_size=node["maxItems"], unique_by=lambda s: s["name"])
    return names.flatmap(
        lambda fixed: st.tuples(
            *(from_schema(node["items"], overrides={"name": st.just(n), "tables": tables}) for n in fixed)
        ).map(list)
    )


@st.composite
def _event_hubs(draw: st.DrawFn, private: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``cdcml:eventHubs`` and ``cdcml:mlConsumers`` within the tier's limits: no private
    link on Basic, as many consumers as the tier has groups (``$Default`` aside), unique
    consumer names, and auto-inflate from ``capacity`` up or off."""
    tiers = [t for t in EventHubsSku if TIER_LIMITS[t].private_link or not private]
    tier = draw(st.sampled_from(tiers))
    hubs: dict[str, Any] = draw(from_schema(_KEYS["cdcml:eventHubs"], overrides={"sku": st.just(tier.value)}))
    if tier is EventHubsSku.STANDARD:
        ceiling = hubs.get("maxThroughputUnits", 4)
        if ceiling and ceiling < hubs.get("capacity", 1):
            hubs["maxThroughputUnits"] = draw(st.just(0) | st.integers(hubs["capacity"], TIER_LIMITS[tier].capacity))
    consumer = from_schema(_KEYS["cdcml:mlConsumers"]["items"])
    consumers = draw(
        st.lists(consumer, max_size=min(TIER_LIMITS[tier].consumer_groups - 1, 4), unique_by=lambda c: c["name"])
    )
    return hubs, consumers


@st.composite
def _network(draw: st.DrawFn) -> dict[str, str]:
    """Private blocks, the subnet inside the address space."""
    args = draw(network_args())
    return {"addressSpace": args.address_space, "privateEndpointSubnet": args.private_endpoint_subnet}


def _landing(sources: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """The landing account; files expire only after they cool, and never under a delta source."""
    node = _KEYS["cdcml:landing"]
    delta = any(s.get("format", "delta") == "delta" for s in sources)

    @st.composite
    def landing(draw: st.DrawFn) -> dict[str, Any]:
        value: dict[str, Any] = draw(from_schema(node))
        expire = value.get("deleteAfterDays", 0)
        cool = value.get("coolAfterDays", node["properties"]["coolAfterDays"]["default"])
        if expire and (delta or expire <= cool):
            value["deleteAfterDays"] = 0 if delta else draw(st.just(0) | st.integers(cool + 1, 36500))
        return value

    return landing()


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
    every one. Drawn from the configuration schema (``cdcml/stacks/config.schema.json``),
    optional keys sometimes left out so defaults are exercised too, with the rules the
    schema can't state layered on top: unique source, table and consumer names, the Event
    Hubs tier's limits, lifecycle days, tag limits and network blocks. *sources* fixes the
    source names; the other keywords narrow their keys."""
    private = draw(_given(private_networking, st.booleans()))
    sources_value = draw(_sources(sources))
    hubs, consumers = draw(_event_hubs(private))
    overrides: dict[str, st.SearchStrategy[Any]] = {
        "cdcml:profile": _given(profile, st.sampled_from(_REFERENCE_PROFILES)),
        "cdcml:privateNetworking": st.just(private),
        "cdcml:sources": st.just(sources_value),
        "cdcml:landing": _landing(sources_value),
        "cdcml:eventHubs": st.just(hubs),
        "cdcml:mlConsumers": st.just(consumers),
        "cdcml:tags": _tags(),
    }
    if location is not None:
        overrides["azure-native:location"] = location
    if private:
        overrides["cdcml:network"] = _network()
    document: dict[str, Any] = draw(from_schema(SCHEMA, overrides=overrides))
    if "cdcml:environment" in document and draw(st.booleans()):
        # An environment tag must equal the stack's environment.
        document["cdcml:tags"]["environment"] = document["cdcml:environment"]
    return {key: _flat(value) for key, value in document.items()}
