"""identity-require-datastore-identity (C-07): ML datastores use identity-based access."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_require_datastore_identity import identity_require_datastore_identity
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = identity_require_datastore_identity
RESOURCE_TYPE = T.ML_DATASTORE
BASE: dict[str, Any] = props("datastore")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_user_assigned_identity": {"properties": {"serviceDataAccessAuthIdentity": "WorkspaceUserAssignedIdentity"}},
    "pass_onelake_without_service_identity": {
        "properties": {"datastoreType": "OneLake", "serviceDataAccessAuthIdentity": DELETE}
    },
    "fail_account_key": Case(
        {"properties": {"credentials": {"credentialsType": "AccountKey", "secrets": {"key": secret("hunter2-key")}}}},
        match='"AccountKey"',
    ),
    "fail_sas": Case({"properties": {"credentials": {"credentialsType": "Sas"}}}, match="listsecrets"),
    "fail_no_credentials": Case({"properties": {"credentials": DELETE}}, match="credentialsType is not set"),
    "fail_sdk_default_service_identity": Case(
        {"properties": {"serviceDataAccessAuthIdentity": "None"}}, match='serviceDataAccessAuthIdentity is "None"'
    ),
    "unknown_credentials_type": Case({"properties": {"credentials": {"credentialsType": unknown()}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_require_datastore_identity(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
