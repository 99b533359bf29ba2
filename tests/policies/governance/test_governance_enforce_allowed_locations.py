"""governance-enforce-allowed-locations (F-05): resources are deployed to allowed regions."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.governance.governance_enforce_allowed_locations import governance_enforce_allowed_locations
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = governance_enforce_allowed_locations
RESOURCE_TYPE = T.STORAGE_ACCOUNT
BASE: dict[str, Any] = props("landing")
EU = {"allowedLocations": ["westeurope", "North Europe"]}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_no_allow_list_configured": {"location": "eastus"},
    "pass_display_name_spelling": Case({"location": "West Europe"}, config=EU),
    "pass_configured_spelling": Case({"location": "northeurope"}, config=EU),
    "pass_global_resource": Case({"location": "global"}, config=EU),
    "pass_inherits_resource_group": Case({"location": DELETE}, config=EU),
    "fail_outside_allow_list": Case({"location": "eastus"}, config=EU, match='location is "eastus", outside'),
    "fail_secret_location_not_echoed": Case({"location": secret("hunter2-loc")}, config=EU, match="documented set"),
    "fail_wrong_type": Case({"location": 7}, config=EU, match="location is 7"),
    "unknown_location": Case({"location": unknown()}, config=EU),
}


@pytest.mark.parametrize("case", CASES)
def test_governance_enforce_allowed_locations(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
