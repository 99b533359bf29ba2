"""encryption-require-workspace-cmk (D-03): a sensitive ML workspace uses a customer-managed key."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.encryption.encryption_require_workspace_cmk import encryption_require_workspace_cmk
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = encryption_require_workspace_cmk
RESOURCE_TYPE = T.ML_WORKSPACE
BASE: dict[str, Any] = props("workspace")
RESTRICTED = {"tags": {"data-classification": "restricted"}}
CMK = {
    "encryption": {
        "status": "Enabled",
        "keyVaultProperties": {"keyVaultArmId": "/kv", "keyIdentifier": "https://kv.vault.azure.net/keys/ml/1"},
    }
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_restricted_with_cmk": {**RESTRICTED, **CMK},
    "fail_restricted_without_cmk": Case(RESTRICTED, match='encryption.status must be "Enabled"'),
    "fail_disabled": Case(
        {**RESTRICTED, "encryption": {**CMK["encryption"], "status": "Disabled"}}, match="customer-managed"
    ),
    "fail_required_regardless": Case({}, config={"requireCmk": True}, match="customer-managed"),
    "fail_disabled_whatever_its_unknown_key": Case(
        {**RESTRICTED, "encryption": {"status": "Disabled", "keyVaultProperties": {"keyIdentifier": unknown()}}},
        preview=True,
        match='encryption.status must be "Enabled"',
    ),
    "unknown_status": Case({**RESTRICTED, "encryption": {"status": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_encryption_require_workspace_cmk(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
