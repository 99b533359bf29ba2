"""network-disable-workspace-public-access (B-05): an ML workspace has public network access off."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_disable_workspace_public_access import network_disable_workspace_public_access
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = network_disable_workspace_public_access
RESOURCE_TYPE = T.ML_WORKSPACE
BASE: dict[str, Any] = props("workspace")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_behind_vnet_flag_unset": {"allowPublicAccessWhenBehindVnet": DELETE},
    "fail_enabled": Case({"publicNetworkAccess": "Enabled"}, match='"Enabled"; it must be "Disabled"'),
    "fail_missing": Case({"publicNetworkAccess": DELETE}, match="is not set"),
    "fail_public_when_behind_vnet": Case({"allowPublicAccessWhenBehindVnet": True}, match="re-opens"),
    "fail_public_when_behind_vnet_as_string": Case({"allowPublicAccessWhenBehindVnet": "True"}, match="re-opens"),
    "unknown_access": Case({"publicNetworkAccess": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_disable_workspace_public_access(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
