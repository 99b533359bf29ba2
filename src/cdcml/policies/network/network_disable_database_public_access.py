"""B-10: the CDC source databases have no public endpoint and no firewall rule open to
the whole internet."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_str, get, one_of, resource_types, shown

__all__ = ["network_disable_database_public_access"]

ACCESS = ("Enabled", "Disabled", "SecuredByPerimeter")
CLOSED = ("Disabled", "SecuredByPerimeter")


def _ip(value: Any) -> str:
    return (as_str(value) or "").strip()


@resource_types(T.SQL_SERVER, T.PG_SERVER, T.SQL_FIREWALL_RULE, T.PG_FIREWALL_RULE)
def _validate(args: Any, report_violation: Any) -> None:
    props = args.props
    if args.resource_type == T.SQL_SERVER:
        access = get(props, "publicNetworkAccess")
        if not one_of(access, CLOSED):
            report_violation(
                f"publicNetworkAccess is {shown(access, ACCESS)}; the CDC source must be reachable only through a "
                'private endpoint, so set it to "Disabled".'
            )
    elif args.resource_type == T.PG_SERVER:
        if as_str(get(props, "network.delegatedSubnetResourceId")):
            return  # VNet-injected: no public endpoint exists
        access = get(props, "network.publicNetworkAccess")
        if not one_of(access, CLOSED):
            report_violation(
                f"network.publicNetworkAccess is {shown(access, ACCESS)} and the server is not VNet-injected; set it "
                'to "Disabled" and use a private endpoint, or inject the server into a delegated subnet.'
            )
    elif _ip(get(props, "startIpAddress")) == "0.0.0.0" and _ip(get(props, "endIpAddress")) == "255.255.255.255":
        report_violation("The firewall rule allows 0.0.0.0–255.255.255.255, every address on the internet.")


network_disable_database_public_access = GuardrailResourcePolicy(
    name="network-disable-database-public-access",
    description="A CDC source database server must have public network access disabled and no firewall rule open "
    "to the internet.",
    validate=_validate,
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
