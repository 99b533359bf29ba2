"""identity-disable-compute-local-auth (C-06): ML compute accepts only Microsoft Entra ID."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_disable_compute_local_auth import identity_disable_compute_local_auth
from cdcml.testing.harness import DELETE, Case, unknown

POLICY = identity_disable_compute_local_auth
RESOURCE_TYPE = T.ML_COMPUTE
BASE: dict[str, Any] = {
    "computeName": "training",
    "properties": {"computeType": "AmlCompute", "disableLocalAuth": True},
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_instance": {"properties": {"computeType": "ComputeInstance"}},
    "pass_attached_databricks": {"properties": {"computeType": "Databricks", "disableLocalAuth": DELETE}},
    "fail_default": Case({"properties": {"disableLocalAuth": DELETE}}, match="disableLocalAuth is not set"),
    "fail_false": Case({"properties": {"disableLocalAuth": False}}, match="is false"),
    "fail_odd_case_type": Case({"properties": {"computeType": "amlcompute", "disableLocalAuth": False}}, match="Local"),
    "unknown_flag": Case({"properties": {"disableLocalAuth": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_disable_compute_local_auth(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
