"""network-disable-storage-public-access (B-08): a storage account has public network access off."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_disable_storage_public_access import network_disable_storage_public_access
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = network_disable_storage_public_access
RESOURCE_TYPE = T.STORAGE_ACCOUNT
BASE: dict[str, Any] = props("landing")
FIREWALLED = {"publicNetworkAccess": "Enabled", "networkRuleSet": {"defaultAction": "Deny"}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_perimeter": {"publicNetworkAccess": "SecuredByPerimeter"},
    "pass_firewalled_when_allowed": Case(FIREWALLED, config={"allowFirewalledPublicAccess": True}),
    "fail_enabled_and_open": Case(
        {"publicNetworkAccess": "Enabled", "networkRuleSet": {"defaultAction": "Allow"}}, match="reachable from any"
    ),
    "fail_missing": Case({"publicNetworkAccess": DELETE, "networkRuleSet": DELETE}, match="is not set"),
    "fail_firewalled_by_default": Case(FIREWALLED, match="still has a public endpoint"),
    "unknown_access": Case({"publicNetworkAccess": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_disable_storage_public_access(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
