"""cost-enforce-eventhub-sizing (I-04): Event Hubs is sized within its tier and the caps."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cost.cost_enforce_eventhub_sizing import cost_enforce_eventhub_sizing
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = cost_enforce_eventhub_sizing
BASE: dict[str, Any] = PIPELINE


def groups(n: int) -> dict[str, Any]:
    return {
        f"extra-{i}": {"type": T.CONSUMER_GROUP, "props": {"name": f"g{i}"}, "deps": {"eventHubName": ["hub"]}}
        for i in range(n)
    }


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_premium_partitions": {
        "events": {"props": {"sku": {"name": "Premium", "tier": "Premium", "capacity": 1}}},
        "hub": {"props": {"partitionCount": 64}},
    },
    "pass_cluster_arm_id_computed_in_preview": {"events": {"props": {"clusterArmId": unknown()}}},
    "pass_configured_capacity": Case({"events": {"props": {"sku": {"capacity": 12}}}}, config={"maxCapacity": 12}),
    "fail_capacity": Case({"events": {"props": {"sku": {"capacity": 12}}}}, match="sku.capacity is 12; the cap is 8"),
    "fail_no_auto_inflate": Case({"events": {"props": {"isAutoInflateEnabled": DELETE}}}, match="isAutoInflateEnabled"),
    "fail_auto_inflate_above_cap": Case(
        {"events": {"props": {"maximumThroughputUnits": 20}}}, match="maximumThroughputUnits is 20"
    ),
    "fail_partitions": Case({"hub": {"props": {"partitionCount": 64}}}, match="allows 32 partitions"),
    "fail_consumer_groups_on_basic": Case(
        {"events": {"props": {"sku": {"name": "Basic", "tier": "Basic"}}}}, match="Basic tier allows 1 in all"
    ),
    "fail_too_many_consumer_groups": Case(groups(18), match="20 consumer groups besides"),
    "unknown_partitions": Case({"hub": {"props": {"partitionCount": unknown()}, "deps": {"partitionCount": ["rg"]}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cost_enforce_eventhub_sizing(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
