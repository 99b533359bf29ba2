"""cost-require-realtime-approval (I-01): a real-time CDC runs only in an approved factory."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.cost.cost_require_realtime_approval import cost_require_realtime_approval
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = cost_require_realtime_approval
BASE: dict[str, Any] = PIPELINE
REALTIME = {"cdc": {"props": {"policy": {"mode": "Continuous", "recurrence": DELETE}}}}
APPROVED = {"factory": {"props": {"tags": {"cdc-realtime-approved": "True"}}}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_approved_realtime": {**REALTIME, **APPROVED},
    "pass_custom_approval_tag": Case(
        {**REALTIME, "factory": {"props": {"tags": {"finops-ok": "true"}}}}, config={"approvalTag": "finops-ok"}
    ),
    "pass_mode_missing_left_to_allowlist": {"cdc": {"props": {"policy": {"mode": DELETE}}}},
    "fail_unapproved_realtime": Case(REALTIME, match="billed continuously"),
    "fail_approval_false": Case(
        {**REALTIME, "factory": {"props": {"tags": {"cdc-realtime-approved": "no"}}}}, match="billed"
    ),
    "fail_factory_outside_stack": Case({**REALTIME, "factory": DELETE}, match="cdc-realtime-approved=true"),
    "unknown_factory_tags": Case({**REALTIME, "factory": {"props": {"tags": unknown()}, "deps": {"tags": ["rg"]}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cost_require_realtime_approval(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
