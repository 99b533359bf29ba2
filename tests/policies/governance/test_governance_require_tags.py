"""governance-require-tags (F-01): taggable resources carry every required tag."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.governance.governance_require_tags import governance_require_tags
from cdcml.testing.harness import DELETE, Case, run_policy, secret, unknown
from tests.policies.fixtures import TAGS, props

POLICY = governance_require_tags
RESOURCE_TYPE = T.FACTORY
BASE: dict[str, Any] = props("factory")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_odd_case_keys": {"tags": {k.upper(): v for k, v in TAGS.items()}},
    "pass_configured_tags": Case({"tags": {"owner": DELETE}}, config={"requiredTags": ["cost-center"]}),
    "pass_not_taggable": Case({"tags": DELETE}, resource_type=T.CHANGE_DATA_CAPTURE),
    "pass_secret_tag_value": {"tags": {"owner": secret("hunter2-owner")}},
    "fail_missing_owner": Case({"tags": {"owner": DELETE}}, match="Missing or empty tags: owner."),
    "fail_empty_value": Case({"tags": {"environment": "  "}}, match="environment"),
    "fail_no_tags": Case({"tags": DELETE}, match="owner, cost-center, environment, data-classification"),
    "fail_wrong_typed_tags": Case({"tags": ["owner"]}, match="owner"),
    "fail_non_string_value": Case({"tags": {"owner": 42}}, match="owner"),
    "unknown_tags": Case({"tags": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_governance_require_tags(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])


def test_remediation_adds_configured_default_tags() -> None:
    found = run_policy(
        POLICY,
        RESOURCE_TYPE,
        {**BASE, "tags": {"owner": "data-platform"}},
        config={"defaultTags": {"cost-center": "cc-1", "environment": "dev", "data-classification": "internal"}},
        enforcement_level="remediate",
    )
    assert found.remediations[0].changed == ("tags",)
    assert found.remediations[0].properties["tags"]["cost-center"] == "cc-1"
    assert not [f for f in found.findings if f.kind.value == "violation"]


def test_remediation_without_a_default_reports_the_tag_as_mandatory() -> None:
    found = run_policy(
        POLICY,
        RESOURCE_TYPE,
        {**BASE, "tags": {}},
        config={"defaultTags": {"environment": "dev"}},
        enforcement_level="remediate",
    )
    [violation] = [f for f in found.findings if f.kind.value == "violation"]
    assert violation.enforcement_level.value == "mandatory"
    assert "owner, cost-center, data-classification" in violation.message
