"""identity-configure-workspace-identity (C-08): an ML workspace reaches its storage with its identity."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_configure_workspace_identity import identity_configure_workspace_identity
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = identity_configure_workspace_identity
RESOURCE_TYPE = T.ML_WORKSPACE
BASE: dict[str, Any] = props("workspace")
REQUIRE_UAI = {"requireUserAssignedIdentity": True}
UAI = {
    "identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {"/uai": {}}},
    "primaryUserAssignedIdentity": "/uai",
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_user_assigned_required": Case(UAI, config=REQUIRE_UAI),
    "pass_odd_case_mode": {"systemDatastoresAuthMode": "identity"},
    "fail_access_key_default": Case({"systemDatastoresAuthMode": DELETE}, match="systemDatastoresAuthMode is not set"),
    "fail_access_key": Case({"systemDatastoresAuthMode": "AccessKey"}, match='"AccessKey"'),
    "fail_user_assigned_required": Case({}, config=REQUIRE_UAI, match="user-assigned identity"),
    "fail_user_assigned_without_primary": Case(
        {**UAI, "primaryUserAssignedIdentity": DELETE}, config=REQUIRE_UAI, match="primaryUserAssignedIdentity"
    ),
    "unknown_mode": Case({"systemDatastoresAuthMode": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_configure_workspace_identity(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
