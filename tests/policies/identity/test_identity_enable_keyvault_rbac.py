"""identity-enable-keyvault-rbac (C-09): a Key Vault authorizes with Azure RBAC."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_enable_keyvault_rbac import identity_enable_keyvault_rbac
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = identity_enable_keyvault_rbac
RESOURCE_TYPE = T.KEY_VAULT
BASE: dict[str, Any] = props("ml-vault")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_empty_access_policies": {"properties": {"accessPolicies": []}},
    "fail_sdk_default": Case({"properties": {"enableRbacAuthorization": DELETE}}, match="is not true"),
    "fail_access_policies": Case(
        {"properties": {"accessPolicies": [{"objectId": "x", "permissions": {"secrets": ["get"]}}]}},
        match="accessPolicies is not empty",
    ),
    "unknown_flag": Case({"properties": {"enableRbacAuthorization": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_enable_keyvault_rbac(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
