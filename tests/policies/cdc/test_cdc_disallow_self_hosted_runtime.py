"""cdc-disallow-self-hosted-runtime (A-06): no CDC linked service connects via a self-hosted runtime."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.cdc.cdc_disallow_self_hosted_runtime import cdc_disallow_self_hosted_runtime
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = cdc_disallow_self_hosted_runtime
BASE: dict[str, Any] = PIPELINE

SELF_HOSTED = {"runtime": {"props": {"properties": {"type": "SelfHosted", "managedVirtualNetwork": DELETE}}}}
NO_DEPS = {"cdc": {"deps": DELETE}, "orders-link": {"deps": DELETE}, "landing-link": {"deps": DELETE}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_linked_services_outside_the_stack": {"orders-link": DELETE, "landing-link": DELETE},
    "pass_by_reference_name": NO_DEPS,
    "fail_self_hosted_runtime": Case(SELF_HOSTED, match="self-hosted integration runtime runtime"),
    "fail_self_hosted_by_reference_name": Case({**NO_DEPS, **SELF_HOSTED}, match="self-hosted"),
    "fail_odd_case_type": Case(
        {"runtime": {"props": {"properties": {"type": "selfhosted"}}}}, match=r"sourceConnectionsInfo\[0\]"
    ),
    "unknown_linked_service_name": Case({**NO_DEPS, "orders-link": {"props": {"name": unknown()}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_disallow_self_hosted_runtime(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
