"""encryption-enforce-linked-service-tls (D-06): database linked services encrypt and verify certificates."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.encryption.encryption_enforce_linked_service_tls import encryption_enforce_linked_service_tls
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = encryption_enforce_linked_service_tls
RESOURCE_TYPE = T.LINKED_SERVICE
BASE: dict[str, Any] = props("orders-link")
PG = {"type": "AzurePostgreSql", "server": "pg.postgres.database.azure.com", "sslMode": 4, "encrypt": DELETE}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_encrypt_true": {"properties": {"encrypt": True}},
    "pass_encrypt_strict": {"properties": {"encrypt": "Strict"}},
    "pass_encrypt_default": {"properties": {"encrypt": DELETE}},
    "pass_pg_verify_ca": {"properties": PG},
    "pass_adls": {"properties": props("landing-link")["properties"]},
    "fail_encrypt_optional": Case({"properties": {"encrypt": "optional"}}, match='encrypt is "optional"'),
    "fail_encrypt_false": Case({"properties": {"encrypt": False}}, match="encrypt is false"),
    "fail_trust_server_certificate": Case(
        {"properties": {"trustServerCertificate": True}}, match="any server certificate"
    ),
    "fail_pg_prefer": Case({"properties": {**PG, "sslMode": 2}}, match="sslMode is 2"),
    "unknown_encrypt": Case({"properties": {"encrypt": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_encryption_enforce_linked_service_tls(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
