"""cdc-enforce-mode-allowlist (A-01): the CDC runs in an allowed mode."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cdc.cdc_enforce_mode_allowlist import cdc_enforce_mode_allowlist
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = cdc_enforce_mode_allowlist
RESOURCE_TYPE = T.CHANGE_DATA_CAPTURE
BASE: dict[str, Any] = props("cdc")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_configured_realtime_mode": Case(
        {"policy": {"mode": "Continuous"}}, config={"allowedModes": ["Microbatch", "Continuous"]}
    ),
    "fail_undocumented_mode": Case({"policy": {"mode": "Incremental"}}, match="not an allowed CDC mode"),
    "fail_documented_but_not_allowed": Case({"policy": {"mode": "Continuous"}}, match='"Continuous", not an allowed'),
    "fail_wrong_case": Case({"policy": {"mode": "microbatch"}}, match='did you mean "Microbatch"'),
    "fail_missing_mode": Case({"policy": {"mode": DELETE}}, match="policy.mode is not set"),
    "fail_missing_policy": Case({"policy": DELETE}, match="policy.mode is not set"),
    "fail_null_mode": Case({"policy": {"mode": None}}, match="policy.mode is not set"),
    "fail_wrong_type": Case({"policy": {"mode": 3}}, match="must be a string"),
    "fail_secret_mode_not_echoed": Case(
        {"policy": {"mode": secret("hunter2-mode")}}, match="outside the documented set"
    ),
    "unknown_mode": Case({"policy": {"mode": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_enforce_mode_allowlist(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
