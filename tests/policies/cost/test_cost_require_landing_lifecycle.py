"""cost-require-landing-lifecycle (I-06): the CDC landing folder has a lifecycle rule."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.cost.cost_require_landing_lifecycle import cost_require_landing_lifecycle
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE, props

POLICY = cost_require_landing_lifecycle
BASE: dict[str, Any] = PIPELINE
RULE = props("landing-lifecycle")["policy"]["rules"][0]


def rule(**changes: Any) -> dict[str, Any]:
    return {"landing-lifecycle": {"props": {"policy": {"rules": [{**RULE, **changes}]}}}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_rule_for_all_blobs": rule(
        definition={"actions": {"baseBlob": {"delete": {"daysAfterModificationGreaterThan": 90}}}}
    ),
    "pass_container_prefix": rule(definition={**RULE["definition"], "filters": {"prefixMatch": ["orders/"]}}),
    "pass_landing_outside_stack": {
        "landing": DELETE,
        "landing-link": {
            "deps": {"properties": ["runtime"]},
            "props": {"properties": {"url": "https://stother.dfs.core.windows.net"}},
        },
    },
    "fail_no_policy": Case({"landing-lifecycle": DELETE}, match="no enabled lifecycle rule"),
    "fail_disabled_rule": Case(rule(enabled=False), match="no enabled lifecycle rule"),
    "fail_other_prefix": Case(
        rule(definition={**RULE["definition"], "filters": {"prefixMatch": ["capture/"]}}), match="hot tier"
    ),
    "fail_rule_without_action": Case(
        rule(definition={"filters": {"prefixMatch": ["orders/cdc"]}, "actions": {}}), match="lifecycle"
    ),
    "unknown_rules": Case({"landing-lifecycle": {"props": {"policy": unknown()}, "deps": {"policy": ["rg"]}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_cost_require_landing_lifecycle(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
