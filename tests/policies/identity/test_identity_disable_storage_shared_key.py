"""identity-disable-storage-shared-key (C-05): no shared keys or local users on storage."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_disable_storage_shared_key import identity_disable_storage_shared_key
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = identity_disable_storage_shared_key
RESOURCE_TYPE = T.STORAGE_ACCOUNT
BASE: dict[str, Any] = props("landing")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_local_users_off": {"isLocalUserEnabled": False},
    "fail_shared_key_default": Case({"allowSharedKeyAccess": DELETE}, match="allowSharedKeyAccess is not set"),
    "fail_shared_key_on": Case({"allowSharedKeyAccess": True}, match="account key"),
    "fail_shared_key_as_string": Case({"allowSharedKeyAccess": "true"}, match="allowSharedKeyAccess is"),
    "fail_local_users": Case({"isLocalUserEnabled": True}, match="Local users"),
    "unknown_flag": Case({"allowSharedKeyAccess": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_disable_storage_shared_key(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
