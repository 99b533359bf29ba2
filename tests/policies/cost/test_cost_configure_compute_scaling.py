"""cost-configure-compute-scaling (I-05): ML compute scales to zero and shuts down when idle."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cost.cost_configure_compute_scaling import cost_configure_compute_scaling
from cdcml.testing.harness import DELETE, Case, unknown

POLICY = cost_configure_compute_scaling
RESOURCE_TYPE = T.ML_COMPUTE
BASE: dict[str, Any] = {
    "computeName": "training",
    "properties": {
        "computeType": "AmlCompute",
        "properties": {
            "vmSize": "Standard_DS3_v2",
            "vmPriority": "LowPriority",
            "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 4, "nodeIdleTimeBeforeScaleDown": "PT15M"},
        },
    },
}
INSTANCE = {
    "properties": {
        "computeType": "ComputeInstance",
        "properties": {"scaleSettings": DELETE, "idleTimeBeforeShutdown": "PT60M"},
    }
}
PROD = {"environment": "prod"}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_dedicated_in_prod": Case({"properties": {"properties": {"vmPriority": "Dedicated"}}}, config=PROD),
    "pass_instance": INSTANCE,
    "pass_allowed_size": Case({}, config={"allowedVmSizes": ["standard_ds3_v2"]}),
    "fail_min_nodes": Case(
        {"properties": {"properties": {"scaleSettings": {"minNodeCount": 2}}}}, match="scale to zero"
    ),
    "fail_max_nodes": Case({"properties": {"properties": {"scaleSettings": {"maxNodeCount": 50}}}}, match="cap is 10"),
    "fail_idle_hour": Case(
        {"properties": {"properties": {"scaleSettings": {"nodeIdleTimeBeforeScaleDown": "PT1H"}}}}, match="60 minutes"
    ),
    "fail_dedicated_outside_prod": Case(
        {"properties": {"properties": {"vmPriority": "Dedicated"}}}, match="LowPriority"
    ),
    "fail_size_not_allowed": Case({}, config={"allowedVmSizes": ["Standard_E4s_v3"]}, match="allowedVmSizes"),
    "fail_instance_never_idles": Case(
        {
            "properties": {
                **INSTANCE["properties"],
                "properties": {**INSTANCE["properties"]["properties"], "idleTimeBeforeShutdown": DELETE},
            }
        },
        match="idleTimeBeforeShutdown is not set",
    ),
    "unknown_min_nodes": Case({"properties": {"properties": {"scaleSettings": {"minNodeCount": unknown()}}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cost_configure_compute_scaling(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
