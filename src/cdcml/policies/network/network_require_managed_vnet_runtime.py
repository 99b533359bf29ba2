"""B-02: every Azure (managed) integration runtime runs in the factory's managed virtual
network."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import PRESENT, Expect, PropertyPolicy, mcsb

__all__ = ["network_require_managed_vnet_runtime"]

network_require_managed_vnet_runtime = PropertyPolicy(
    name="network-require-managed-vnet-runtime",
    description="A managed Data Factory integration runtime must run in the factory's managed virtual network.",
    resource_types=(T.INTEGRATION_RUNTIME,),
    expects=[
        Expect(
            "properties.managedVirtualNetwork.referenceName",
            (PRESENT,),
            when=(("properties.type", ("Managed",)),),
            why="Outside a managed virtual network the runtime reaches data stores over public endpoints and can't "
            "use managed private endpoints.",
        )
    ],
    rule="B-02",
    layer="cdc",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set properties.managedVirtualNetwork to {referenceName: "default", type: '
        '"ManagedVirtualNetworkReference"} on the Managed integration runtime, and create managed private endpoints '
        "to its data stores."
    ),
    url="https://learn.microsoft.com/azure/data-factory/managed-virtual-network-private-endpoint",
    framework=mcsb("NS-1"),
)
