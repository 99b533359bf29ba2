"""governance-require-colocated-pipeline (F-05): the pipeline's resources share one region."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.governance.governance_require_colocated_pipeline import governance_require_colocated_pipeline
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = governance_require_colocated_pipeline
BASE: dict[str, Any] = PIPELINE

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_display_name_spelling": {"workspace": {"props": {"location": "West Europe"}}},
    "pass_inherits_resource_group": {"landing": {"props": {"location": DELETE}}},
    "pass_location_from_group_output_in_preview": {
        "factory": {"props": {"location": unknown()}, "deps": {"location": ["rg"]}}
    },
    "fail_workspace_elsewhere": Case({"workspace": {"props": {"location": "eastus"}}}, match='"eastus": workspace'),
    "fail_group_elsewhere": Case(
        {"rg": {"props": {"location": "northeurope"}}, "landing": {"props": {"location": DELETE}}},
        match="spans regions",
    ),
    "unknown_location": Case({"events": {"props": {"location": unknown()}, "deps": {"location": ["law"]}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_governance_require_colocated_pipeline(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
