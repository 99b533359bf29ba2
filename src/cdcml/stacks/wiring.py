"""What the building blocks hand to the cross-cutting components.

Each PaaS-owning component (CdcSource, LandingZone, CdcIngestion, Eventing,
MlConsumption) lists what it needs from the others as data: the
:class:`PrivateLinkTarget` s that :class:`~cdcml.stacks.network.Network` puts private
endpoints on, the :class:`DiagnosticTarget` s that
:class:`~cdcml.stacks.observability.Observability` sends to Log Analytics, and the
principals and scopes :class:`~cdcml.stacks.identity.Identity` grants data-plane roles
on. The tables here are facts about Azure: private-link group ids and their DNS zones
(rule catalogue §4.4), and the built-in role definition ids.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import pulumi

__all__ = [
    "PRIVATE_DNS_ZONES",
    "ROLE_DEFINITION_IDS",
    "BuildingBlock",
    "DataRole",
    "DiagnosticTarget",
    "Grant",
    "GrantScope",
    "Principal",
    "PrivateLinkGroup",
    "PrivateLinkTarget",
    "principal_id",
]


class PrivateLinkGroup(StrEnum):
    """Private-link sub-resources (``groupIds``) of the pipeline's PaaS resources."""

    BLOB = "blob"
    DFS = "dfs"
    FILE = "file"
    SQL_SERVER = "sqlServer"
    EVENT_HUBS_NAMESPACE = "namespace"
    ML_WORKSPACE = "amlworkspace"
    KEY_VAULT = "vault"
    DATA_FACTORY = "dataFactory"


PRIVATE_DNS_ZONES: dict[PrivateLinkGroup, tuple[str, ...]] = {
    PrivateLinkGroup.BLOB: ("privatelink.blob.core.windows.net",),
    PrivateLinkGroup.DFS: ("privatelink.dfs.core.windows.net",),
    PrivateLinkGroup.FILE: ("privatelink.file.core.windows.net",),
    PrivateLinkGroup.SQL_SERVER: ("privatelink.database.windows.net",),
    PrivateLinkGroup.EVENT_HUBS_NAMESPACE: ("privatelink.servicebus.windows.net",),
    PrivateLinkGroup.ML_WORKSPACE: ("privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"),
    PrivateLinkGroup.KEY_VAULT: ("privatelink.vaultcore.azure.net",),
    PrivateLinkGroup.DATA_FACTORY: ("privatelink.datafactory.azure.net",),
}
"""The private DNS zones a private endpoint of each group id must be registered in
(Azure public cloud; ``MicrosoftDocs/azure-docs: articles/private-link/private-endpoint-dns.md``)."""


@dataclass(frozen=True)
class PrivateLinkTarget:
    """A PaaS resource sub-resource that needs a private endpoint. ``role`` names the
    endpoint (``landing-dfs``) and is unique within a stack."""

    role: str
    resource_id: pulumi.Input[str]
    group: PrivateLinkGroup


@dataclass(frozen=True)
class DiagnosticTarget:
    """A resource whose platform logs and metrics go to Log Analytics.

    ``log_groups`` are diagnostic category groups (``allLogs``), ``log_categories``
    single categories where a resource has no groups (a SQL server's audit events on
    its ``master`` database), ``metric_categories`` the metric categories (``AllMetrics``;
    a storage account exports ``Transaction``). ``dedicated`` sends logs to
    resource-specific tables instead of the shared ``AzureDiagnostics`` table.
    """

    role: str
    resource_id: pulumi.Input[str]
    log_groups: tuple[str, ...] = ("allLogs",)
    log_categories: tuple[str, ...] = ()
    metric_categories: tuple[str, ...] = ("AllMetrics",)
    dedicated: bool = True


class Principal(StrEnum):
    """The managed identities of the pipeline that get data-plane roles."""

    DATA_FACTORY = "data-factory"
    ML_WORKSPACE = "ml-workspace"
    EVENT_HUBS_NAMESPACE = "event-hubs-namespace"
    EVENT_GRID_TOPIC = "event-grid-topic"


class GrantScope(StrEnum):
    """The narrowest scopes the pipeline grants on. There is deliberately no account,
    resource-group or subscription scope."""

    LANDING_CONTAINER = "landing-container"
    CAPTURE_CONTAINER = "capture-container"
    EVENT_HUB = "event-hub"


class DataRole(StrEnum):
    """Built-in data-plane roles, by their display names."""

    STORAGE_BLOB_DATA_CONTRIBUTOR = "Storage Blob Data Contributor"
    STORAGE_BLOB_DATA_READER = "Storage Blob Data Reader"
    EVENT_HUBS_DATA_SENDER = "Azure Event Hubs Data Sender"
    EVENT_HUBS_DATA_RECEIVER = "Azure Event Hubs Data Receiver"


ROLE_DEFINITION_IDS: dict[DataRole, str] = {
    DataRole.STORAGE_BLOB_DATA_CONTRIBUTOR: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    DataRole.STORAGE_BLOB_DATA_READER: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    DataRole.EVENT_HUBS_DATA_SENDER: "2b629674-e913-4c01-ae53-ef4638d8f975",
    DataRole.EVENT_HUBS_DATA_RECEIVER: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
}
"""Built-in role definition GUIDs (the same in every Azure tenant)."""


class BuildingBlock(Protocol):
    """A component that owns PaaS resources: what it asks of Network and Observability."""

    @property
    def private_link_targets(self) -> tuple[PrivateLinkTarget, ...]: ...

    @property
    def diagnostic_targets(self) -> tuple[DiagnosticTarget, ...]: ...


Scopes = Mapping[tuple[GrantScope, str], pulumi.Input[str]]
Grant = Callable[[Principal, pulumi.Input[str], Scopes], tuple[pulumi.Resource, ...]]
"""Declares the roles a principal (by its principal id) holds on the given scopes and
returns the role assignments, so a resource that acts with that identity at create time
can depend on them (:meth:`cdcml.stacks.identity.Identity.grant`)."""

_T = TypeVar("_T")


async def _resolved(value: _T) -> _T:
    return value


def principal_id(identity: pulumi.Output[Any]) -> pulumi.Output[str]:
    """The principal id of a resource's system-assigned managed identity output.

    Azure computes it on create: during a preview the provider echoes the ``identity``
    input without it, and the id is *unknown* (as ``pulumi preview`` shows it), never the
    text ``"None"``. After create the id is the provider's."""

    def pick(value: Any) -> pulumi.Input[str]:
        found = getattr(value, "principal_id", None)
        if isinstance(found, str) and found:
            return found
        if not pulumi.runtime.is_dry_run():
            raise ValueError("the managed identity has no principal id after create")
        unknown: Awaitable[str] = _resolved("")
        return pulumi.Output(set(), unknown, _resolved(False))

    return identity.apply(pick)
