"""identity-require-factory-managed-identity (C-01): a Data Factory has a managed identity."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_require_factory_managed_identity import identity_require_factory_managed_identity
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = identity_require_factory_managed_identity
RESOURCE_TYPE = T.FACTORY
BASE: dict[str, Any] = props("factory")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_user_assigned": {"identity": {"type": "UserAssigned", "userAssignedIdentities": {"/id": {}}}},
    "pass_both_with_space": {"identity": {"type": "SystemAssigned, UserAssigned"}},
    "fail_no_identity": Case({"identity": DELETE}, match="identity.type is not set"),
    "fail_identity_without_type": Case({"identity": {"type": DELETE}}, match="is not set"),
    "fail_unknown_type_value": Case({"identity": {"type": "None"}}, match="outside the documented set"),
    "unknown_identity": Case({"identity": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_require_factory_managed_identity(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
