"""governance-enforce-data-classification (F-02): classifications are valid and switch on their controls."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.governance.governance_enforce_data_classification import governance_enforce_data_classification
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = governance_enforce_data_classification
RESOURCE_TYPE = T.ML_WORKSPACE
BASE: dict[str, Any] = props("workspace")


def classified(value: Any) -> dict[str, Any]:
    return {"tags": {"data-classification": value}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_untagged_left_to_required_tags": {"tags": {"data-classification": DELETE}},
    "pass_confidential_hbi": {**classified("Confidential"), "hbiWorkspace": True},
    "pass_confidential_storage_needs_no_hbi": Case(classified("confidential"), resource_type=T.STORAGE_ACCOUNT),
    "pass_configured_values": Case(classified("secret"), config={"allowedClassifications": ["public", "secret"]}),
    "fail_unknown_value": Case(classified("top-secret"), match="outside the allowed classifications"),
    "fail_secret_value_not_echoed": Case(classified(secret("hunter2-class")), match="outside the allowed"),
    "fail_confidential_without_hbi": Case(classified("confidential"), match="hbiWorkspace is not true"),
    "fail_restricted_hbi_false": Case(
        {**classified("restricted"), "hbiWorkspace": False}, match="classified restricted"
    ),
    "unknown_tags": Case({"tags": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_governance_enforce_data_classification(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
