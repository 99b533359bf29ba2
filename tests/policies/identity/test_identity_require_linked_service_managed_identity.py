"""identity-require-linked-service-managed-identity (C-02): SQL and Storage linked services use
the factory's managed identity."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_require_linked_service_managed_identity import (
    identity_require_linked_service_managed_identity,
)
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = identity_require_linked_service_managed_identity
RESOURCE_TYPE = T.LINKED_SERVICE
BASE: dict[str, Any] = props("orders-link")
ADLS = {"properties": props("landing-link")["properties"]}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_user_assigned": {"properties": {"authenticationType": "UserAssignedManagedIdentity"}},
    "pass_adls_with_factory_identity": ADLS,
    "pass_blob_msi": {
        "properties": {"type": "AzureBlobStorage", "authenticationType": "Msi", "serviceEndpoint": "https://x"}
    },
    "pass_other_connector": {"properties": {"type": "AzureKeyVault", "password": "irrelevant"}},
    "fail_sql_login": Case({"properties": {"authenticationType": "SQL"}}, match='authenticationType is "SQL"'),
    "fail_sql_password": Case(
        {"properties": {"authenticationType": DELETE, "password": {"type": "AzureKeyVaultSecret"}}},
        match="properties.password set a stored credential",
    ),
    "fail_account_key": Case(
        {"properties": {**ADLS["properties"], "accountKey": secret("hunter2-key")}}, match="properties.accountKey"
    ),
    "fail_blob_sas": Case(
        {"properties": {"type": "AzureBlobStorage", "authenticationType": "SasUri", "sasUri": "https://x?sig=y"}},
        match='"SasUri"',
    ),
    "fail_connection_string_user": Case(
        {
            "properties": {
                "authenticationType": DELETE,
                "connectionString": secret("Server=x;User ID=sa;Password=hunter2"),
            }
        },
        match="connectionString carries",
    ),
    "unknown_authentication_type": Case({"properties": {"authenticationType": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_require_linked_service_managed_identity(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
