"""CdcSource: the source database of one CDC feed, ready for change data capture.

An Azure SQL logical server with Microsoft Entra-only authentication (an Entra group is
the admin; there is no SQL login or password anywhere), TLS 1.2, outbound access
restricted, auditing to Azure Monitor, and one database on a service objective that
supports CDC (DTU S3 or higher, or any vCore tier: DTU Basic/S0/S1/S2 can't run
``sys.sp_cdc_enable_db``). In prod the server has no public network access; the CDC
reaches it through a Data Factory managed private endpoint and operators through the
stack's private endpoint.

Enabling CDC itself is T-SQL, not ARM: after ``pulumi up`` an admin runs
``EXEC sys.sp_cdc_enable_db`` and ``sys.sp_cdc_enable_table`` for each table, and
creates a contained user for the factory's managed identity (see docs/stacks.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
from pulumi_azure_native import authorization, sql

from cdcml.stacks._args import (
    ArgsError,
    check_bool,
    check_enum,
    check_location,
    check_pattern,
    check_tags,
    check_tuple,
    stack_unique_name,
)
from cdcml.stacks.wiring import DiagnosticTarget, PrivateLinkGroup, PrivateLinkTarget

__all__ = ["AdminPrincipalType", "BackupRedundancy", "CdcSource", "CdcSourceArgs", "SqlSku", "split_table"]

SOURCE_NAME = re.compile(r"^[a-z][a-z0-9]{2,23}$")
"""A source name: 3–24 lowercase letters and digits, starting with a letter. It names the
database, the landing container, the CDC and the ML data assets, so it must be valid for
all of them."""
TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}\.[A-Za-z_][A-Za-z0-9_]{0,127}$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ADMIN_LOGIN = re.compile(r"^[^\s'\"\\;]{1,128}$")
MAX_TABLES = 20


class SqlSku(StrEnum):
    """Azure SQL Database service objectives that support change data capture."""

    S3 = "S3"
    S4 = "S4"
    S6 = "S6"
    S7 = "S7"
    P1 = "P1"
    P2 = "P2"
    GP_GEN5_2 = "GP_Gen5_2"
    GP_GEN5_4 = "GP_Gen5_4"
    GP_GEN5_8 = "GP_Gen5_8"
    BC_GEN5_2 = "BC_Gen5_2"
    HS_GEN5_2 = "HS_Gen5_2"


_DTU_TIERS = {"S": "Standard", "P": "Premium"}
_VCORE_TIERS = {"GP": "GeneralPurpose", "BC": "BusinessCritical", "HS": "Hyperscale"}


def sku_args(sku: SqlSku) -> sql.SkuArgs:
    """The ARM ``sku`` of a service objective (vCore SKUs are name, family and capacity)."""
    if "_" not in sku.value:
        return sql.SkuArgs(name=sku.value, tier=_DTU_TIERS[sku.value[0]])
    edition, family, cores = sku.value.split("_")
    return sql.SkuArgs(name=f"{edition}_{family}", tier=_VCORE_TIERS[edition], family=family, capacity=int(cores))


class AdminPrincipalType(StrEnum):
    """What the server's Entra admin is (a group is recommended)."""

    GROUP = "Group"
    USER = "User"
    APPLICATION = "Application"


class BackupRedundancy(StrEnum):
    """Storage redundancy of the database's backups."""

    LOCAL = "Local"
    ZONE = "Zone"
    GEO = "Geo"
    GEO_ZONE = "GeoZone"


def split_table(table: str) -> tuple[str, str]:
    """``"dbo.Orders"`` → ``("dbo", "Orders")``."""
    schema, name = table.split(".", 1)
    return schema, name


@dataclass(frozen=True, kw_only=True)
class CdcSourceArgs:
    """A CDC source database. ``tables`` are ``schema.table`` names, captured in order."""

    source: str
    tables: tuple[str, ...]
    admin_login: str
    admin_object_id: str
    location: str
    admin_principal_type: AdminPrincipalType = AdminPrincipalType.GROUP
    sku: SqlSku = SqlSku.S3
    public_network_access: bool = False
    backup_redundancy: BackupRedundancy = BackupRedundancy.GEO
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_pattern(self, "source", SOURCE_NAME, "3 to 24 lowercase letters or digits, starting with a letter")
        tables = check_tuple(self, "tables", 1, MAX_TABLES)
        seen: set[str] = set()
        for i, table in enumerate(tables):
            check_pattern(self, f"tables[{i}]", TABLE, "a schema-qualified table name such as dbo.orders", table)
            if table.casefold() in seen:
                raise ArgsError(type(self).__name__, f"tables[{i}]", "a table not listed before", table)
            seen.add(table.casefold())
        check_pattern(
            self, "admin_login", ADMIN_LOGIN, "the Entra admin's display name (1 to 128 characters, no quotes)"
        )
        check_pattern(self, "admin_object_id", GUID, "the Entra object id (a GUID) of the admin")
        check_enum(self, "admin_principal_type", AdminPrincipalType)
        check_enum(self, "sku", SqlSku)
        check_bool(self, "public_network_access")
        check_enum(self, "backup_redundancy", BackupRedundancy)
        check_location(self)
        check_tags(self)


