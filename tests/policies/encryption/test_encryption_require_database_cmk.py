"""encryption-require-database-cmk (D-08): a sensitive CDC source database uses a customer-managed key."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.encryption.encryption_require_database_cmk import encryption_require_database_cmk
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = encryption_require_database_cmk
RESOURCE_TYPE = T.SQL_SERVER
BASE: dict[str, Any] = props("sql")
PG = T.PG_SERVER
RESTRICTED = {"tags": {"data-classification": "restricted"}}
PG_CMK = {"dataEncryption": {"type": "AzureKeyVault", "primaryKeyURI": "https://kv.vault.azure.net/keys/pg/1"}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_sql_with_key": {**RESTRICTED, "keyId": "https://kv.vault.azure.net/keys/sql/1"},
    "pass_pg_with_key": Case({**RESTRICTED, **PG_CMK}, resource_type=PG),
    "fail_sql_without_key": Case(RESTRICTED, match="keyId is not set"),
    "fail_pg_system_managed": Case(
        {**RESTRICTED, "dataEncryption": {"type": "SystemManaged"}}, resource_type=PG, match='"AzureKeyVault"'
    ),
    "fail_required_regardless": Case({}, config={"requireCmk": True}, match="TDE protector"),
    "unknown_key": Case({**RESTRICTED, "keyId": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_encryption_require_database_cmk(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
