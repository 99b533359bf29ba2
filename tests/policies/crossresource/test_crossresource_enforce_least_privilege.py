"""crossresource-enforce-least-privilege (X-05): the pipeline identities hold just the roles the flow needs."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.crossresource.crossresource_enforce_least_privilege import crossresource_enforce_least_privilege
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE, RG, SUB

POLICY = crossresource_enforce_least_privilege
BASE: dict[str, Any] = PIPELINE
CONTRIBUTOR = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
BLOB_CONTRIBUTOR = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"


def role(name: str, principal: str, role_id: str, scope: Any, scope_deps: list[str] | None = None) -> dict[str, Any]:
    deps: dict[str, Any] = {"principalId": [principal]}
    if scope_deps:
        deps["scope"] = scope_deps
    return {
        name: {
            "type": "azure-native:authorization:RoleAssignment",
            "props": {"principalId": "p", "roleDefinitionId": role_id, "scope": scope},
            "deps": deps,
        }
    }


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_container_scope": {
        "role-factory-landing": {"deps": {"scope": ["landing-container"]}, "props": {"scope": "container-id"}},
    },
    "pass_scope_by_arm_id": {"role-factory-landing": {"deps": {"scope": DELETE}}},
    "fail_factory_without_write_role": Case({"role-factory-landing": DELETE}, match="no Storage Blob Data Contributor"),
    "fail_factory_contributor_on_group": Case(
        role("broad", "factory", CONTRIBUTOR, RG), match="Contributor on a whole resource group"
    ),
    "fail_factory_contributor_on_subscription": Case(
        role("broad", "factory", CONTRIBUTOR, SUB), match="resource group or subscription"
    ),
    "fail_workspace_can_write": Case(
        {"role-workspace-landing": {"props": {"roleDefinitionId": BLOB_CONTRIBUTOR}}}, match="Reader suffices"
    ),
    "unknown_role": Case(
        {"role-factory-landing": {"props": {"roleDefinitionId": unknown()}, "deps": {"roleDefinitionId": ["rg"]}}}
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_crossresource_enforce_least_privilege(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
