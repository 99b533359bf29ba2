"""CdcIngestion: a Data Factory that runs one ChangeDataCapture per CDC source.

The factory has a system-assigned managed identity and every linked service
authenticates with it: the Azure SQL sources with ``SystemAssignedManagedIdentity``
(encrypted, server certificate verified), the ADLS Gen2 landing zone with the factory
identity (an ``AzureBlobFS`` linked service with only a ``url``). No linked service holds
a key, password, SAS or connection string, so there is nothing to put in Key Vault.

With ``managed_virtual_network`` the factory's ``default`` managed virtual network (a
generic ARM resource: azure-native 3.x has no typed one), an Azure integration runtime
in it, and managed private endpoints to every store (``sqlServer`` per source, ``dfs``
and ``blob`` on the landing account) keep data flow traffic off the internet; the
endpoints are approved on the target side after ``pulumi up``.

Each ChangeDataCapture reads the source's tables with native SQL CDC (net changes) and
writes them, in mode ``Microbatch`` at the configured latency, as an inline delta or
parquet dataset to ``<container>/<cdc folder>/<schema>/<table>`` of the source's landing
container: one folder per source entity. CDCs are created ``Stopped`` (starting one is a
runtime action, not ARM state); the release pipeline starts them, which the factory's
``cdc-start: external`` tag records.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
from pulumi_azure_native import datafactory, resources

from cdcml.stacks._args import (
    ArgsError,
    check_bool,
    check_enum,
    check_int,
    check_location,
    check_pattern,
    check_tags,
    check_tuple,
    names,
    stack_unique_name,
)
from cdcml.stacks.cdc_source import MAX_TABLES, SOURCE_NAME, TABLE, CdcSource, split_table
from cdcml.stacks.landing_zone import CONTAINER, LandingZone
from cdcml.stacks.wiring import DiagnosticTarget, PrivateLinkGroup, PrivateLinkTarget, principal_id

__all__ = [
    "LATENCY_MINUTES",
    "CdcFeed",
    "CdcIngestion",
    "CdcIngestionArgs",
    "CdcTarget",
    "GitRepository",
    "TargetFormat",
    "cdc_name",
    "cdc_targets",
    "target_folder",
]

LATENCY_MINUTES = (15, 120)
"""The latency a Microbatch CDC may run at, in minutes (ADF Studio offers 15, 30, 60 and
120; below 15 each wake-up bills a data flow cluster for little gain)."""
CORE_COUNTS = (8, 16, 32)
MANAGED_VNET = "default"
GITHUB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
REPOSITORY = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
BRANCH = re.compile(r"^[A-Za-z0-9._/-]{1,100}$")
ROOT_FOLDER = re.compile(r"^/[A-Za-z0-9._/-]{0,200}$")
STORAGE_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
TARGET_FOLDER = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*$")
FACTORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{1,61})[A-Za-z0-9]$")
ADF_ENTITY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,259}$")


class TargetFormat(StrEnum):
    """The file format the CDC writes to the landing zone."""

    DELTA = "delta"
    PARQUET = "parquet"


@dataclass(frozen=True, kw_only=True)
class CdcFeed:
    """One source's CDC: which tables, in which format, how often."""

    source: str
    tables: tuple[str, ...]
    format: TargetFormat = TargetFormat.DELTA
    latency_minutes: int = 15

    def __post_init__(self) -> None:
        check_pattern(self, "source", SOURCE_NAME, "3 to 24 lowercase letters or digits, starting with a letter")
        tables = check_tuple(self, "tables", 1, MAX_TABLES)
        for i, table in enumerate(tables):
            check_pattern(self, f"tables[{i}]", TABLE, "a schema-qualified table name such as dbo.orders", table)
        folders = [target_folder("cdc", t) for t in tables]
        if len(set(folders)) != len(folders):
            raise ArgsError(type(self).__name__, "tables", "tables whose lowercase names differ", tables)
        check_enum(self, "format", TargetFormat)
        check_int(self, "latency_minutes", *LATENCY_MINUTES)

    @property
    def recurrence(self) -> tuple[datafactory.FrequencyType, int]:
        """``(frequency, interval)`` of the latency: whole hours as ``Hour``, else ``Minute``."""
        if self.latency_minutes % 60 == 0:
            return datafactory.FrequencyType.HOUR, self.latency_minutes // 60
        return datafactory.FrequencyType.MINUTE, self.latency_minutes


