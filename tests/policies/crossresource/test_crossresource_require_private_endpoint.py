"""crossresource-require-private-endpoint (X-03): private resources have private endpoints, and vice versa."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.crossresource.crossresource_require_private_endpoint import crossresource_require_private_endpoint
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = crossresource_require_private_endpoint
BASE: dict[str, Any] = PIPELINE

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_endpoint_by_arm_id": {"pe-sql-sqlServer": {"deps": {"privateLinkServiceConnections": DELETE}}},
    "pass_public_resource_without_endpoint": {
        "pe-sql-sqlServer": DELETE,
        "sql": {"props": {"publicNetworkAccess": "Enabled"}},
    },
    "pass_vnet_injected_postgres": {
        "pg": {
            "type": T.PG_SERVER,
            "props": {"network": {"publicNetworkAccess": "Disabled", "delegatedSubnetResourceId": "/s"}},
        }
    },
    "pass_manual_connection": {
        "pe-sql-sqlServer": {
            "props": {
                "privateLinkServiceConnections": DELETE,
                "manualPrivateLinkServiceConnections": [{"privateLinkServiceId": "x", "groupIds": ["sqlServer"]}],
            },
            "deps": {"privateLinkServiceConnections": DELETE, "manualPrivateLinkServiceConnections": ["sql"]},
        }
    },
    "fail_no_endpoint": Case({"pe-factory-dataFactory": DELETE}, match="group id\\(s\\) dataFactory"),
    "fail_hns_account_without_dfs": Case(
        {"pe-landing-dfs": DELETE}, match="dfs, so nothing can reach.*needs both blob and dfs"
    ),
    "fail_wrong_group": Case(
        {
            "pe-ml-vault-vault": {
                "props": {"privateLinkServiceConnections": [{"privateLinkServiceId": "x", "groupIds": ["blob"]}]}
            }
        },
        match="vault",
    ),
    "fail_endpoint_but_public": Case({"events": {"props": {"publicNetworkAccess": "Enabled"}}}, match="still enabled"),
    "unknown_endpoint_target": Case(
        {
            "pe-sql-sqlServer": {
                "deps": {"privateLinkServiceConnections": ["rg"]},
                "props": {
                    "privateLinkServiceConnections": [{"privateLinkServiceId": unknown(), "groupIds": ["sqlServer"]}]
                },
            }
        }
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_crossresource_require_private_endpoint(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
