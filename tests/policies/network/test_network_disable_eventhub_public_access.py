"""network-disable-eventhub-public-access (B-04): Event Hubs has no public network access."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_disable_eventhub_public_access import network_disable_eventhub_public_access
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = network_disable_eventhub_public_access
RESOURCE_TYPE = T.EH_NAMESPACE
BASE: dict[str, Any] = props("events")
RULES = T.EH_NETWORK_RULE_SET

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_secured_by_perimeter": {"publicNetworkAccess": "SecuredByPerimeter"},
    "pass_rule_set_disabled": Case({"publicNetworkAccess": "Disabled", "defaultAction": "Allow"}, resource_type=RULES),
    "pass_rule_set_secured_by_perimeter": Case(
        {"publicNetworkAccess": "SecuredByPerimeter", "defaultAction": "Deny"}, resource_type=RULES
    ),
    # The rule set's publicNetworkAccess is the namespace's own switch: "Enabled" there re-opens a
    # namespace declared "Disabled", whatever defaultAction says.
    "fail_rule_set_enabled_though_it_denies": Case(
        {"publicNetworkAccess": "Enabled", "defaultAction": "Deny"},
        resource_type=RULES,
        match='rule set\'s publicNetworkAccess is "Enabled"',
    ),
    "fail_rule_set_access_left_out": Case(
        {"publicNetworkAccess": DELETE, "defaultAction": "Deny"}, resource_type=RULES, match="re-opens the namespace"
    ),
    "fail_enabled": Case({"publicNetworkAccess": "Enabled"}, match='is "Enabled"'),
    "fail_missing": Case({"publicNetworkAccess": DELETE}, match="is not set"),
    "fail_basic_tier": Case({"sku": {"name": "Basic", "tier": "Basic"}}, match="neither private link"),
    "fail_no_tier": Case({"sku": DELETE}, match="sku is not set"),
    "fail_basic_billing_tier": Case({"sku": {"name": "Standard", "tier": "Basic"}}, match='sku.tier is "Basic"'),
    "fail_rule_set_allows": Case(
        {"publicNetworkAccess": "Enabled", "defaultAction": "Allow"}, resource_type=RULES, match='defaultAction "Allow"'
    ),
    "unknown_access": Case({"publicNetworkAccess": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_disable_eventhub_public_access(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
