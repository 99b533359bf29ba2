"""cdc-enforce-recurrence-bounds (A-02): a Microbatch CDC has a recurrence within the bounds."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cdc.cdc_enforce_recurrence_bounds import cdc_enforce_recurrence_bounds
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = cdc_enforce_recurrence_bounds
RESOURCE_TYPE = T.CHANGE_DATA_CAPTURE
BASE: dict[str, Any] = props("cdc")


def every(frequency: Any, interval: Any) -> dict[str, Any]:
    return {"policy": {"recurrence": {"frequency": frequency, "interval": interval}}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_fifteen_minutes": every("Minute", 15),
    "pass_two_hours": every("Hour", 2),
    "pass_odd_case_frequency": every("minute", 30),
    "pass_configured_floor": Case(every("Minute", 5), config={"minLatencyMinutes": 5}),
    "pass_zero_floor": Case(every("Minute", 1), config={"minLatencyMinutes": 0}),
    "pass_no_recurrence_outside_microbatch": {"policy": {"mode": "Continuous", "recurrence": DELETE}},
    "fail_second_frequency": Case(every("Second", 30), match="minimum latency is 15 minutes"),
    "fail_one_minute": Case(every("Minute", 1), match="runs every 1 minute"),
    "fail_too_stale": Case(every("Hour", 3), match="maximum latency is 2 hours"),
    "fail_configured_ceiling": Case(every("Hour", 1), config={"maxLatencyMinutes": 30}, match="maximum latency"),
    "fail_missing_recurrence": Case({"policy": {"recurrence": DELETE}}, match="needs policy.recurrence"),
    "fail_zero_interval": Case(every("Minute", 0), match="positive whole interval"),
    "fail_unknown_frequency": Case(every("Day", 1), match="a value outside the documented set"),
    "fail_string_interval": Case(every("Minute", "15"), match="interval a value outside"),
    "fail_secret_frequency_not_echoed": Case(every(secret("hunter2-freq"), 5), match="frequency a value outside"),
    "unknown_interval": Case(every("Minute", unknown())),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_enforce_recurrence_bounds(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
