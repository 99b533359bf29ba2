"""cdc-enforce-offered-latency (A-03): the CDC latency is one ADF Studio offers."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cdc.cdc_enforce_offered_latency import cdc_enforce_offered_latency
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = cdc_enforce_offered_latency
RESOURCE_TYPE = T.CHANGE_DATA_CAPTURE
BASE: dict[str, Any] = props("cdc")


def every(frequency: Any, interval: Any) -> dict[str, Any]:
    return {"policy": {"recurrence": {"frequency": frequency, "interval": interval}}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_fifteen_minutes": every("Minute", 15),
    "pass_thirty_minutes": every("Minute", 30),
    "pass_sixty_minutes_as_minutes": every("Minute", 60),
    "pass_two_hours": every("Hour", 2),
    "pass_configured_latency": Case(every("Minute", 45), config={"offeredLatencyMinutes": [45]}),
    "pass_missing_recurrence": {"policy": {"recurrence": DELETE}},
    "pass_invalid_recurrence_left_to_bounds": every("Fortnight", 1),
    "fail_twenty_minutes": Case(every("Minute", 20), match="every 20 minutes, which ADF Studio does not offer"),
    "fail_seconds": Case(every("Second", 30), match="30 seconds"),
    "fail_three_hours": Case(every("Hour", 3), match="3 hours"),
    "unknown_interval": Case(every("Hour", unknown())),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_enforce_offered_latency(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
