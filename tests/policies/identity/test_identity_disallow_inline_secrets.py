"""identity-disallow-inline-secrets (C-03): no linked service carries an inline secret."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_disallow_inline_secrets import identity_disallow_inline_secrets
from cdcml.testing.harness import Case, secret, unknown
from tests.policies.fixtures import props

POLICY = identity_disallow_inline_secrets
RESOURCE_TYPE = T.LINKED_SERVICE
BASE: dict[str, Any] = props("orders-link")
VAULT_REF = {
    "type": "AzureKeyVaultSecret",
    "store": {"referenceName": "kv", "type": "LinkedServiceReference"},
    "secretName": "pw",
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_key_vault_reference": {"properties": {"password": VAULT_REF}},
    "pass_connection_string_without_secret": {
        "properties": {"connectionString": "Server=tcp:x.database.windows.net;Database=orders;"}
    },
    "pass_computed_values_in_preview": {
        "properties": {"connectVia": {"referenceName": unknown()}, "server": unknown()}
    },
    "fail_secure_string_password": Case(
        {"properties": {"password": {"type": "SecureString", "value": secret("hunter2-pw")}}},
        match="properties.password hold",
    ),
    "fail_odd_case_secure_string": Case(
        {"properties": {"servicePrincipalKey": {"type": "securestring", "value": "x"}}}, match="servicePrincipalKey"
    ),
    "fail_nested_secure_string": Case(
        {"properties": {"parameters": {"pw": {"type": "SecureString", "defaultValue": "x"}}}},
        match=r"properties\.parameters\.pw",
    ),
    "fail_password_in_connection_string": Case(
        {"properties": {"connectionString": secret("Server=x;Database=y;Password=hunter2-cs")}},
        match="embeds a password",
    ),
    "fail_account_key_in_connection_string": Case(
        {"properties": {"connectionString": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc"}},
        match="embeds",
    ),
    "unknown_connection_string": Case({"properties": {"connectionString": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_disallow_inline_secrets(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
