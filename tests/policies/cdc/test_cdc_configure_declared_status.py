"""cdc-configure-declared-status (A-07): the CDC declares its status, and runs in production."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.cdc.cdc_configure_declared_status import cdc_configure_declared_status
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import PIPELINE

POLICY = cdc_configure_declared_status
BASE: dict[str, Any] = PIPELINE
PROD = {"environment": "prod"}
STOPPED = {"cdc": {"props": {"status": "Stopped"}}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_stopped_outside_prod": STOPPED,
    "pass_running_in_prod": Case({}, config=PROD),
    "pass_stopped_in_prod_started_externally": Case(STOPPED, config=PROD),
    "pass_odd_case_status": {"cdc": {"props": {"status": "running"}}},
    "fail_undeclared": Case({"cdc": {"props": {"status": DELETE}}}, match="status is not set"),
    "fail_unknown_status": Case({"cdc": {"props": {"status": "Paused"}}}, match="outside the documented set"),
    "fail_secret_status_not_echoed": Case({"cdc": {"props": {"status": secret("hunter2-status")}}}, match="outside"),
    "fail_stopped_in_prod": Case(
        {**STOPPED, "factory": {"props": {"tags": {"cdc-start": DELETE}}}}, config=PROD, match="production CDC"
    ),
    "unknown_status": Case({"cdc": {"props": {"status": unknown()}, "deps": {"status": ["factory"]}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_configure_declared_status(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
