"""identity-require-database-entra-auth (C-10): CDC source databases accept only Microsoft Entra ID."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_require_database_entra_auth import identity_require_database_entra_auth
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = identity_require_database_entra_auth
RESOURCE_TYPE = T.SQL_SERVER
BASE: dict[str, Any] = props("sql")
PG = T.PG_SERVER
PG_ENTRA = {"authConfig": {"activeDirectoryAuth": "Enabled", "passwordAuth": "Disabled"}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_separate_entra_only_resource": Case({"azureADOnlyAuthentication": True}, resource_type=T.SQL_AAD_ONLY),
    "pass_pg_entra_only": Case(PG_ENTRA, resource_type=PG),
    "fail_sql_logins": Case(
        {"administrators": DELETE, "administratorLogin": "sa", "administratorLoginPassword": secret("hunter2-pw")},
        match="azureADOnlyAuthentication is not true",
    ),
    "fail_entra_admin_but_sql_logins": Case(
        {"administrators": {"azureADOnlyAuthentication": False}}, match="SQL logins"
    ),
    "fail_separate_resource_off": Case(
        {"azureADOnlyAuthentication": False}, resource_type=T.SQL_AAD_ONLY, match="re-enables"
    ),
    "fail_pg_password_auth": Case(
        {"authConfig": {"activeDirectoryAuth": "Enabled", "passwordAuth": "Enabled"}},
        resource_type=PG,
        match="passwordAuth",
    ),
    "fail_pg_defaults": Case({}, resource_type=PG, match="activeDirectoryAuth is not set"),
    "fail_pg_entra_off_whatever_its_unknown_password_auth": Case(
        {"authConfig": {"activeDirectoryAuth": "Disabled", "passwordAuth": unknown()}},
        resource_type=PG,
        preview=True,
        match='activeDirectoryAuth is "Disabled"',
    ),
    "unknown_flag": Case({"administrators": {"azureADOnlyAuthentication": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_require_database_entra_auth(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
