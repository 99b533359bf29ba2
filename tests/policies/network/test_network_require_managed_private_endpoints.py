"""network-require-managed-private-endpoints (B-03): stores a managed-VNet runtime reaches have
managed private endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.network.network_require_managed_private_endpoints import (
    network_require_managed_private_endpoints,
)
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = network_require_managed_private_endpoints
BASE: dict[str, Any] = PIPELINE

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_public_store_needs_none": {"mpe-sql": DELETE, "sql": {"props": {"publicNetworkAccess": "Enabled"}}},
    "pass_runtime_outside_managed_vnet": {
        "mpe-sql": DELETE,
        "mpe-landing-dfs": DELETE,
        "runtime": {"props": {"properties": {"managedVirtualNetwork": DELETE}}},
    },
    "pass_endpoint_by_arm_id": {"mpe-sql": {"deps": DELETE}},
    "fail_missing_sql_endpoint": Case({"mpe-sql": DELETE}, match="sql has public access disabled and no managed"),
    "fail_missing_dfs_endpoint": Case({"mpe-landing-dfs": DELETE}, match="group id dfs"),
    "fail_wrong_group": Case({"mpe-landing-dfs": {"props": {"properties": {"groupId": "blob"}}}}, match="group id dfs"),
    "unknown_endpoint_target": Case(
        {
            "mpe-sql": {
                "deps": {"properties": ["runtime"]},
                "props": {"properties": {"privateLinkResourceId": unknown()}},
            }
        }
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_network_require_managed_private_endpoints(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
