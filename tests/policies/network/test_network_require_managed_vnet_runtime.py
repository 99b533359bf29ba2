"""network-require-managed-vnet-runtime (B-02): managed integration runtimes run in the managed VNet."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_require_managed_vnet_runtime import network_require_managed_vnet_runtime
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = network_require_managed_vnet_runtime
RESOURCE_TYPE = T.INTEGRATION_RUNTIME
BASE: dict[str, Any] = props("runtime")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_reference_computed_during_preview": {"properties": {"managedVirtualNetwork": {"referenceName": unknown()}}},
    "pass_self_hosted_runtime_not_in_scope": {"properties": {"type": "SelfHosted", "managedVirtualNetwork": DELETE}},
    "fail_no_managed_vnet": Case({"properties": {"managedVirtualNetwork": DELETE}}, match="must be set"),
    "fail_empty_reference": Case({"properties": {"managedVirtualNetwork": {"referenceName": ""}}}, match="must be set"),
    "fail_odd_case_type": Case(
        {"properties": {"type": "managed", "managedVirtualNetwork": None}}, match="public endpoints"
    ),
    "unknown_runtime_type": Case({"properties": {"type": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_require_managed_vnet_runtime(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
