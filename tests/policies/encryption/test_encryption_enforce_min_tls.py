"""encryption-enforce-min-tls (D-05): TLS 1.2+ on storage, Event Hubs and source databases."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.encryption.encryption_enforce_min_tls import encryption_enforce_min_tls
from cdcml.testing.harness import DELETE, Case, run_policy, unknown
from tests.policies.fixtures import props

POLICY = encryption_enforce_min_tls
RESOURCE_TYPE = T.STORAGE_ACCOUNT
BASE: dict[str, Any] = props("landing")
EH = T.EH_NAMESPACE
SQL = T.SQL_SERVER
PG = T.PG_CONFIGURATION

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_tls13": {"minimumTlsVersion": "TLS1_3"},
    "pass_eventhub_default": Case({"minimumTlsVersion": DELETE}, resource_type=EH),
    "pass_sql": Case({"minimalTlsVersion": "1.3"}, resource_type=SQL),
    "pass_pg_secure_transport": Case(
        {"configurationName": "require_secure_transport", "value": "ON"}, resource_type=PG
    ),
    "pass_pg_other_parameter": Case({"configurationName": "wal_level", "value": "logical"}, resource_type=PG),
    "fail_storage_tls10": Case({"minimumTlsVersion": "TLS1_0"}, match='"TLS1_0"'),
    "fail_storage_default": Case({"minimumTlsVersion": DELETE}, match="minimumTlsVersion is not set"),
    "fail_http_allowed": Case({"enableHttpsTrafficOnly": False}, match="Plain HTTP"),
    "fail_eventhub_tls11": Case({"minimumTlsVersion": "1.1"}, resource_type=EH, match='"1.1"'),
    "fail_sql_default": Case({"minimalTlsVersion": DELETE}, resource_type=SQL, match="minimalTlsVersion is not set"),
    "fail_pg_plaintext": Case(
        {"configurationName": "require_secure_transport", "value": "off"}, resource_type=PG, match="unencrypted"
    ),
    "fail_pg_old_protocol": Case(
        {"configurationName": "ssl_min_protocol_version", "value": "TLSv1.1"}, resource_type=PG, match='"TLSv1.1"'
    ),
    "unknown_version": Case({"minimumTlsVersion": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_encryption_enforce_min_tls(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])


def test_remediation_raises_tls_to_1_2_and_the_result_passes() -> None:
    found = run_policy(POLICY, RESOURCE_TYPE, {**BASE, "minimumTlsVersion": "TLS1_0"}, enforcement_level="remediate")
    assert found.remediations[0].properties["minimumTlsVersion"] == "TLS1_2"
    assert not [f for f in found.findings if f.kind.value == "violation"]