@dataclass(frozen=True, kw_only=True)
class GitRepository:
    """The GitHub repository a development factory is authored in."""

    account_name: str
    repository_name: str
    collaboration_branch: str = "main"
    root_folder: str = "/adf"

    def __post_init__(self) -> None:
        check_pattern(self, "account_name", GITHUB_NAME, "a GitHub organisation or user name")
        check_pattern(self, "repository_name", REPOSITORY, "a GitHub repository name")
        check_pattern(self, "collaboration_branch", BRANCH, "a branch name")
        check_pattern(self, "root_folder", ROOT_FOLDER, "a folder path starting with '/'")


@dataclass(frozen=True, kw_only=True)
class CdcIngestionArgs:
    """The factory and its CDCs. ``feeds`` name sources that have a CdcSource and a
    landing container of the same name."""

    feeds: tuple[CdcFeed, ...]
    location: str
    managed_virtual_network: bool = True
    public_network_access: bool = False
    core_count: int = 8
    time_to_live_minutes: int = 10
    git: GitRepository | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        feeds = check_tuple(self, "feeds", 1, 8)
        for i, feed in enumerate(feeds):
            if not isinstance(feed, CdcFeed):
                raise ArgsError(type(self).__name__, f"feeds[{i}]", "a CdcFeed", feed)
            if feed.source in [f.source for f in feeds[:i]]:
                raise ArgsError(type(self).__name__, f"feeds[{i}].source", "a source not listed before", feed.source)
        check_location(self)
        check_bool(self, "managed_virtual_network")
        check_bool(self, "public_network_access")
        if self.core_count not in CORE_COUNTS or isinstance(self.core_count, bool):
            raise ArgsError(
                type(self).__name__, "core_count", f"one of {names(map(str, CORE_COUNTS))}", self.core_count
            )
        check_int(self, "time_to_live_minutes", 0, 60)
        if self.git is not None and not isinstance(self.git, GitRepository):
            raise ArgsError(type(self).__name__, "git", "a GitRepository or None", self.git)
        check_tags(self)


@dataclass(frozen=True, kw_only=True)
class CdcTarget:
    """Where a CDC writes one source entity (``account``/``filesystem``/``folder``): the
    path the ML data asset must read. ``factory`` and ``change_data_capture`` name the
    writer, for lineage."""

    source: str
    table: str
    account: str
    filesystem: str
    folder: str
    format: TargetFormat
    factory: str
    change_data_capture: str

    def __post_init__(self) -> None:
        check_pattern(self, "source", SOURCE_NAME, "3 to 24 lowercase letters or digits, starting with a letter")
        check_pattern(self, "table", TABLE, "a schema-qualified table name such as dbo.orders")
        check_pattern(self, "account", STORAGE_ACCOUNT, "a storage account name: 3 to 24 lowercase letters or digits")
        check_pattern(self, "filesystem", CONTAINER, "a container name: 3 to 63 lowercase letters, digits or '-'")
        check_pattern(self, "folder", TARGET_FOLDER, "a relative folder path such as cdc/dbo/orders")
        check_enum(self, "format", TargetFormat)
        check_pattern(self, "factory", FACTORY, "a Data Factory name")
        check_pattern(self, "change_data_capture", ADF_ENTITY, "a Data Factory entity name (letters, digits, '_')")

    @property
    def asset_name(self) -> str:
        """The ML data asset that reads this target: ``<source>-<schema>-<table>``."""
        schema, name = split_table(self.table)
        return f"{self.source}-{schema}-{name}".lower()


def target_folder(cdc_folder: str, table: str) -> str:
    """The landing folder of a source entity: ``<cdc folder>/<schema>/<table>``, lowercase."""
    schema, name = split_table(table)
    return f"{cdc_folder}/{schema.lower()}/{name.lower()}"


def cdc_targets(
    args: CdcIngestionArgs, *, factory: str, account: str, containers: Mapping[str, str], cdc_folder: str
) -> tuple[CdcTarget, ...]:
    """Where the CDCs of *args* write, one target per source entity, in feed and table order."""
    return tuple(
        CdcTarget(
            source=feed.source,
            table=table,
            account=account,
            filesystem=containers[feed.source],
            folder=target_folder(cdc_folder, table),
            format=feed.format,
            factory=factory,
            change_data_capture=cdc_name(feed.source),
        )
        for feed in args.feeds
        for table in feed.tables
    )


