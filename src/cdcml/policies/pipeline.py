"""The shape of the CDC→ML pipeline, in the vocabulary policies share.

How a ChangeDataCapture's connections, tables and DSL properties are laid out
(rule-catalogue §5.1), and the joins stack policies make along the pipeline: CDC →
LinkedService (by ``referenceName`` within the factory) → storage account / database,
and the landing paths (account, filesystem, folder) a CDC writes and ML reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.stack import StackIndex, any_known, depends_on, name_is, named, output, sole
from cdcml.policies.vocabulary import MISSING, as_str, get, listed, name_value, one_of

__all__ = [
    "SOURCE",
    "TARGET",
    "LandingPath",
    "Store",
    "connections",
    "entity_value",
    "landing_paths",
    "linked_services_of",
    "path_within",
    "pg_servers_of",
    "public_access_disabled",
    "sql_servers_of",
    "storage_account_name",
    "storage_accounts_of",
    "stores_of",
    "tables",
    "vault_name",
    "vaults_of",
]

SOURCE = "sourceConnectionsInfo"
TARGET = "targetConnectionsInfo"

FILE_FORMATS = ("avro", "delimited", "delimitedtext", "json", "orc", "parquet", "xml", "delta")


def connections(props: Any, key: str) -> list[Any]:
    """The source (``SOURCE``) or target (``TARGET``) connections of a CDC."""
    return listed(get(props, key))


def tables(connection: Any, key: str) -> list[Any]:
    """The source or target entities (tables) of one connection."""
    return listed(get(connection, "sourceEntities" if key == SOURCE else "targetEntities"))


def entity_value(connection: Any, table: Any, name: str) -> Any:
    """A DSL connector property of a table: the table's own value, else the connection's
    common one."""
    value = name_value(get(table, "dslConnectorProperties"), name)
    if value is MISSING:
        value = name_value(get(connection, "connection.commonDslConnectorProperties"), name)
    return value


def linked_services_of(cdc: Any, key: str, linked_services: Sequence[Any]) -> list[tuple[int, Any, list[Any]]]:
    """Per connection of a CDC: ``(index, connection, the LinkedService resources it uses)``.

    A CDC names its linked service by ``referenceName``; a program that passes the
    LinkedService's ``name`` output leaves that unknown in preview, but then the CDC's
    property dependencies name the LinkedService. Raises ``UnknownValueError`` when
    neither decides."""
    conns = connections(cdc.props, key)
    deps = depends_on(cdc, key, T.LINKED_SERVICE)
    out: list[tuple[int, Any, list[Any]]] = []
    for i, conn in enumerate(conns):
        if len(conns) == 1 and deps:
            out.append((i, conn, deps))
            continue
        ref = get(conn, "connection.linkedService.referenceName")
        out.append((i, conn, named(ref, linked_services)))
    return out


_ACCOUNT_HOST = re.compile(
    r"^(?:https?|abfss?|wasbs?)://(?:[^@/]+@)?(?P<account>[a-z0-9]{3,24})\.(?:dfs|blob)\.core\.", re.IGNORECASE
)


def storage_account_name(url: Any) -> str | None:
    """The storage account of an ADLS/Blob URL (``https://acct.dfs.core.windows.net``,
    ``abfss://fs@acct.dfs.core.windows.net/path``)."""
    text = as_str(url)
    if text is None:
        return None
    m = _ACCOUNT_HOST.match(text.strip())
    return m.group("account") if m else None


def storage_accounts_of(linked_service: Any, accounts: Sequence[Any]) -> list[Any]:
    """The storage accounts an ADLS Gen2 / Blob linked service points at: through its
    property dependencies, else by the account name in its ``url``/``serviceEndpoint``."""
    deps = [a for a in depends_on(linked_service, "properties", T.STORAGE_ACCOUNT) if a in accounts]
    if deps:
        return deps
    for path in ("properties.url", "properties.serviceEndpoint", "properties.containerUri"):
        name = storage_account_name(output(linked_service, path))
        if name is not None:
            return named(name, accounts)
    return []


@dataclass(frozen=True)
class LandingPath:
    """Where one CDC target table lands: a storage account (resolved resources),
    filesystem and folder."""

    cdc: Any
    connection: int
    table: int
    accounts: tuple[Any, ...]
    account_name: str | None
    filesystem: str
    folder: str

    def same_account(self, resources: Sequence[Any], name: str | None) -> bool:
        """Whether a storage account given as *resources* (a join's result) or *name* (a
        literal) is this path's. With neither side known for certain, compare what is known;
        raises ``UnknownValueError`` when only an unknown name could decide."""
        if self.accounts and resources:
            return any(a in self.accounts for a in resources)
        if self.account_name and name:
            return self.account_name.casefold() == name.casefold()
        if self.accounts and name:
            return any_known(self.accounts, lambda a: name_is(a, name))
        if resources and self.account_name:
            wanted = self.account_name
            return any_known(resources, lambda a: name_is(a, wanted))
        return not self.accounts and not self.account_name

    def account_resources(self, accounts: Sequence[Any]) -> tuple[Any, ...]:
        """The landing account among the stack's *accounts* (none when it lives outside the
        stack); raises ``UnknownValueError`` when only an unknown name could tell."""
        if self.accounts or not self.account_name:
            return self.accounts
        return tuple(named(self.account_name, accounts))


def path_within(path: str, folder: str) -> bool:
    """Whether blob *path* is *folder* or lies under it (``/``-normalized, case-sensitive
    as ADLS paths are)."""
    p = "/".join(s for s in path.split("/") if s)
    f = "/".join(s for s in folder.split("/") if s)
    return not f or p == f or p.startswith(f + "/")


def landing_paths(cdc: Any, linked_services: Sequence[Any], accounts: Sequence[Any]) -> list[LandingPath]:
    """The ADLS Gen2 landing paths of a CDC's targets (targets of other types are skipped)."""
    out: list[LandingPath] = []
    for i, conn, services in linked_services_of(cdc, TARGET, linked_services):
        if (as_str(get(conn, "connection.linkedServiceType")) or "").casefold() != "azureblobfs":
            continue
        resolved: list[Any] = []
        name: str | None = None
        for ls in services:
            try:
                resolved.extend(storage_accounts_of(ls, accounts))
            except UnknownValueError:
                # The account's name output is unknown in preview; the url's literal name
                # still lets the path be compared with other literal references.
                name = name or storage_account_name(output(ls, "properties.url"))
                if name is None:
                    raise
        if not resolved and name is None:
            name = next((n for ls in services if (n := storage_account_name(output(ls, "properties.url")))), None)
        for j, table in enumerate(tables(conn, TARGET)):
            fs = as_str(entity_value(conn, table, "fileSystem")) or as_str(entity_value(conn, table, "container"))
            folder = as_str(entity_value(conn, table, "folderPath")) or ""
            if fs:
                path = LandingPath(cdc, i, j, tuple(dict.fromkeys(resolved)), name, fs.strip("/"), folder.strip("/"))
                out.append(path)
    return out


_SQL_HOST = re.compile(r"(?:^|;)\s*(?:server|data source|address)\s*=\s*(?:tcp:)?([^;.,]+)", re.IGNORECASE)
_PG_HOST = re.compile(r"(?:^|;)\s*(?:host|server)\s*=\s*([^;.]+)", re.IGNORECASE)
_VAULT_HOST = re.compile(r"^https://(?P<name>[a-z0-9-]{3,24})\.vault\.", re.IGNORECASE)


def _host_name(ls: Any, pattern: re.Pattern[str]) -> str | None:
    """The first label of the server host a database linked service names, from its
    ``server`` property or its connection string (read, never echoed: it may hold a
    password)."""
    host = as_str(output(ls, "properties.server"))
    if host and host.strip():
        return host.strip().removeprefix("tcp:").split(".")[0].split(",")[0]
    m = pattern.search(as_str(output(ls, "properties.connectionString")) or "")
    return m.group(1).strip() if m else None


def sql_servers_of(ls: Any, servers: Sequence[Any], databases: Sequence[Any] = ()) -> list[Any]:
    """The SQL servers an Azure SQL linked service connects to."""
    deps = depends_on(ls, "properties", T.SQL_SERVER)
    if deps:
        return deps
    via_db = [s for db in depends_on(ls, "properties", T.SQL_DATABASE) if (s := sole(db, "serverName", servers))]
    if via_db:
        return via_db
    return named(_host_name(ls, _SQL_HOST), servers)


def pg_servers_of(ls: Any, servers: Sequence[Any]) -> list[Any]:
    """The PostgreSQL flexible servers a PostgreSQL linked service connects to."""
    deps = depends_on(ls, "properties", T.PG_SERVER)
    return deps or named(_host_name(ls, _PG_HOST), servers)


def vault_name(url: Any) -> str | None:
    """The Key Vault a vault URL names (``https://kv-cdcml.vault.azure.net/…`` → ``kv-cdcml``)."""
    m = _VAULT_HOST.match((as_str(url) or "").strip())
    return m.group("name") if m else None


def vaults_of(ls: Any, vaults: Sequence[Any]) -> list[Any]:
    """The Key Vaults an AzureKeyVault linked service points at (``baseUrl``)."""
    deps = depends_on(ls, "properties", T.KEY_VAULT)
    if deps:
        return deps
    name = vault_name(output(ls, "properties.baseUrl"))
    return named(name, vaults) if name else []


@dataclass(frozen=True)
class Store:
    """A data store a linked service reaches, and the private-link group id that reaching
    it privately needs."""

    resource: Any
    group_id: str


def stores_of(ls: Any, resources: Sequence[Any] | StackIndex) -> list[Store]:
    """The data stores (in the stack, or its *resources*' index) a linked service connects to."""
    kind = output(ls, "properties.type")
    index = resources if isinstance(resources, StackIndex) else StackIndex(resources)

    def of(token: str) -> Sequence[Any]:
        return index.of_type(token)

    if one_of(kind, ("AzureBlobFS",)):
        return [Store(a, "dfs") for a in storage_accounts_of(ls, of(T.STORAGE_ACCOUNT))]
    if one_of(kind, ("AzureBlobStorage",)):
        return [Store(a, "blob") for a in storage_accounts_of(ls, of(T.STORAGE_ACCOUNT))]
    if one_of(kind, ("AzureSqlDatabase", "AzureSqlDW")):
        return [Store(s, "sqlServer") for s in sql_servers_of(ls, of(T.SQL_SERVER), of(T.SQL_DATABASE))]
    if one_of(kind, ("AzurePostgreSql", "PostgreSqlV2")):
        return [Store(s, "postgresqlServer") for s in pg_servers_of(ls, of(T.PG_SERVER))]
    if one_of(kind, ("AzureKeyVault",)):
        return [Store(v, "vault") for v in vaults_of(ls, of(T.KEY_VAULT))]
    return []


def public_access_disabled(resource: Any) -> bool:
    """Whether a PaaS resource has its public network access switched off (a VNet-injected
    PostgreSQL server has no public endpoint to switch off, and counts as not disabled)."""
    path = T.PUBLIC_ACCESS_PATHS.get(resource.resource_type)
    if path is None:
        return False
    return one_of(output(resource, path), ("Disabled", "SecuredByPerimeter"))
