"""The stack configuration schema of the reference program, and the plan built from it.

Every key lives under the ``cdcml:`` namespace (plus ``azure-native:location``).
:func:`plan_stack` turns a stack's flat configuration (``{"cdcml:sources": "<json>"}``,
as Pulumi hands it to the program) into a :class:`SeedPlan` or a
:class:`ReferencePlan` — the validated Args of every component — before a single
resource is declared. A bad value raises :class:`~cdcml.errors.ConfigError` with one
line that names the key (``cdcml:sources[0].latencyMinutes must be an integer from 15
to 120 (got 5)``); ``cdcml preview`` turns it into exit code 2.

docs/stacks.md documents each key; :data:`CONFIG_SCHEMA` is the list it is checked
against.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from cdcml.environments import environment_of
from cdcml.errors import ConfigError
from cdcml.stacks._args import LOCATION, ArgsError, names
from cdcml.stacks.cdc_ingestion import (
    CdcFeed,
    CdcIngestion,
    CdcIngestionArgs,
    CdcTarget,
    GitRepository,
    TargetFormat,
    cdc_targets,
)
from cdcml.stacks.cdc_source import CdcSourceArgs
from cdcml.stacks.eventing import HUB_NAME, EventingArgs, MlConsumer
from cdcml.stacks.identity import IdentityArgs, RoleGrant
from cdcml.stacks.landing_zone import CAPTURE_CONTAINER, LandingZone, LandingZoneArgs
from cdcml.stacks.ml_consumption import MlConsumptionArgs
from cdcml.stacks.network import NetworkArgs
from cdcml.stacks.observability import ObservabilityArgs
from cdcml.stacks.wiring import DataRole, GrantScope, Principal

__all__ = [
    "CONFIG_SCHEMA",
    "NAMESPACE",
    "PROFILES",
    "REQUIRED_TAGS",
    "ComponentNames",
    "DataClassification",
    "Environment",
    "ReferencePlan",
    "SeedPlan",
    "plan_stack",
]

NAMESPACE = "cdcml"
LOCATION_KEY = "azure-native:location"
PROFILES = ("seed", "dev", "prod", "fanin")
REQUIRED_TAGS = ("owner", "cost-center", "data-classification")
PREFIX = re.compile(r"^[a-z][a-z0-9]{2,9}$")
T = TypeVar("T")


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class DataClassification(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


CONFIG_SCHEMA: dict[str, tuple[str, ...]] = {
    "profile": (),
    "environment": (),
    "prefix": (),
    "tags": (),
    "sqlAdmin": ("login", "objectId", "principalType"),
    "privateNetworking": (),
    "network": ("addressSpace", "privateEndpointSubnet"),
    "sources": ("name", "tables", "sku", "format", "latencyMinutes", "backupRedundancy"),
    "ingestion": ("coreCount", "timeToLiveMinutes", "git"),
    "ingestion.git": ("accountName", "repositoryName", "collaborationBranch", "rootFolder"),
    "landing": ("sku", "softDeleteDays", "coolAfterDays", "deleteAfterDays", "deleteLock"),
    "eventHubs": (
        "sku",
        "capacity",
        "maxThroughputUnits",
        "partitions",
        "retentionHours",
        "capture",
        "captureIntervalSeconds",
        "captureSizeMb",
        "zoneRedundant",
    ),
    "mlConsumers": ("name", "purpose"),
    "ml": ("legacyDatasets", "storageSku", "keyVaultRetentionDays"),
    "logs": ("retentionDays", "dailyQuotaGb"),
}
"""Every ``cdcml:`` key and, for objects and lists of objects, the keys they accept
(``tags`` is a free mapping). Anything else is rejected as a typo."""


@dataclass(frozen=True)
class SeedPlan:
    """The ``seed`` profile: the original system, declared by :mod:`cdcml.stacks.seed`."""

    profile: str = "seed"


@dataclass(frozen=True)
class ComponentNames:
    """Logical names of a reference stack's components (children are ``<name>-<role>``)."""

    prefix: str

    def source(self, source: str) -> str:
        return f"{self.prefix}-{source}"

    @property
    def resource_group(self) -> str:
        return f"{self.prefix}-rg"

    @property
    def landing(self) -> str:
        return f"{self.prefix}-landing"

    @property
    def ingestion(self) -> str:
        return f"{self.prefix}-ingestion"

    @property
    def eventing(self) -> str:
        return f"{self.prefix}-events"

    @property
    def ml(self) -> str:
        return f"{self.prefix}-ml"

    @property
    def network(self) -> str:
        return f"{self.prefix}-network"

    @property
    def observability(self) -> str:
        return f"{self.prefix}-observability"

    @property
    def identity(self) -> str:
        return f"{self.prefix}-identity"


