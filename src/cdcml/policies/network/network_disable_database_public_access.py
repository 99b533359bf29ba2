"""B-10: the CDC source databases have no public endpoint and no firewall rule open to
the whole internet."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import TEXT, Expect, PropertyPolicy, mcsb

__all__ = ["network_disable_database_public_access"]

CLOSED = ("Disabled", "SecuredByPerimeter")

network_disable_database_public_access = PropertyPolicy(
    name="network-disable-database-public-access",
    description="A CDC source database server must have public network access disabled and no firewall rule open "
    "to the internet.",
    resource_types=(T.SQL_SERVER, T.PG_SERVER, T.SQL_FIREWALL_RULE, T.PG_FIREWALL_RULE),
    expects=[
        Expect(
            "publicNetworkAccess",
            CLOSED,
            types=(T.SQL_SERVER,),
            vocabulary=("Enabled",),
            trim=False,
            message="publicNetworkAccess is {value}; the CDC source must be reachable only through a private "
            'endpoint, so set it to "Disabled".',
        ),
        Expect(
            "network.publicNetworkAccess",
            CLOSED,
            types=(T.PG_SERVER,),
            unless=(("network.delegatedSubnetResourceId", (TEXT,)),),  # VNet-injected: no public endpoint exists
            vocabulary=("Enabled",),
            trim=False,
            message="network.publicNetworkAccess is {value} and the server is not VNet-injected; set it to "
            '"Disabled" and use a private endpoint, or inject the server into a delegated subnet.',
        ),
        Expect(
            "endIpAddress",
            forbidden=("255.255.255.255",),
            types=(T.SQL_FIREWALL_RULE, T.PG_FIREWALL_RULE),
            when=(("startIpAddress", ("0.0.0.0",)),),
            message="The firewall rule allows 0.0.0.0–255.255.255.255, every address on the internet.",
        ),
    ],
    rule="B-10",
    layer="source",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set publicNetworkAccess to "Disabled" on the SQL server (network.publicNetworkAccess on a PostgreSQL '
        "flexible server, or inject it into a delegated subnet), connect through private endpoints, and delete "
        "firewall rules spanning 0.0.0.0–255.255.255.255."
    ),
    url="https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings",
    framework=mcsb("NS-2"),
)
