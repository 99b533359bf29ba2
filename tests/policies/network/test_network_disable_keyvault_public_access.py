"""network-disable-keyvault-public-access (B-09): a Key Vault is not open to every network."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_disable_keyvault_public_access import network_disable_keyvault_public_access
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = network_disable_keyvault_public_access
RESOURCE_TYPE = T.KEY_VAULT
BASE: dict[str, Any] = props("ml-vault")
OPEN = {"publicNetworkAccess": "enabled", "networkAcls": {"defaultAction": "Allow"}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_capitalised_disabled": {"properties": {"publicNetworkAccess": "Disabled"}},
    "pass_public_but_firewalled": {
        "properties": {"publicNetworkAccess": "enabled", "networkAcls": {"defaultAction": "Deny"}}
    },
    "fail_open": Case({"properties": OPEN}, match="accepts requests from any network"),
    "fail_defaults": Case({"properties": {"publicNetworkAccess": DELETE, "networkAcls": DELETE}}, match="any network"),
    "unknown_access": Case({"properties": {"publicNetworkAccess": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_disable_keyvault_public_access(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
