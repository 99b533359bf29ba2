"""RoleGrant and IdentityArgs: only least-privilege data-plane grants construct."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from cdcml.model import ResourceGraph
from cdcml.model.values import is_unknown
from cdcml.stacks import IdentityArgs, RoleGrant
from cdcml.stacks.identity import LEAST_PRIVILEGE, role_definition_id
from cdcml.stacks.wiring import DataRole, GrantScope, Principal
from tests.fixtures.reference_stacks import reference_stack
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


ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def _nested_identity(value: Any, top: bool = True) -> bool:
    """Whether *value* names an identity to act with below its top level (a hub's
    ``captureDescription.destination.identity``, an Event Grid delivery's
    ``deliveryWithResourceIdentity.identity``); a top-level ``identity`` is the
    resource's own."""
    if isinstance(value, Mapping):
        return any((k == "identity" and not top) or _nested_identity(v, False) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_nested_identity(v, False) for v in value)
    return False


def _grants_by_principal(graph: ResourceGraph) -> dict[str, set[str]]:
    """Resource URN → the role assignments whose ``principalId`` comes from it."""
    granted: dict[str, set[str]] = {}
    for r in graph.resources:
        if r.type == ROLE_ASSIGNMENT:
            for principal in r.property_dependencies.get("principalId", ()):
                granted.setdefault(principal, set()).add(r.urn)
    return granted


@pytest.mark.parametrize("mode", ["preview", "resolved"])
@pytest.mark.parametrize("stack", ["dev", "prod", "fanin"])
def test_a_resource_acting_with_another_resources_identity_depends_on_that_identitys_roles(
    stack: str, mode: str
) -> None:
    """ "Make role assignments that a resource's identity-based feature needs dependencies
    of that resource": a resource naming an identity to act with (the hub's Capture, an
    Event Grid delivery) depends on every role assignment granted to the identity of each
    resource it depends on, so a first deploy never creates it before its roles."""
    graph = reference_stack(stack, mode)
    by_urn = {r.urn: r for r in graph.resources}
    granted = _grants_by_principal(graph)
    checked = []
    for r in graph.resources:
        if not r.custom or r.type == ROLE_ASSIGNMENT or not _nested_identity(r.inputs):
            continue
        for principal in r.dependencies:
            if "identity" in by_urn[principal].inputs and granted.get(principal):
                missing = granted[principal] - set(r.dependencies)
                assert not missing, f"{r.urn} acts with {principal}'s identity before {sorted(missing)}"
                checked.append((r.type, by_urn[principal].type))
    assert ("azure-native:eventgrid:SystemTopicEventSubscription", "azure-native:eventgrid:SystemTopic") in checked
    if stack == "prod":
        assert ("azure-native:eventhub:EventHub", "azure-native:eventhub:Namespace") in checked


@pytest.mark.parametrize("mode", ["preview", "resolved"])
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_role_assignment_carries_its_principals_id_unknown_in_preview(stack: str, mode: str) -> None:
    """A role assignment's ``principalId`` is its identity's computed id after create and
    unknown during a preview (as ``pulumi preview`` shows it), never the text "None"."""
    graph = reference_stack(stack, mode)
    by_urn = {r.urn: r for r in graph.resources}
    assignments = [r for r in graph.resources if r.type == ROLE_ASSIGNMENT]
    assert assignments
    for a in assignments:
        (principal,) = a.property_dependencies["principalId"]
        value = a.inputs["principalId"]
        if mode == "preview":
            assert is_unknown(value), (a.urn, value)
        else:
            assert value == by_urn[principal].outputs["identity"]["principalId"] != "None"
