"""The stack configuration of the reference program, and the plan built from it.

Every key lives under the ``cdcml:`` namespace (plus ``azure-native:location``); the
schema is ``config.schema.json`` (:mod:`cdcml.stacks.schema`), written once. :func:`plan_stack`
turns a stack's flat configuration (``{"cdcml:sources": "<json>"}``, as Pulumi hands it to
the program) into a :class:`SeedPlan` or a :class:`ReferencePlan` — the validated Args of
every component — before a single resource is declared:

1. keys: a ``cdcml:`` key the schema doesn't declare is a typo;
2. the profile (``seed`` reads nothing else);
3. the schema: the first bad value in the schema's order of keys and fields;
4. the rules that relate several values, in the order the components are planned: unique
   source names, no expiry under delta, the ``environment`` tag, and the rules of the
   components' Args (unique tables and consumers, Event Hubs tier limits, tag limits,
   CIDR blocks), whose fields are named by the key they came from.

A bad value raises :class:`~cdcml.errors.ConfigError` with one line that names the key
(``cdcml:sources[0].latencyMinutes must be an integer from 15 to 120 (got 5)``);
``cdcml preview`` turns it into exit code 2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, TypeVar

from cdcml.environments import environment_of
from cdcml.errors import ConfigError
from cdcml.inputs import load_json, shorten
from cdcml.stacks import schema
from cdcml.stacks._args import ArgsError
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
from cdcml.stacks.plan import ComponentNames, DataClassification, Environment, ReferencePlan, SeedPlan
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

NAMESPACE = schema.NAMESPACE
LOCATION_KEY = "azure-native:location"
_KEYS: Mapping[str, Any] = schema.SCHEMA["properties"]
PROFILES: tuple[str, ...] = tuple(_KEYS["cdcml:profile"]["enum"])
REQUIRED_TAGS: tuple[str, ...] = tuple(_KEYS["cdcml:tags"]["required"])
T = TypeVar("T")


CONFIG_SCHEMA: dict[str, tuple[str, ...]] = schema.key_fields()
"""Every ``cdcml:`` key and, for objects and lists of objects, the keys they accept
(``tags`` is a free mapping), as the schema declares them."""


# --------------------------------------------------------------------------- reading values


def _key(path: str) -> str:
    return f"{NAMESPACE}:{path}"


def _fail(path: str, allowed: str, value: Any = None, *, show: bool = True) -> ConfigError:
    got = f" (got {shorten(repr(value), 300)})" if show else ""
    return ConfigError(f"{_key(path)} must be {allowed}{got}")


class _StackValues:
    """A stack's configuration as Pulumi hands it to the program: flat, every value a
    string, structured values as JSON text."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values
        known = schema.config_keys()
        for full in values:
            if full.startswith(f"{NAMESPACE}:") and full not in known:
                raise ConfigError(schema.unknown_key_message(full, known, top_level=True))

    def decoded(self, key: str) -> Any:
        """The value of *key*: a ``cdcml:`` value JSON-decoded when it looks structured
        (else the string); another namespace's value as it is, ``""`` meaning unset.
        ``None`` when the key is unset."""
        text = self.values.get(key)
        if text is None or (text == "" and not key.startswith(f"{NAMESPACE}:")):
            return None
        if not key.startswith(f"{NAMESPACE}:"):
            return text
        stripped = text.strip()
        if stripped[:1] in ("{", "[") or stripped in ("true", "false") or _is_number(stripped):
            try:
                return load_json(stripped, name=key, error=ConfigError)
            except json.JSONDecodeError:
                raise ConfigError(f"{key} must be valid JSON (got {shorten(repr(text), 300)})") from None
        return text

    def profile(self, stack: str) -> str:
        """``cdcml:profile``, or the stack name when that is a profile."""
        value = self.decoded("cdcml:profile")
        if value is None:
            if stack not in PROFILES:
                raise ConfigError(f"{_key('profile')} is required")
            return stack
        error = schema.first_error({"cdcml:profile": value}, keys=("cdcml:profile",))
        if error:
            raise ConfigError(error)
        return str(value)

    def document(self) -> dict[str, Any]:
        """Every declared key, decoded, with the schema's defaults, and checked against
        the schema; raises the first error in schema order."""
        document: dict[str, Any] = {}
        undecodable: ConfigError | None = None
        before: str | None = None
        for key in schema.SCHEMA["properties"]:
            try:
                value = self.decoded(key)
            except ConfigError as e:
                # Not JSON: the error of this key, after those of the keys before it.
                undecodable, before = e, key
                break
            if value is not None:
                document[key] = value
        filled: dict[str, Any] = schema.with_defaults(schema.SCHEMA, document)
        error = schema.first_error(filled, given=document, before=before)
        if error:
            raise ConfigError(error)
        if undecodable:
            raise undecodable
        return filled


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", text))


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
    config = _StackValues(values)
    profile = config.profile(stack)
    if profile == "seed":
        return SeedPlan()
    return _Planner(config.document(), profile, project=project, stack=stack).plan()


