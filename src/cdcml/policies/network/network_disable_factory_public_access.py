"""B-01: a Data Factory is reachable only through private endpoints."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["network_disable_factory_public_access"]

network_disable_factory_public_access = PropertyPolicy(
    name="network-disable-factory-public-access",
    description="A Data Factory must have public network access disabled.",
    resource_types=(T.FACTORY,),
    expects=[
        Expect(
            "publicNetworkAccess",
            ("Disabled",),
            why="With public access on, the factory's authoring and integration endpoints, and the credentials "
            "behind its linked services, are reachable from the internet.",
            vocabulary=("Enabled",),
        )
    ],
    rule="B-01",
    layer="cdc",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set publicNetworkAccess to "Disabled" on the Factory and reach it through private endpoints with group '
        "ids dataFactory (and portal for ADF Studio)."
    ),
    url="https://learn.microsoft.com/azure/data-factory/data-factory-private-link",
    framework=mcsb("NS-2"),
)
