"""identity-disable-eventhub-local-auth (C-04): Event Hubs accepts only Microsoft Entra ID."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.identity.identity_disable_eventhub_local_auth import identity_disable_eventhub_local_auth
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = identity_disable_eventhub_local_auth
RESOURCE_TYPE = T.EH_NAMESPACE
BASE: dict[str, Any] = props("events")
NS_RULE = T.EH_NAMESPACE_AUTH_RULE
HUB_RULE = T.EH_HUB_AUTH_RULE

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_root_rule": Case(
        {"authorizationRuleName": "RootManageSharedAccessKey", "rights": ["Listen"]}, resource_type=NS_RULE
    ),
    "pass_hub_listen_rule": Case({"authorizationRuleName": "reader", "rights": ["Listen"]}, resource_type=HUB_RULE),
    "fail_local_auth_default": Case({"disableLocalAuth": DELETE}, match="disableLocalAuth is not true"),
    "fail_local_auth_on": Case({"disableLocalAuth": False}, match="shared access key"),
    "fail_namespace_rule": Case(
        {"authorizationRuleName": "producers", "rights": ["Send"]}, resource_type=NS_RULE, match="other than Root"
    ),
    "fail_hub_manage_rule": Case(
        {"authorizationRuleName": "admin", "rights": ["Listen", "manage"]},
        resource_type=HUB_RULE,
        match="Manage rights",
    ),
    "unknown_flag": Case({"disableLocalAuth": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_identity_disable_eventhub_local_auth(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