def _section(document: Mapping[str, Any], key: str) -> dict[str, Any]:
    """An object key's value with the schema's defaults (``{}`` when unset)."""
    return schema.with_defaults(_KEYS[key], document.get(key, {}))


def _items(document: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """A list-of-objects key's items with the schema's defaults (``[]`` when unset)."""
    node = _KEYS[key]
    return [schema.with_defaults(node["items"], item) for item in document.get(key, node.get("default", []))]


class _Planner:
    """Builds the Args of every component of a reference profile from a document the
    schema accepts, applying the rules that relate several values, component by
    component (each ``_plan_*`` method plans one)."""

    def __init__(self, document: Mapping[str, Any], profile: str, *, project: str, stack: str) -> None:
        self.document = document
        self.profile = profile
        self.project = project
        self.stack = stack
        # By default the environment is what the guardrails derive from the stack name, so
        # the stack's `environment` tag and the pack's environment-aware policies agree.
        self.environment = Environment(document.get("cdcml:environment", environment_of(stack)))
        self.prefix: str = document.get("cdcml:prefix", _KEYS["cdcml:prefix"]["default"])
        self.location: str = document[LOCATION_KEY]
        self.names = ComponentNames(self.prefix)
        self.private: bool = document.get("cdcml:privateNetworking", _KEYS["cdcml:privateNetworking"]["default"])
        self.tags = self._tags()

    def plan(self) -> ReferencePlan:
        sources, feeds = self._plan_sources()
        event_cfg = _section(self.document, "cdcml:eventHubs")
        landing = self._plan_landing(sources, feeds, capture=event_cfg["capture"])
        ingestion, targets = self._plan_ingestion(sources, feeds, landing)
        eventing = self._plan_eventing(event_cfg)
        return ReferencePlan(
            profile=self.profile,
            environment=self.environment,
            location=self.location,
            resource_group_name=f"rg-{self.prefix}-{self.stack}",
            tags=self.tags,
            names=self.names,
            private_networking=self.private,
            sources=tuple(sources),
            landing=landing,
            ingestion=ingestion,
            targets=targets,
            eventing=eventing,
            ml=self._plan_ml(targets),
            network=self._plan_network(),
            observability=self._plan_observability(),
            identity=IdentityArgs(grants=tuple(_grants(sources, eventing))),
        )

    def _tags(self) -> Mapping[str, str]:
        tags = dict(self.document["cdcml:tags"])
        if "environment" in tags and tags["environment"] != self.environment.value:
            raise _fail(
                "tags.environment",
                f"absent or equal to cdcml:environment ({self.environment.value})",
                tags["environment"],
            )
        return MappingProxyType({**tags, "environment": self.environment.value, "cdcml-profile": self.profile})

    def _common(self) -> dict[str, Any]:
        return {"location": self.location, "tags": self.tags}

    def _plan_sources(self) -> tuple[list[CdcSourceArgs], list[CdcFeed]]:
        admin = _section(self.document, "cdcml:sqlAdmin")
        sources: list[CdcSourceArgs] = []
        feeds: list[CdcFeed] = []
        for i, item in enumerate(_items(self.document, "cdcml:sources")):
            path = f"sources[{i}]"
            if item["name"] in [s.source for s in sources]:
                raise _fail(f"{path}.name", "a source name not used before", item["name"])
            tables = tuple(item["tables"])
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
                    sku=item["sku"],
                    backup_redundancy=item["backupRedundancy"],
                    admin_login=admin["login"],
                    admin_object_id=admin["objectId"],
                    admin_principal_type=admin["principalType"],
                    public_network_access=not self.private,
                    **self._common(),
                )
            )
            feeds.append(
                _build(
                    path,
                    CdcFeed,
                    {"source": "name"},
                    source=item["name"],
                    tables=tables,
                    format=item["format"],
                    latency_minutes=item["latencyMinutes"],
                )
            )
        return sources, feeds

    def _plan_landing(self, sources: list[CdcSourceArgs], feeds: list[CdcFeed], *, capture: bool) -> LandingZoneArgs:
        cfg = _section(self.document, "cdcml:landing")
        landing = _build(
            "landing",
            LandingZoneArgs,
            {
                "containers": "/sources",
                "capture_container": "/eventHubs.capture",
                "public_network_access": "/privateNetworking",
            },
            containers=tuple(s.source for s in sources),
            sku=cfg["sku"],
            soft_delete_days=cfg["softDeleteDays"],
            cool_after_days=cfg["coolAfterDays"],
            delete_after_days=cfg["deleteAfterDays"],
            delete_lock=cfg["deleteLock"],
            capture_container=capture,
            public_network_access=not self.private,
            **self._common(),
        )
        if landing.delete_after_days and any(f.format is TargetFormat.DELTA for f in feeds):
            raise _fail(
                "landing.deleteAfterDays",
                "0 while a source writes delta (expiring files under a live Delta table corrupts it)",
                landing.delete_after_days,
            )
        return landing

    def _plan_ingestion(
        self, sources: list[CdcSourceArgs], feeds: list[CdcFeed], landing: LandingZoneArgs
    ) -> tuple[CdcIngestionArgs, tuple[CdcTarget, ...]]:
        cfg = _section(self.document, "cdcml:ingestion")
        git = None
        if "git" in cfg:
            git_cfg = schema.with_defaults(_KEYS["cdcml:ingestion"]["properties"]["git"], cfg["git"])
            git = _build(
                "ingestion.git",
                GitRepository,
                account_name=git_cfg["accountName"],
                repository_name=git_cfg["repositoryName"],
                collaboration_branch=git_cfg["collaborationBranch"],
                root_folder=git_cfg["rootFolder"],
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
            managed_virtual_network=self.private,
            public_network_access=not self.private,
            core_count=cfg["coreCount"],
            time_to_live_minutes=cfg["timeToLiveMinutes"],
            git=git,
            **self._common(),
        )
        targets = cdc_targets(
            ingestion,
            factory=CdcIngestion.factory_name_for(self.names.ingestion, project=self.project, stack=self.stack),
            account=LandingZone.account_name_for(self.names.landing, project=self.project, stack=self.stack),
            containers={s.source: s.source for s in sources},
            cdc_folder=landing.cdc_folder,
        )
        return ingestion, targets

    @property
    def _workspace_name(self) -> str:
        return f"{self.prefix}-ml"

    def _plan_eventing(self, cfg: Mapping[str, Any]) -> EventingArgs:
        consumers = [
            _build(f"mlConsumers[{i}]", MlConsumer, name=item["name"], purpose=item["purpose"])
            for i, item in enumerate(_items(self.document, "cdcml:mlConsumers"))
        ]
        return _build(
            "eventHubs",
            _eventing_args,
            {
                "consumers": "/mlConsumers",
                "public_network_access": "/privateNetworking",
                "consumer_workspace": "/prefix",
                "capture_size_mb": "captureSizeMb",
            },
            consumers=tuple(consumers),
            sku=cfg["sku"],
            capacity=cfg["capacity"],
            max_throughput_units=cfg["maxThroughputUnits"],
            partitions=cfg["partitions"],
            retention_hours=cfg["retentionHours"],
            capture=cfg["capture"],
            capture_interval_seconds=cfg["captureIntervalSeconds"],
            capture_size_mb=cfg["captureSizeMb"],
            zone_redundant=cfg["zoneRedundant"],
            public_network_access=not self.private,
            consumer_workspace=self._workspace_name,
            **self._common(),
        )

    def _plan_ml(self, targets: tuple[CdcTarget, ...]) -> MlConsumptionArgs:
        cfg = _section(self.document, "cdcml:ml")
        return _build(
            "ml",
            MlConsumptionArgs,
            {
                "assets": "/sources",
                "workspace_name": "/prefix",
                "public_network_access": "/privateNetworking",
                "managed_network": "/privateNetworking",
            },
            workspace_name=self._workspace_name,
            assets=targets,
            public_network_access=not self.private,
            managed_network=self.private,
            storage_sku=cfg["storageSku"],
            key_vault_retention_days=cfg["keyVaultRetentionDays"],
            legacy_datasets=cfg["legacyDatasets"],
            **self._common(),
        )

    def _plan_network(self) -> NetworkArgs | None:
        """The network's blocks are checked only when the stack is private (else unused)."""
        if not self.private:
            return None
        cfg = _section(self.document, "cdcml:network")
        return _build(
            "network",
            NetworkArgs,
            address_space=cfg["addressSpace"],
            private_endpoint_subnet=cfg["privateEndpointSubnet"],
            **self._common(),
        )

    def _plan_observability(self) -> ObservabilityArgs:
        cfg = _section(self.document, "cdcml:logs")
        return _build(
            "logs",
            ObservabilityArgs,
            retention_days=cfg["retentionDays"],
            daily_quota_gb=cfg["dailyQuotaGb"],
            **self._common(),
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
