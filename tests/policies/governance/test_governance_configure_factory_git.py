"""governance-configure-factory-git (F-03): only development factories use Git integration."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.governance.governance_configure_factory_git import governance_configure_factory_git
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = governance_configure_factory_git
RESOURCE_TYPE = T.FACTORY
BASE: dict[str, Any] = props("factory")
DEV = {"environment": "dev"}
PROD = {"environment": "prod"}
GIT = {
    "repoConfiguration": {
        "type": "FactoryGitHubConfiguration",
        "accountName": "contoso",
        "repositoryName": "adf",
        "collaborationBranch": "main",
        "rootFolder": "/adf",
    }
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_dev_with_git": Case(GIT, config=DEV),
    "pass_prod_without_git": Case({}, config=PROD),
    "fail_dev_without_git": Case({}, config=DEV, match="development factory has no repoConfiguration"),
    "fail_prod_with_git": Case(GIT, config=PROD, match="A prod factory has repoConfiguration"),
    "fail_test_with_git": Case(GIT, match="A test factory"),
    "unknown_repo": Case({"repoConfiguration": unknown()}, config=DEV),
}


@pytest.mark.parametrize("case", CASES)
def test_governance_configure_factory_git(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