@dataclass(frozen=True)
class ReferencePlan:
    """The validated Args of every component of a reference profile (dev, prod, fanin)."""

    profile: str
    environment: Environment
    location: str
    resource_group_name: str
    tags: Mapping[str, str]
    names: ComponentNames
    private_networking: bool
    sources: tuple[CdcSourceArgs, ...]
    landing: LandingZoneArgs
    ingestion: CdcIngestionArgs
    targets: tuple[CdcTarget, ...]
    eventing: EventingArgs
    ml: MlConsumptionArgs
    network: NetworkArgs | None
    observability: ObservabilityArgs
    identity: IdentityArgs


# --------------------------------------------------------------------------- reading values


def _key(path: str) -> str:
    return f"{NAMESPACE}:{path}"


def _fail(path: str, allowed: str, value: Any = None, *, show: bool = True) -> ConfigError:
    got = f" (got {value!r})" if show else ""
    return ConfigError(f"{_key(path)} must be {allowed}{got}")


class _Config:
    """The stack's ``cdcml:`` values, parsed from Pulumi's flat string form."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values
        prefix = f"{NAMESPACE}:"
        for full in values:
            # Only top-level keys: "ingestion.git" is a nested object, not a key of its own.
            key = full[len(prefix) :]
            if full.startswith(prefix) and ("." in key or key not in CONFIG_SCHEMA):
                known = ", ".join(_key(k) for k in CONFIG_SCHEMA if "." not in k)
                raise ConfigError(f"{full} is not a configuration key of this program (keys: {known})")

    def raw(self, path: str) -> Any:
        """The value of ``cdcml:<path>``: JSON-decoded when it is structured, else the string."""
        text = self.values.get(_key(path))
        if text is None:
            return None
        stripped = text.strip()
        if stripped[:1] in ("{", "[") or stripped in ("true", "false") or _is_number(stripped):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError:
                raise _fail(path, "valid JSON", text) from None
        return text

    def string(self, path: str, default: str | None = None) -> str:
        value = self.raw(path)
        if value is None:
            if default is None:
                raise ConfigError(f"{_key(path)} is required")
            return default
        if not isinstance(value, str):
            raise _fail(path, "a string", value)
        return value

    def boolean(self, path: str, default: bool) -> bool:
        value = self.raw(path)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise _fail(path, "true or false", value)
        return value

    def object(self, path: str, *, required: bool = False) -> dict[str, Any]:
        value = self.raw(path)
        if value is None:
            if required:
                raise ConfigError(f"{_key(path)} is required")
            return {}
        return _object(path, value, CONFIG_SCHEMA.get(path))

    def objects(self, path: str, low: int, high: int) -> list[dict[str, Any]]:
        value = self.raw(path)
        if value is None:
            value = []
        if not isinstance(value, list) or not low <= len(value) <= high:
            raise _fail(path, f"a list of {low} to {high} objects", value)
        return [_object(f"{path}[{i}]", item, CONFIG_SCHEMA[path]) for i, item in enumerate(value)]


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", text))


def _object(path: str, value: Any, allowed: tuple[str, ...] | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "an object", value)
    if allowed:
        for k in value:
            if k not in allowed:
                raise ConfigError(f"{_key(path)}.{k} is not a configuration key (keys: {', '.join(allowed)})")
    return dict(value)


_SNAKE = re.compile(r"_([a-z])")


def _camel(field: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), field)


@contextmanager
def _keys(path: str, fields: Mapping[str, str] | None = None) -> Iterator[None]:
    """Re-raise an :class:`ArgsError` from building Args as a ConfigError on the key
    the Args field came from: ``<path>.<camelCase field>`` unless *fields* maps the field
    to another name under *path*, to ``""`` (*path* itself), or to ``"/<key>"`` (a key
    elsewhere in the namespace). ``tags`` always come from ``cdcml:tags``."""
    try:
        yield
    except ArgsError as e:
        head = re.split(r"[.\[]", e.field, maxsplit=1)[0]
        rest = e.field[len(head) :]
        mapped = {"tags": "/tags", **(fields or {})}.get(head, _camel(head))
        if mapped.startswith("/"):
            key = mapped[1:]
        else:
            key = f"{path}.{mapped}" if mapped else path
        raise ConfigError(f"{_key(key)}{_camel_path(rest)} must be {e.allowed}{e.got}") from None


def _camel_path(rest: str) -> str:
    return re.sub(r"\.([a-z_]+)", lambda m: "." + _camel(m.group(1)), rest)


def _build(path: str, factory: Callable[..., T], fields: Mapping[str, str] | None = None, **kwargs: Any) -> T:
    with _keys(path, fields):
        return factory(**kwargs)


# --------------------------------------------------------------------------- the plan


def plan_stack(values: Mapping[str, str], *, project: str, stack: str) -> SeedPlan | ReferencePlan:
    """Validate a stack's configuration and return the plan of its resources.

    *values* is the stack's flat configuration (``"cdcml:sources"`` → JSON text);
    *project* and *stack* fix the stack-derived names. Raises ConfigError naming the key
    of the first bad value."""
    config = _Config(values)
    profile = config.string("profile", stack if stack in PROFILES else None)
    if profile not in PROFILES:
        raise _fail("profile", f"one of {names(PROFILES)}", profile)
    if profile == "seed":
        return SeedPlan()
    return _plan_reference(config, profile, project, stack)


def _plan_reference(config: _Config, profile: str, project: str, stack: str) -> ReferencePlan:
    # By default the environment is what the guardrails derive from the stack name, so the
    # stack's `environment` tag and the pack's environment-aware policies agree.
    environment_text = config.string("environment", environment_of(stack))
    try:
        environment = Environment(environment_text)
    except ValueError:
        raise _fail("environment", f"one of {names(e.value for e in Environment)}", environment_text) from None
    prefix = config.string("prefix", "cdcml")
    if not PREFIX.fullmatch(prefix):
        raise _fail("prefix", "3 to 10 lowercase letters or digits, starting with a letter", prefix)
    location = _location(config.values)
    tags = _tags(config, environment, profile)
    names_ = ComponentNames(prefix)
    private = config.boolean("privateNetworking", True)

    admin = config.object("sqlAdmin", required=True)
    for required in ("login", "objectId"):
        if required not in admin:
            raise ConfigError(f"{_key('sqlAdmin')}.{required} is required")

    source_items = config.objects("sources", 1, 4)
    sources: list[CdcSourceArgs] = []
    feeds: list[CdcFeed] = []
    for i, item in enumerate(source_items):
        path = f"sources[{i}]"
        if "name" not in item or "tables" not in item:
            raise ConfigError(f"{_key(path)} needs a name and tables")
        if item["name"] in [s.source for s in sources]:
            raise _fail(f"{path}.name", "a source name not used before", item["name"])
        tables = _as_list(path + ".tables", item["tables"])
        sources.append(
            _build(
                path,
                CdcSourceArgs,
                {
                    "source": "name",
                    "admin_login": "/sqlAdmin.login",
                    "admin_object_id": "/sqlAdmin.objectId",
                    "admin_principal_type": "/sqlAdmin.principalType",
                    "public_network_access": "/privateNetworking",
                },
                source=item["name"],
                tables=tables,
                sku=item.get("sku", "S3"),
                backup_redundancy=item.get("backupRedundancy", "Geo"),
                admin_login=admin["login"],
                admin_object_id=admin["objectId"],
                admin_principal_type=admin.get("principalType", "Group"),
                public_network_access=not private,
                location=location,
                tags=tags,
            )
        )
        feeds.append(
            _build(
                path,
                CdcFeed,
                {"source": "name"},
                source=item["name"],
                tables=tables,
                format=item.get("format", "delta"),
                latency_minutes=item.get("latencyMinutes", 15),
            )
        )

    landing_cfg = config.object("landing")
    event_cfg = config.object("eventHubs")
    event_sku = event_cfg.get("sku", "Standard")
    capture = event_cfg.get("capture", True)
    landing = _build(
        "landing",
        LandingZoneArgs,
        {
            "containers": "/sources",
            "capture_container": "/eventHubs.capture",
            "public_network_access": "/privateNetworking",
        },
        containers=tuple(s.source for s in sources),
        sku=landing_cfg.get("sku", "Standard_ZRS"),
        soft_delete_days=landing_cfg.get("softDeleteDays", 14),
        cool_after_days=landing_cfg.get("coolAfterDays", 30),
        delete_after_days=landing_cfg.get("deleteAfterDays", 0),
        delete_lock=landing_cfg.get("deleteLock", True),
        capture_container=capture if isinstance(capture, bool) else False,
        public_network_access=not private,
        location=location,
        tags=tags,
    )

    if landing.delete_after_days and any(f.format is TargetFormat.DELTA for f in feeds):
        raise _fail(
            "landing.deleteAfterDays",
            "0 while a source writes delta (expiring files under a live Delta table corrupts it)",
            landing.delete_after_days,
        )

    ingestion_cfg = config.object("ingestion")
    git = None
    if "git" in ingestion_cfg:
        git_cfg = _object("ingestion.git", ingestion_cfg["git"], CONFIG_SCHEMA["ingestion.git"])
        git = _build(
            "ingestion.git",
            GitRepository,
            account_name=git_cfg.get("accountName"),
            repository_name=git_cfg.get("repositoryName"),
            collaboration_branch=git_cfg.get("collaborationBranch", "main"),
            root_folder=git_cfg.get("rootFolder", "/adf"),
        )
    ingestion = _build(
        "ingestion",
        CdcIngestionArgs,
        {
            "feeds": "/sources",
            "managed_virtual_network": "/privateNetworking",
            "public_network_access": "/privateNetworking",
        },
        feeds=tuple(feeds),
        managed_virtual_network=private,
        public_network_access=not private,
        core_count=ingestion_cfg.get("coreCount", 8),
        time_to_live_minutes=ingestion_cfg.get("timeToLiveMinutes", 10),
        git=git,
        location=location,
        tags=tags,
    )
    targets = cdc_targets(
        ingestion,
        factory=CdcIngestion.factory_name_for(names_.ingestion, project=project, stack=stack),
        account=LandingZone.account_name_for(names_.landing, project=project, stack=stack),
        containers={s.source: s.source for s in sources},
        cdc_folder=landing.cdc_folder,
    )

    workspace_name = f"{prefix}-ml"
    consumers = [
        _build(f"mlConsumers[{i}]", MlConsumer, name=item.get("name"), purpose=item.get("purpose", "training"))
        for i, item in enumerate(config.objects("mlConsumers", 0, 99))
    ]
    eventing = _build(
        "eventHubs",
        _eventing_args,
        {
            "consumers": "/mlConsumers",
            "public_network_access": "/privateNetworking",
            "consumer_workspace": "/prefix",
            "capture_size_mb": "captureSizeMb",
        },
        consumers=tuple(consumers),
        sku=event_sku,
        capacity=event_cfg.get("capacity", 1),
        max_throughput_units=event_cfg.get("maxThroughputUnits", 4 if event_sku == "Standard" else 0),
        partitions=event_cfg.get("partitions", 4),
        retention_hours=event_cfg.get("retentionHours", 72),
        capture=capture,
        capture_interval_seconds=event_cfg.get("captureIntervalSeconds", 300),
        capture_size_mb=event_cfg.get("captureSizeMb", 300),
        zone_redundant=event_cfg.get("zoneRedundant", True),
        public_network_access=not private,
        consumer_workspace=workspace_name,
        location=location,
        tags=tags,
    )
    ml_cfg = config.object("ml")
    ml = _build(
        "ml",
        MlConsumptionArgs,
        {
            "assets": "/sources",
            "workspace_name": "/prefix",
            "public_network_access": "/privateNetworking",
            "managed_network": "/privateNetworking",
        },
        workspace_name=workspace_name,
        assets=targets,
        public_network_access=not private,
        managed_network=private,
        storage_sku=ml_cfg.get("storageSku", "Standard_ZRS"),
        key_vault_retention_days=ml_cfg.get("keyVaultRetentionDays", 90),
        legacy_datasets=ml_cfg.get("legacyDatasets", False),
        location=location,
        tags=tags,
    )

    network = None
    network_cfg = config.object("network")
    if private:
        network = _build(
            "network",
            NetworkArgs,
            address_space=network_cfg.get("addressSpace", "10.40.0.0/16"),
            private_endpoint_subnet=network_cfg.get("privateEndpointSubnet", "10.40.1.0/24"),
            location=location,
            tags=tags,
        )

    logs_cfg = config.object("logs")
    observability = _build(
        "logs",
        ObservabilityArgs,
        retention_days=logs_cfg.get("retentionDays", 90),
        daily_quota_gb=logs_cfg.get("dailyQuotaGb", -1),
        location=location,
        tags=tags,
    )

    identity = IdentityArgs(grants=tuple(_grants(sources, eventing)))
    return ReferencePlan(
        profile=profile,
        environment=environment,
        location=location,
        resource_group_name=f"rg-{prefix}-{stack}",
        tags=tags,
        names=names_,
        private_networking=private,
        sources=tuple(sources),
        landing=landing,
        ingestion=ingestion,
        targets=targets,
        eventing=eventing,
        ml=ml,
        network=network,
        observability=observability,
        identity=identity,
    )


def _eventing_args(**kwargs: Any) -> EventingArgs:
    """EventingArgs, with the tier's "no private link" rule said in the words of
    ``cdcml:privateNetworking`` (the Args' ``public_network_access`` is its negation)."""
    try:
        return EventingArgs(**kwargs)
    except ArgsError as e:
        if e.field != "public_network_access":
            raise
        raise _fail("privateNetworking", f"false on the {kwargs['sku']} tier (it has no private link)", True) from None


def _location(values: Mapping[str, str]) -> str:
    location = values.get(LOCATION_KEY)
    if not location:
        raise ConfigError(f"{LOCATION_KEY} is required: the Azure region of the stack (e.g. westeurope)")
    if not LOCATION.fullmatch(location):
        raise ConfigError(f"{LOCATION_KEY} must be an Azure region name such as westeurope (got {location!r})")
    return location


def _as_list(path: str, value: Any) -> Any:
    if not isinstance(value, list):
        raise _fail(path, "a list", value)
    return tuple(value)


def _tags(config: _Config, environment: Environment, profile: str) -> Mapping[str, str]:
    raw = config.raw("tags")
    if raw is None:
        raise ConfigError(f"{_key('tags')} is required: an object with {', '.join(REQUIRED_TAGS)}")
    tags = _object("tags", raw, None)
    for name in REQUIRED_TAGS:
        value = tags.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{_key('tags')}.{name} is required (a non-empty string)")
    classification = tags["data-classification"]
    if classification not in {c.value for c in DataClassification}:
        raise _fail("tags.data-classification", f"one of {names(c.value for c in DataClassification)}", classification)
    if "environment" in tags and tags["environment"] != environment.value:
        raise _fail(
            "tags.environment", f"absent or equal to cdcml:environment ({environment.value})", tags["environment"]
        )
    for name, value in tags.items():
        if not isinstance(value, str):
            raise _fail(f"tags.{name}", "a string", value)
    return MappingProxyType({**tags, "environment": environment.value, "cdcml-profile": profile})


def _grants(sources: list[CdcSourceArgs], eventing: EventingArgs) -> Iterator[RoleGrant]:
    for source in sources:
        yield RoleGrant(
            principal=Principal.DATA_FACTORY,
            role=DataRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
            scope=GrantScope.LANDING_CONTAINER,
            target=source.source,
        )
        yield RoleGrant(
            principal=Principal.ML_WORKSPACE,
            role=DataRole.STORAGE_BLOB_DATA_READER,
            scope=GrantScope.LANDING_CONTAINER,
            target=source.source,
        )
    yield RoleGrant(
        principal=Principal.EVENT_GRID_TOPIC,
        role=DataRole.EVENT_HUBS_DATA_SENDER,
        scope=GrantScope.EVENT_HUB,
        target=HUB_NAME,
    )
    if eventing.consumers:
        yield RoleGrant(
            principal=Principal.ML_WORKSPACE,
            role=DataRole.EVENT_HUBS_DATA_RECEIVER,
            scope=GrantScope.EVENT_HUB,
            target=HUB_NAME,
        )
    if eventing.capture:
        yield RoleGrant(
            principal=Principal.EVENT_HUBS_NAMESPACE,
            role=DataRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
            scope=GrantScope.CAPTURE_CONTAINER,
            target=CAPTURE_CONTAINER,
        )
