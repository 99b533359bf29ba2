"""B-03: a data store that a managed-VNet integration runtime reaches, and whose public
access is off, has a managed private endpoint with the right group id."""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.cdc.cdc_disallow_self_hosted_runtime import runtimes_of
from cdcml.policies.pipeline import Store, public_access_disabled, stores_of
from cdcml.policies.stack import Memo, Pending, Referrers, StackIndex, any_known, cached, output, refers_to, settled
from cdcml.policies.vocabulary import get, one_of, present

__all__ = ["network_require_managed_private_endpoints"]


def _in_managed_vnet(ir: Any) -> bool:
    props = settled(ir)
    return one_of(get(props, "properties.type"), ("Managed",)) and present(
        props, "properties.managedVirtualNetwork.referenceName"
    )


def _covered(endpoints: Referrers, store: Store) -> bool:
    """Whether a managed private endpoint reaches *store* with its group id."""

    def covers(mpe: Any) -> bool:
        targets = refers_to(mpe, "properties", "properties.privateLinkResourceId", [store.resource])
        return bool(targets) and one_of(output(mpe, "properties.groupId"), (store.group_id,))

    # Only an endpoint that may refer to the store can cover it.
    return any_known(endpoints.of(store.resource), covers)


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    runtimes = index.of_type(T.INTEGRATION_RUNTIME)
    endpoints = Referrers(index.of_type(T.MANAGED_PRIVATE_ENDPOINT), "properties", "properties.privateLinkResourceId")
    closed = Memo(public_access_disabled)
    verdicts: dict[Hashable, tuple[Any, UnknownValueError | None]] = {}
    managed: set[int] = set()
    for ir in runtimes:
        with pending.item():
            if _in_managed_vnet(ir):
                managed.add(id(ir))
    for ls in index.of_type(T.LINKED_SERVICE):
        with pending.item():
            via = [ir for ir in runtimes_of(ls, runtimes) if id(ir) in managed]
            if not via:
                continue
            for store in stores_of(ls, index):
                with pending.item():
                    if not closed(store.resource):
                        continue
                    key = (id(store.resource), store.group_id)
                    if not cached(verdicts, key, partial(_covered, endpoints, store)):
                        report_violation(
                            f"Linked service {ls.name} reaches {store.resource.name} through the managed-VNet "
                            f"integration runtime {via[0].name}, but {store.resource.name} has public access disabled "
                            f"and no managed private endpoint with group id {store.group_id}; the runtime can't "
                            "reach it.",
                            ls.urn,
                        )
    pending.finish()


network_require_managed_private_endpoints = GuardrailStackPolicy(
    name="network-require-managed-private-endpoints",
    description="Every data store a managed-VNet integration runtime reaches must have a managed private endpoint "
    "when its public access is disabled.",
    validate=_validate,
    rule="B-03",
    layer="cdc",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Add a datafactory ManagedPrivateEndpoint in the factory's managed virtual network with "
        "properties.privateLinkResourceId set to the store's id and properties.groupId to dfs (ADLS Gen2), blob, "
        "sqlServer, postgresqlServer or vault, and approve the private endpoint connection on the store."
    ),
    url="https://learn.microsoft.com/azure/data-factory/managed-virtual-network-private-endpoint",
    framework=mcsb("NS-2"),
    resource_types=(T.INTEGRATION_RUNTIME, T.LINKED_SERVICE, T.MANAGED_PRIVATE_ENDPOINT),
)
