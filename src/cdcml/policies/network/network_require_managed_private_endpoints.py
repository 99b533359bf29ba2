"""B-03: a data store that a managed-VNet integration runtime reaches, and whose public
access is off, has a managed private endpoint with the right group id."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.cdc.cdc_disallow_self_hosted_runtime import runtimes_of
from cdcml.policies.pipeline import public_access_disabled, stores_of
from cdcml.policies.stack import Pending, any_known, of_type, output, refers_to, settled
from cdcml.policies.vocabulary import get, one_of, present

__all__ = ["network_require_managed_private_endpoints"]


def _in_managed_vnet(ir: Any) -> bool:
    props = settled(ir)
    return one_of(get(props, "properties.type"), ("Managed",)) and present(
        props, "properties.managedVirtualNetwork.referenceName"
    )


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    resources = args.resources
    runtimes = of_type(resources, T.INTEGRATION_RUNTIME)
    endpoints = of_type(resources, T.MANAGED_PRIVATE_ENDPOINT)
    managed: list[Any] = []
    for ir in runtimes:
        with pending.item():
            if _in_managed_vnet(ir):
                managed.append(ir)
    for ls in of_type(resources, T.LINKED_SERVICE):
        with pending.item():
            via = [ir for ir in runtimes_of(ls, runtimes) if ir in managed]
            if not via:
                continue
            for store in stores_of(ls, resources):
                with pending.item():
                    if not public_access_disabled(store.resource):
                        continue

                    def covers(mpe: Any, store: Any = store) -> bool:
                        targets = refers_to(mpe, "properties", "properties.privateLinkResourceId", [store.resource])
                        return bool(targets) and one_of(output(mpe, "properties.groupId"), (store.group_id,))

                    if not any_known(endpoints, covers):
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
