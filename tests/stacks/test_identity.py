"""RoleGrant and IdentityArgs: only least-privilege data-plane grants construct."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.stacks import IdentityArgs, RoleGrant
from cdcml.stacks.identity import LEAST_PRIVILEGE, role_definition_id
from cdcml.stacks.wiring import DataRole, GrantScope, Principal
from tests.stacks._cases import assert_bad

FACTORY_WRITES: dict[str, Any] = {
    "principal": Principal.DATA_FACTORY,
    "role": DataRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
    "scope": GrantScope.LANDING_CONTAINER,
    "target": "orders",
}

BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "ml_writes_landing": (
        {"principal": "ml-workspace", "role": "Storage Blob Data Contributor"},
        "role",
        "Storage Blob Data Reader",
    ),
    "factory_only_reads": ({"role": "Storage Blob Data Reader"}, "role", "Storage Blob Data Contributor"),
    "factory_on_the_hub": (
        {"scope": "event-hub", "role": "Azure Event Hubs Data Sender"},
        "scope",
        "landing-container",
    ),
    "topic_receives": (
        {"principal": "event-grid-topic", "scope": "event-hub", "role": "Azure Event Hubs Data Receiver"},
        "role",
        "Azure Event Hubs Data Sender",
    ),
    "owner_role": ({"role": "Storage Blob Data Owner"}, "role", "one of Storage Blob Data Contributor"),
    "account_scope": ({"scope": "storage-account"}, "scope", "landing-container"),
    "unknown_principal": ({"principal": "someone"}, "principal", "data-factory"),
    "target_with_slash": ({"target": "orders/cdc"}, "target", "container or event hub name"),
}


@pytest.mark.parametrize(("principal", "scope"), sorted(LEAST_PRIVILEGE))
def test_every_least_privilege_pair_constructs(principal: Principal, scope: GrantScope) -> None:
    grant = RoleGrant(principal=principal, role=LEAST_PRIVILEGE[(principal, scope)], scope=scope, target="x1")
    assert grant.key == f"{principal}-{scope}-x1"


@pytest.mark.parametrize("case", BAD)
def test_grants_beyond_least_privilege_are_rejected_naming_the_field(case: str) -> None:
    overrides, field, allowed = BAD[case]
    assert_bad(RoleGrant, FACTORY_WRITES, overrides, field, allowed)


def test_identity_args_reject_a_repeated_grant_and_an_empty_list() -> None:
    grant = RoleGrant(**FACTORY_WRITES)
    assert IdentityArgs(grants=[grant]).grants == (grant,)
    assert_bad(IdentityArgs, {"grants": (grant,)}, {"grants": (grant, grant)}, "grants[1]", "not listed before")
    assert_bad(IdentityArgs, {"grants": (grant,)}, {"grants": ()}, "grants", "a list of 1 to 200 items")
    assert_bad(IdentityArgs, {"grants": (grant,)}, {"grants": (FACTORY_WRITES,)}, "grants[0]", "a RoleGrant")


def test_role_definition_ids_are_subscription_scoped_built_in_roles() -> None:
    assert role_definition_id("sub-1", DataRole.STORAGE_BLOB_DATA_READER) == (
        "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
    )
