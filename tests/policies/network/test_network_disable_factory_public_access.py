"""network-disable-factory-public-access (B-01): a Data Factory has public network access off."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_disable_factory_public_access import network_disable_factory_public_access
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = network_disable_factory_public_access
RESOURCE_TYPE = T.FACTORY
BASE: dict[str, Any] = props("factory")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_odd_case": {"publicNetworkAccess": "DISABLED"},
    "fail_enabled": Case({"publicNetworkAccess": "Enabled"}, match='is "Enabled"; it must be "Disabled"'),
    "fail_missing_means_enabled": Case({"publicNetworkAccess": DELETE}, match="is not set"),
    "fail_null": Case({"publicNetworkAccess": None}, match="is not set"),
    "fail_wrong_type": Case({"publicNetworkAccess": False}, match="is false"),
    "fail_secret_not_echoed": Case({"publicNetworkAccess": secret("hunter2-pna")}, match="outside the documented"),
    "unknown_access": Case({"publicNetworkAccess": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_disable_factory_public_access(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
