"""protection-configure-capture-destination (E-05): Capture writes with an identity to storage it can reach."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.protection.protection_configure_capture_destination import (
    protection_configure_capture_destination,
)
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = protection_configure_capture_destination
BASE: dict[str, Any] = PIPELINE
NO_BYPASS = {"landing": {"props": {"networkRuleSet": {"defaultAction": "Deny", "bypass": "None"}}}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_capture_off": {"hub": {"props": {"captureDescription": {"enabled": False, "destination": DELETE}}}},
    "pass_resource_access_rule": {
        "landing": {"props": {"networkRuleSet": {"bypass": "None", "resourceAccessRules": [{"resourceId": "/ns"}]}}}
    },
    "pass_destination_by_arm_id": {"hub": {"deps": {"captureDescription": DELETE}}},
    "fail_no_identity": Case(
        {"hub": {"props": {"captureDescription": {"destination": {"identity": DELETE}}}}}, match="shared keys"
    ),
    "fail_identity_type_none": Case(
        {"hub": {"props": {"captureDescription": {"destination": {"identity": {"type": "None"}}}}}},
        match='type is "None"',
    ),
    "fail_premium_account": Case({"landing": {"props": {"sku": {"name": "Premium_LRS"}}}}, match="premium storage"),
    "fail_firewall_without_bypass": Case(NO_BYPASS, match="without the AzureServices bypass"),
    "unknown_destination": Case(
        {
            "hub": {
                "deps": {"captureDescription": ["events"]},
                "props": {"captureDescription": {"destination": {"storageAccountResourceId": unknown()}}},
            }
        }
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_protection_configure_capture_destination(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
