"""governance-enforce-linked-service-types (F-04): linked services are of allowed types."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.governance.governance_enforce_linked_service_types import governance_enforce_linked_service_types
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = governance_enforce_linked_service_types
RESOURCE_TYPE = T.LINKED_SERVICE
BASE: dict[str, Any] = props("orders-link")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_adls": {"properties": {"type": "AzureBlobFS"}},
    "pass_odd_case": {"properties": {"type": "azuresqldatabase"}},
    "pass_configured_type": Case(
        {"properties": {"type": "Salesforce"}}, config={"allowedLinkedServiceTypes": ["Salesforce"]}
    ),
    "fail_exfiltration_connector": Case(
        {"properties": {"type": "FtpServer"}}, match="not an allowed linked service type"
    ),
    "fail_missing_type": Case({"properties": {"type": DELETE}}, match="type is not set"),
    "unknown_type": Case({"properties": {"type": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_governance_enforce_linked_service_types(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