class CdcSource(pulumi.ComponentResource):
    """An Entra-only Azure SQL server and a CDC-capable database (``cdcml:stacks:CdcSource``)."""

    server_name: str
    database_name: str
    fqdn: str
    server_id: pulumi.Output[str]
    database_id: pulumi.Output[str]
    private_link_targets: tuple[PrivateLinkTarget, ...]
    diagnostic_targets: tuple[DiagnosticTarget, ...]

    def __init__(
        self,
        name: str,
        args: CdcSourceArgs,
        *,
        resource_group_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("cdcml:stacks:CdcSource", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.server_name = stack_unique_name(name, "sql", max_length=63)
        self.database_name = args.source
        self.fqdn = f"{self.server_name}.database.windows.net"
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))

        server = self._declare_server(name, args, resource_group_name, client, child)
        database = sql.Database(
            f"{name}-database",
            resource_group_name=resource_group_name,
            server_name=server.name,
            database_name=self.database_name,
            location=args.location,
            sku=sku_args(args.sku),
            requested_backup_storage_redundancy=sql.BackupStorageRedundancy(args.backup_redundancy.value),
            tags=tags,
            opts=child,
        )
        sql.ServerBlobAuditingPolicy(
            f"{name}-auditing",
            resource_group_name=resource_group_name,
            server_name=server.name,
            blob_auditing_policy_name="default",
            state=sql.BlobAuditingPolicyState.ENABLED,
            is_azure_monitor_target_enabled=True,
            audit_actions_and_groups=[
                "SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP",
                "FAILED_DATABASE_AUTHENTICATION_GROUP",
                "BATCH_COMPLETED_GROUP",
            ],
            opts=child,
        )
        if args.public_network_access:
            # With public access on, Data Factory's Azure integration runtime reaches the
            # server through "Allow Azure services" (the 0.0.0.0 rule); nothing else is open.
            sql.FirewallRule(
                f"{name}-allow-azure-services",
                resource_group_name=resource_group_name,
                server_name=server.name,
                firewall_rule_name="AllowAllWindowsAzureIps",
                start_ip_address="0.0.0.0",
                end_ip_address="0.0.0.0",
                opts=child,
            )

        self.server_id = server.id
        self.database_id = database.id
        self.private_link_targets = (PrivateLinkTarget(f"{args.source}-sql", server.id, PrivateLinkGroup.SQL_SERVER),)
        self.diagnostic_targets = (
            DiagnosticTarget(f"{args.source}-database", database.id, metric_categories=("Basic",)),
            # Server audit events reach Azure Monitor through the master database.
            DiagnosticTarget(
                f"{args.source}-audit",
                server.id.apply(lambda sid: f"{sid}/databases/master"),
                log_groups=(),
                log_categories=("SQLSecurityAuditEvents",),
                metric_categories=(),
            ),
        )
        self.register_outputs(
            {
                "serverName": self.server_name,
                "serverId": server.id,
                "databaseName": self.database_name,
                "databaseId": database.id,
                "fqdn": self.fqdn,
            }
        )

    def _declare_server(
        self,
        name: str,
        args: CdcSourceArgs,
        resource_group_name: pulumi.Input[str],
        client: pulumi.Output[authorization.GetClientConfigResult],
        child: pulumi.ResourceOptions,
    ) -> sql.Server:
        """The logical server: Entra-only with the group admin, TLS 1.2, outbound restricted."""
        return sql.Server(
            f"{name}-server",
            resource_group_name=resource_group_name,
            server_name=self.server_name,
            location=args.location,
            version="12.0",
            minimal_tls_version=sql.MinimalTlsVersion.MINIMAL_TLS_VERSION_1_2,
            public_network_access=(
                sql.ServerPublicNetworkAccessFlag.ENABLED
                if args.public_network_access
                else sql.ServerPublicNetworkAccessFlag.DISABLED
            ),
            restrict_outbound_network_access=sql.ServerNetworkAccessFlag.ENABLED,
            identity=sql.ResourceIdentityArgs(type=sql.IdentityType.SYSTEM_ASSIGNED),
            administrators=sql.ServerExternalAdministratorArgs(
                administrator_type=sql.AdministratorType.ACTIVE_DIRECTORY,
                azure_ad_only_authentication=True,
                login=args.admin_login,
                sid=args.admin_object_id,
                principal_type=sql.PrincipalType(args.admin_principal_type.value),
                tenant_id=client.tenant_id,
            ),
            tags=dict(args.tags),
            opts=child,
        )
