"""cost-enforce-latency-floor (I-02): a CDC runs no more often than its environment's floor."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cost.cost_enforce_latency_floor import cost_enforce_latency_floor
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = cost_enforce_latency_floor
RESOURCE_TYPE = T.CHANGE_DATA_CAPTURE
BASE: dict[str, Any] = props("cdc")
FIFTEEN = {"policy": {"recurrence": {"frequency": "Minute", "interval": 15}}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_fifteen_minutes_in_prod": Case(FIFTEEN, config={"environment": "prod"}),
    "pass_configured_floor": Case(FIFTEEN, config={"minLatencyMinutes": {"dev": 60, "test": 15, "prod": 15}}),
    "pass_invalid_recurrence_left_to_bounds": {"policy": {"recurrence": {"frequency": "Weekly", "interval": 1}}},
    "fail_fifteen_minutes_in_test": Case(FIFTEEN, match="in a test stack whose latency floor is 1 hour"),
    "fail_fifteen_minutes_in_dev": Case(FIFTEEN, config={"environment": "dev"}, match="dev stack"),
    "fail_second_in_prod": Case(
        {"policy": {"recurrence": {"frequency": "Second", "interval": 30}}},
        config={"environment": "prod"},
        match="30 seconds",
    ),
    "unknown_interval": Case({"policy": {"recurrence": {"frequency": "Minute", "interval": unknown()}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cost_enforce_latency_floor(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