def cdc_name(source: str) -> str:
    """The ChangeDataCapture of a source (ADF entity names allow letters, digits and '_')."""
    return f"{source}_cdc"


def _dsl(**props: object) -> list[datafactory.MapperDslConnectorPropertiesArgs]:
    return [datafactory.MapperDslConnectorPropertiesArgs(name=k, value=v) for k, v in props.items()]


def _inline_connection(
    linked_service: pulumi.Input[str], linked_service_type: str, **dsl: object
) -> datafactory.MapperConnectionArgs:
    """A CDC connection through *linked_service* with an inline dataset that follows
    schema drift; *dsl* adds the connector's own properties."""
    return datafactory.MapperConnectionArgs(
        type=datafactory.ConnectionType.LINKEDSERVICETYPE,
        linked_service=datafactory.LinkedServiceReferenceArgs(
            reference_name=linked_service, type=datafactory.Type.LINKED_SERVICE_REFERENCE
        ),
        linked_service_type=linked_service_type,
        is_inline_dataset=True,
        common_dsl_connector_properties=_dsl(allowSchemaDrift=True, inferDriftedColumnTypes=True, **dsl),
    )


class CdcIngestion(pulumi.ComponentResource):
    """A Data Factory with managed identity and one ChangeDataCapture per source
    (``cdcml:stacks:CdcIngestion``)."""

    factory_name: str
    factory_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    change_data_captures: dict[str, str]
    targets: tuple[CdcTarget, ...]
    private_link_targets: tuple[PrivateLinkTarget, ...]
    diagnostic_targets: tuple[DiagnosticTarget, ...]

    @staticmethod
    def factory_name_for(name: str, *, project: str | None = None, stack: str | None = None) -> str:
        """The Data Factory name of the CdcIngestion *name* in a stack (default: the
        running one)."""
        return stack_unique_name(name, "adf", max_length=63, project=project, stack=stack)

    def __init__(
        self,
        name: str,
        args: CdcIngestionArgs,
        *,
        resource_group_name: pulumi.Input[str],
        landing: LandingZone,
        sources: Mapping[str, CdcSource],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        for i, feed in enumerate(args.feeds):
            if feed.source not in sources or feed.source not in landing.containers:
                raise ArgsError(
                    type(args).__name__,
                    f"feeds[{i}].source",
                    "a source with a CdcSource and a landing container",
                    feed.source,
                )
        super().__init__("cdcml:stacks:CdcIngestion", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.factory_name = self.factory_name_for(name)
        factory = self._declare_factory(name, args, resource_group_name, child)
        runtime = None
        if args.managed_virtual_network:
            runtime = self._declare_managed_network(name, args, resource_group_name, factory, landing, sources, child)
        landing_service = datafactory.LinkedService(
            f"{name}-landing-link",
            resource_group_name=resource_group_name,
            factory_name=factory.name,
            linked_service_name="landing_adls",
            properties=datafactory.AzureBlobFSLinkedServiceArgs(
                type="AzureBlobFS",
                url=landing.dfs_url,
                description="ADLS Gen2 landing zone; authenticates with the factory's managed identity.",
                connect_via=runtime,
            ),
            opts=child,
        )
        self.change_data_captures = {}
        for feed in args.feeds:
            self.change_data_captures[feed.source] = self._declare_feed(
                name, feed, resource_group_name, factory, sources[feed.source], landing, landing_service, runtime, child
            )

        self.targets = cdc_targets(
            args,
            factory=self.factory_name,
            account=landing.account_name,
            containers=landing.containers,
            cdc_folder=landing.cdc_folder,
        )
        self.factory_id = factory.id
        self.principal_id = principal_id(factory.identity)
        self.private_link_targets = (PrivateLinkTarget("factory", factory.id, PrivateLinkGroup.DATA_FACTORY),)
        self.diagnostic_targets = (DiagnosticTarget("factory", factory.id),)
        self.register_outputs(
            {
                "factoryName": self.factory_name,
                "factoryId": factory.id,
                "principalId": self.principal_id,
                "changeDataCaptures": self.change_data_captures,
            }
        )

    def _declare_factory(
        self, name: str, args: CdcIngestionArgs, resource_group_name: pulumi.Input[str], child: pulumi.ResourceOptions
    ) -> datafactory.Factory:
        """The factory: system identity, Git authoring when asked, tagged ``cdc-start: external``."""
        return datafactory.Factory(
            f"{name}-factory",
            resource_group_name=resource_group_name,
            factory_name=self.factory_name,
            location=args.location,
            identity=datafactory.FactoryIdentityArgs(type=datafactory.FactoryIdentityType.SYSTEM_ASSIGNED),
            public_network_access=(
                datafactory.PublicNetworkAccess.ENABLED
                if args.public_network_access
                else datafactory.PublicNetworkAccess.DISABLED
            ),
            repo_configuration=(
                datafactory.FactoryGitHubConfigurationArgs(
                    type="FactoryGitHubConfiguration",
                    account_name=args.git.account_name,
                    repository_name=args.git.repository_name,
                    collaboration_branch=args.git.collaboration_branch,
                    root_folder=args.git.root_folder,
                )
                if args.git is not None
                else None
            ),
            tags={**args.tags, "cdc-start": "external"},
            opts=child,
        )

    @staticmethod
    def _declare_managed_network(
        name: str,
        args: CdcIngestionArgs,
        resource_group_name: pulumi.Input[str],
        factory: datafactory.Factory,
        landing: LandingZone,
        sources: Mapping[str, CdcSource],
        child: pulumi.ResourceOptions,
    ) -> datafactory.IntegrationRuntimeReferenceArgs:
        """The factory's managed VNet, the Azure IR in it and the managed private endpoints
        to every source server and the landing account; returns the IR to connect via."""
        vnet = resources.Resource(
            f"{name}-managed-vnet",
            resource_group_name=resource_group_name,
            resource_provider_namespace="Microsoft.DataFactory",
            parent_resource_path=factory.name.apply(lambda n: f"factories/{n}"),
            resource_type="managedVirtualNetworks",
            resource_name_=MANAGED_VNET,
            api_version="2018-06-01",
            properties={},
            opts=child,
        )
        ir = datafactory.IntegrationRuntime(
            f"{name}-runtime",
            resource_group_name=resource_group_name,
            factory_name=factory.name,
            integration_runtime_name="cdc-managed-vnet-ir",
            properties=datafactory.ManagedIntegrationRuntimeArgs(
                type="Managed",
                description="Azure integration runtime in the factory's managed virtual network (CDC data flows).",
                managed_virtual_network=datafactory.ManagedVirtualNetworkReferenceArgs(
                    reference_name=vnet.name,
                    type=datafactory.ManagedVirtualNetworkReferenceType.MANAGED_VIRTUAL_NETWORK_REFERENCE,
                ),
                compute_properties=datafactory.IntegrationRuntimeComputePropertiesArgs(
                    location="AutoResolve",
                    data_flow_properties=datafactory.IntegrationRuntimeDataFlowPropertiesArgs(
                        compute_type=datafactory.DataFlowComputeType.GENERAL,
                        core_count=args.core_count,
                        time_to_live=args.time_to_live_minutes,
                        cleanup=True,
                    ),
                ),
            ),
            opts=child,
        )
        runtime = datafactory.IntegrationRuntimeReferenceArgs(
            reference_name=ir.name,
            type=datafactory.IntegrationRuntimeReferenceType.INTEGRATION_RUNTIME_REFERENCE,
        )
        endpoints: list[tuple[str, pulumi.Input[str], PrivateLinkGroup]] = [
            (f"{feed.source}-sql", sources[feed.source].server_id, PrivateLinkGroup.SQL_SERVER) for feed in args.feeds
        ]
        endpoints += [
            ("landing-dfs", landing.account_id, PrivateLinkGroup.DFS),
            ("landing-blob", landing.account_id, PrivateLinkGroup.BLOB),
        ]
        for role, resource_id, group in endpoints:
            datafactory.ManagedPrivateEndpoint(
                f"{name}-{role}-endpoint",
                resource_group_name=resource_group_name,
                factory_name=factory.name,
                managed_virtual_network_name=vnet.name,
                managed_private_endpoint_name=role,
                properties=datafactory.ManagedPrivateEndpointArgs(
                    private_link_resource_id=resource_id, group_id=group.value
                ),
                opts=child,
            )
        return runtime

    @staticmethod
    def _declare_feed(
        name: str,
        feed: CdcFeed,
        resource_group_name: pulumi.Input[str],
        factory: datafactory.Factory,
        source: CdcSource,
        landing: LandingZone,
        landing_service: datafactory.LinkedService,
        runtime: datafactory.IntegrationRuntimeReferenceArgs | None,
        child: pulumi.ResourceOptions,
    ) -> str:
        """One source's linked service and its ChangeDataCapture; returns the CDC's name."""
        source_service = datafactory.LinkedService(
            f"{name}-{feed.source}-link",
            resource_group_name=resource_group_name,
            factory_name=factory.name,
            linked_service_name=f"{feed.source}_sql",
            properties=datafactory.AzureSqlDatabaseLinkedServiceArgs(
                type="AzureSqlDatabase",
                version="2.0",
                server=source.fqdn,
                database=source.database_name,
                authentication_type=datafactory.AzureSqlDatabaseAuthenticationType.SYSTEM_ASSIGNED_MANAGED_IDENTITY,
                encrypt="mandatory",
                trust_server_certificate=False,
                description=f"CDC source {feed.source}; authenticates with the factory's managed identity.",
                connect_via=runtime,
            ),
            opts=child,
        )
        change_data_capture = cdc_name(feed.source)
        container = landing.containers[feed.source]
        frequency, interval = feed.recurrence
        source_entities, target_entities, mappings = _entity_mappings(
            feed, container, landing.cdc_folder, source_service.name
        )
        datafactory.ChangeDataCapture(
            f"{name}-{feed.source}-cdc",
            resource_group_name=resource_group_name,
            factory_name=factory.name,
            change_data_capture_name=change_data_capture,
            description=f"Native SQL CDC of {feed.source} into {container}/{landing.cdc_folder}/ as {feed.format}.",
            folder=datafactory.ChangeDataCaptureFolderArgs(name="cdcml"),
            policy=datafactory.MapperPolicyArgs(
                mode="Microbatch",
                recurrence=datafactory.MapperPolicyRecurrenceArgs(frequency=frequency, interval=interval),
            ),
            source_connections_info=[
                datafactory.MapperSourceConnectionsInfoArgs(
                    connection=_inline_connection(
                        source_service.name,
                        "AzureSqlDatabase",
                        format="table",
                        store="sqlserver",
                        skipInitialLoad=False,
                    ),
                    source_entities=source_entities,
                )
            ],
            target_connections_info=[
                datafactory.MapperTargetConnectionsInfoArgs(
                    connection=_inline_connection(landing_service.name, "AzureBlobFS", format=feed.format.value),
                    target_entities=target_entities,
                    data_mapper_mappings=mappings,
                )
            ],
            allow_v_net_override=False,
            status="Stopped",
            opts=child,
        )
        return change_data_capture


def _entity_mappings(
    feed: CdcFeed, container: str, cdc_folder: str, source_service: pulumi.Input[str]
) -> tuple[
    list[datafactory.MapperTableArgs], list[datafactory.MapperTableArgs], list[datafactory.DataMapperMappingArgs]
]:
    """A feed's source tables, their landing folders ``<container>/<cdc folder>/<schema>/<table>``
    and the mapping of one to the other, in table order."""
    mappings: list[datafactory.DataMapperMappingArgs] = []
    source_entities: list[datafactory.MapperTableArgs] = []
    target_entities: list[datafactory.MapperTableArgs] = []
    for table in feed.tables:
        schema, table_name = split_table(table)
        folder = target_folder(cdc_folder, table)
        target_entity = f"{container}/{folder}"
        source_entities.append(
            datafactory.MapperTableArgs(
                name=table,
                dsl_connector_properties=_dsl(
                    schemaName=schema, tableName=table_name, enableNativeCdc=True, netChanges=True
                ),
            )
        )
        target_entities.append(
            datafactory.MapperTableArgs(
                name=target_entity,
                dsl_connector_properties=_dsl(container=container, fileSystem=container, folderPath=folder),
            )
        )
        mappings.append(
            datafactory.DataMapperMappingArgs(
                source_entity_name=table,
                target_entity_name=target_entity,
                source_connection_reference=datafactory.MapperConnectionReferenceArgs(
                    connection_name=source_service, type=datafactory.ConnectionType.LINKEDSERVICETYPE
                ),
            )
        )
    return source_entities, target_entities, mappings
