"""observability-configure-pipeline-sla (H-04): pipelines declare an SLA and activity timeouts."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.observability.observability_configure_pipeline_sla import observability_configure_pipeline_sla
from cdcml.testing.harness import DELETE, Case, unknown

POLICY = observability_configure_pipeline_sla
RESOURCE_TYPE = T.PIPELINE
BASE: dict[str, Any] = {
    "pipelineName": "orders-incremental",
    "policy": {"elapsedTimeMetric": {"duration": "0.00:30:00"}},
    "activities": [
        {"name": "wait", "type": "Wait", "waitTimeInSeconds": 1},
        {"name": "copy", "type": "Copy", "policy": {"timeout": "0.01:00:00", "retry": 2}},
        {"name": "flow", "type": "ExecuteDataFlow", "policy": {"timeout": "0.02:00:00"}},
    ],
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_one_day_timeout": {"activities": [{"name": "copy", "type": "Copy", "policy": {"timeout": "1.00:00:00"}}]},
    "pass_control_flow_only": {"activities": [{"name": "each", "type": "ForEach"}]},
    "fail_no_sla": Case({"policy": DELETE}, match="elapsedTimeMetric.duration is not set"),
    "fail_default_timeout": Case(
        {"activities": [{"name": "copy", "type": "Copy", "policy": {"retry": 2}}]}, match=r"activities\[0\] keep"
    ),
    "fail_seven_day_timeout": Case(
        {"activities": [{"name": "copy", "type": "Copy", "policy": {"timeout": "7.00:00:00"}}]}, match="default timeout"
    ),
    "fail_garbled_timeout": Case(
        {"activities": [{"name": "copy", "type": "Copy", "policy": {"timeout": "soon"}}]}, match="default timeout"
    ),
    "unknown_activity": Case({"activities": [unknown()]}),
}


@pytest.mark.parametrize("case", CASES)
def test_observability_configure_pipeline_sla(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
