"""cost-enforce-dataflow-core-cap (I-03): data-flow compute stays within the caps."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cost.cost_enforce_dataflow_core_cap import cost_enforce_dataflow_core_cap
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = cost_enforce_dataflow_core_cap
RESOURCE_TYPE = T.INTEGRATION_RUNTIME
BASE: dict[str, Any] = props("runtime")
PIPELINE = T.PIPELINE


def flow(**values: Any) -> dict[str, Any]:
    return {"properties": {"computeProperties": {"dataFlowProperties": values}}}


def activity(cores: Any) -> dict[str, Any]:
    return {"activities": [{"name": "flow", "type": "ExecuteDataFlow", "compute": {"coreCount": cores}}]}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_at_the_cap": flow(coreCount=32, timeToLive=30),
    "pass_configured_cap": Case(flow(coreCount=48), config={"maxDataFlowCores": 48}),
    "pass_self_hosted": {
        "properties": {"type": "SelfHosted", "computeProperties": {"dataFlowProperties": {"coreCount": 272}}}
    },
    "pass_pipeline": Case(activity(16), resource_type=PIPELINE),
    "fail_too_many_cores": Case(flow(coreCount=144), match="coreCount is 144; the cap is 32"),
    "fail_long_ttl": Case(flow(timeToLive=120), match="timeToLive is 120"),
    "fail_compute_optimized": Case(flow(computeType="ComputeOptimized"), match='"ComputeOptimized"'),
    "fail_pipeline_cores": Case(
        activity(80), resource_type=PIPELINE, match=r"activities\[0\] runs its data flow on 80"
    ),
    "unknown_cores": Case(flow(coreCount=unknown())),
}


@pytest.mark.parametrize("case", CASES)
def test_cost_enforce_dataflow_core_cap(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
