"""network-disable-database-public-access (B-10): CDC source databases have no public endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_disable_database_public_access import network_disable_database_public_access
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = network_disable_database_public_access
RESOURCE_TYPE = T.SQL_SERVER
BASE: dict[str, Any] = props("sql")
PG = T.PG_SERVER
OPEN_RULE = {"startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255"}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_pg_private": Case({"network": {"publicNetworkAccess": "Disabled"}}, resource_type=PG),
    "pass_pg_vnet_injected": Case(
        {"network": {"delegatedSubnetResourceId": "/subscriptions/x/subnet"}}, resource_type=PG
    ),
    "pass_azure_services_rule": Case(
        {"startIpAddress": "0.0.0.0", "endIpAddress": "0.0.0.0"}, resource_type=T.SQL_FIREWALL_RULE
    ),
    "fail_sql_public": Case({"publicNetworkAccess": "Enabled"}, match='"Enabled"'),
    "fail_sql_default": Case({"publicNetworkAccess": DELETE}, match="is not set"),
    "fail_pg_public": Case(
        {"network": {"publicNetworkAccess": "Enabled"}}, resource_type=PG, match="not VNet-injected"
    ),
    "fail_sql_open_rule": Case(OPEN_RULE, resource_type=T.SQL_FIREWALL_RULE, match="every address"),
    "fail_pg_open_rule": Case(OPEN_RULE, resource_type=T.PG_FIREWALL_RULE, match="every address"),
    "unknown_access": Case({"publicNetworkAccess": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_disable_database_public_access(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
