"""A-08: the databases a CDC reads can run change data capture: an Azure SQL source is not
on a sub-core DTU tier, and a PostgreSQL source has ``wal_level = logical``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.pipeline import SOURCE, linked_services_of, pg_servers_of, sql_servers_of
from cdcml.policies.stack import Memo, Pending, Resources, StackIndex, depends_on, name_is, named, output, settled, sole
from cdcml.policies.vocabulary import as_str, equals_ci, one_of, shown, tag

__all__ = ["SUBCORE_SKUS", "cdc_require_source_prerequisites"]

SUBCORE_SKUS = ("Basic", "S0", "S1", "S2", "Free")
"""DOC-SQL-CDC: on the DTU model only S3 and above support CDC."""
SQL_TYPES = ("AzureSqlDatabase", "AzureSqlMI", "SqlServer")
PG_TYPES = ("AzurePostgreSql", "PostgreSqlV2", "PostgreSql")
_DATABASE = re.compile(r"(?:^|;)\s*(?:initial catalog|database)\s*=\s*([^;]+)", re.IGNORECASE)


def _database_name(ls: Any) -> str | None:
    name = as_str(output(ls, "properties.database"))
    if name:
        return name.strip()
    m = _DATABASE.search(as_str(output(ls, "properties.connectionString")) or "")
    return m.group(1).strip() if m else None


def _databases(ls: Any, databases: Sequence[Any], servers: Sequence[Any]) -> list[Any]:
    """The SQL databases a linked service reads. By name when the names are known; in
    preview, when the linked service depends on a server with a single database in the
    stack, that database."""
    deps = depends_on(ls, "properties", T.SQL_DATABASE)
    if deps:
        return deps
    try:
        return named(_database_name(ls), databases)
    except UnknownValueError:
        on_server: list[Any] = []
        of_ls: list[Any] | None = None  # read at the first database, as the scan did
        for db in databases:
            server = sole(db, "serverName", servers)
            if of_ls is None:
                of_ls = sql_servers_of(ls, servers)
            if server in of_ls:
                on_server.append(db)
        if len(on_server) == 1:
            return on_server
        raise


def _wal_logical(server: Any, servers: Sequence[Any], configurations: Resources) -> bool:
    """Whether a ``wal_level = logical`` Configuration targets *server*. A configuration
    whose name is unknown (preview) counts when its value is ``logical``, which only
    ``wal_level`` takes."""
    for cfg in configurations.under(server, "serverName", servers):
        value = output(cfg, "value")
        try:
            is_wal = name_is(cfg, "wal_level")
        except UnknownValueError:  # an unknown name (preview): the value decides
            is_wal = one_of(value, ("logical",))
        if is_wal and one_of(value, ("logical",)):
            return True
    return False


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    linked = index.of_type(T.LINKED_SERVICE)
    databases = index.of_type(T.SQL_DATABASE)
    sql_servers = index.of_type(T.SQL_SERVER)
    servers = index.of_type(T.PG_SERVER)
    configurations = index.of_type(T.PG_CONFIGURATION)
    pg_sources: dict[str, tuple[Any, str]] = {}
    sql = Memo(lambda ls: one_of(output(ls, "properties.type"), SQL_TYPES))
    databases_of = Memo(lambda ls: _databases(ls, databases, sql_servers))
    tier_of = Memo(lambda db: (output(db, "sku.name"), output(db, "sku.tier")))
    for cdc in index.of_type(T.CHANGE_DATA_CAPTURE):
        with pending.item():
            for i, _conn, services in linked_services_of(cdc, SOURCE, linked):
                for ls in services:
                    with pending.item():
                        if not sql(ls):
                            continue
                        for db in databases_of(ls):
                            sku, tier = tier_of(db)
                            if one_of(sku, SUBCORE_SKUS) or one_of(tier, ("Basic",)):
                                report_violation(
                                    f"The database is the source of CDC {cdc.name} ({SOURCE}[{i}], linked service "
                                    f"{ls.name}) but runs on the DTU tier {shown(sku, SUBCORE_SKUS)}; change data "
                                    "capture needs S3 or higher, or any vCore tier.",
                                    db.urn,
                                )
    for ls in linked:
        with pending.item():
            if one_of(output(ls, "properties.type"), PG_TYPES):
                for server in pg_servers_of(ls, servers):
                    pg_sources.setdefault(server.urn, (server, f"linked service {ls.name}"))
    for server in servers:
        with pending.item():
            if equals_ci(tag(settled(server), "cdc-source"), "true"):
                pg_sources.setdefault(server.urn, (server, "the cdc-source tag"))
    for server, why in pg_sources.values():
        with pending.item():
            if not _wal_logical(server, servers, configurations):
                report_violation(
                    f"The PostgreSQL server is a change data capture source ({why}) but no Configuration sets "
                    "wal_level to logical, so logical decoding and incremental capture can't start.",
                    server.urn,
                )
    pending.finish()


cdc_require_source_prerequisites = GuardrailStackPolicy(
    name="cdc-require-source-prerequisites",
    description="Every database a change data capture reads must meet the source prerequisites of change data capture.",
    validate=_validate,
    rule="A-08",
    layer="source",
    concern="dataflow",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Move an Azure SQL source to S3 or higher on the DTU model, or to any vCore tier; for a PostgreSQL flexible "
        "server source add a dbforpostgresql Configuration with configurationName wal_level and value logical."
    ),
    url="https://learn.microsoft.com/azure/azure-sql/database/change-data-capture-overview",
    framework=mcsb("AM-2"),
    resource_types=(T.CHANGE_DATA_CAPTURE, T.LINKED_SERVICE, T.SQL_DATABASE, T.PG_SERVER, T.PG_CONFIGURATION),
)
