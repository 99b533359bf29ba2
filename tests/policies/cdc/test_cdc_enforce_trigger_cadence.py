"""cdc-enforce-trigger-cadence (A-09): CDC pipeline triggers respect the latency floor and retry."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cdc.cdc_enforce_trigger_cadence import cdc_enforce_trigger_cadence
from cdcml.testing.harness import DELETE, Case, unknown

POLICY = cdc_enforce_trigger_cadence
RESOURCE_TYPE = T.TRIGGER
BASE: dict[str, Any] = {
    "triggerName": "orders-window",
    "properties": {
        "type": "TumblingWindowTrigger",
        "frequency": "Minute",
        "interval": 15,
        "maxConcurrency": 1,
        "startTime": "2025-01-01T00:00:00Z",
        "retryPolicy": {"count": 3, "intervalInSeconds": 60},
        "pipeline": {"pipelineReference": {"referenceName": "orders-incremental", "type": "PipelineReference"}},
    },
}
SCHEDULE = {
    "properties": {
        "type": "ScheduleTrigger",
        "frequency": DELETE,
        "interval": DELETE,
        "retryPolicy": DELETE,
        "recurrence": {"frequency": "Hour", "interval": 1},
    }
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_hourly_window": {"properties": {"frequency": "Hour", "interval": 1}},
    "pass_schedule": SCHEDULE,
    "pass_retry_not_required": Case({"properties": {"retryPolicy": DELETE}}, config={"requireRetry": False}),
    "pass_other_trigger_type": {"properties": {"type": "BlobEventsTrigger"}},
    "fail_window_below_fifteen_minutes": Case({"properties": {"interval": 5}}, match="minimum is 15 minutes"),
    "fail_window_below_configured_floor": Case(
        {"properties": {"interval": 30}}, config={"minLatencyMinutes": 60}, match="minimum is 1 hour"
    ),
    "fail_missing_retry": Case({"properties": {"retryPolicy": DELETE}}, match="retryPolicy.count is not set"),
    "fail_zero_retries": Case({"properties": {"retryPolicy": {"count": 0}}}, match="never retried"),
    "fail_schedule_every_minute": Case(
        {"properties": {**SCHEDULE["properties"], "recurrence": {"frequency": "Minute", "interval": 1}}},
        match="schedule fires every 1 minute",
    ),
    "unknown_interval": Case({"properties": {"interval": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_enforce_trigger_cadence(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
