"""network-disable-compute-public-endpoints (B-07): ML compute has no public IP or SSH."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_disable_compute_public_endpoints import network_disable_compute_public_endpoints
from cdcml.testing.harness import DELETE, Case, unknown

POLICY = network_disable_compute_public_endpoints
RESOURCE_TYPE = T.ML_COMPUTE
BASE: dict[str, Any] = {
    "computeName": "training",
    "properties": {
        "computeType": "AmlCompute",
        "disableLocalAuth": True,
        "properties": {
            "vmSize": "Standard_DS3_v2",
            "vmPriority": "LowPriority",
            "enableNodePublicIp": False,
            "remoteLoginPortPublicAccess": "Disabled",
            "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 4, "nodeIdleTimeBeforeScaleDown": "PT15M"},
        },
    },
}
INSTANCE = {
    "properties": {
        "computeType": "ComputeInstance",
        "properties": {
            "remoteLoginPortPublicAccess": DELETE,
            "scaleSettings": DELETE,
            "sshSettings": {"sshPublicAccess": "Disabled"},
        },
    }
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_login_port_not_specified": {"properties": {"properties": {"remoteLoginPortPublicAccess": "NotSpecified"}}},
    "pass_compute_instance": INSTANCE,
    "pass_attached_compute_not_in_scope": {"properties": {"computeType": "Databricks", "properties": {}}},
    "fail_public_ip_default": Case(
        {"properties": {"properties": {"enableNodePublicIp": DELETE}}}, match="enableNodePublicIp is not set"
    ),
    "fail_public_ip": Case({"properties": {"properties": {"enableNodePublicIp": True}}}, match="is true"),
    "fail_remote_login_open": Case(
        {"properties": {"properties": {"remoteLoginPortPublicAccess": "Enabled"}}}, match="remote-login port"
    ),
    "fail_instance_public_ssh": Case(
        {
            "properties": {
                **INSTANCE["properties"],
                "properties": {**INSTANCE["properties"]["properties"], "sshSettings": {"sshPublicAccess": "Enabled"}},
            }
        },
        match="public SSH port",
    ),
    "unknown_compute_type": Case({"properties": {"computeType": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_disable_compute_public_endpoints(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
