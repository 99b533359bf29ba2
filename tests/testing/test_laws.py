"""The deterministic and discreet laws (cdcml.testing.laws)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import ResourceValidationPolicy

from cdcml.capture import capture
from cdcml.engine.pack import DEFAULT_PACK, load_pack, pack_from_policies
from cdcml.testing import GraphBuilder
from cdcml.testing.laws import dependency_orders, nondeterminism, reorder, secret_leaks

ROOT = Path(__file__).resolve().parents[2]
SERVER = "azure-native:sql:Server"


def _quotes_the_password(args, report):
    if args.resource_type == SERVER and args.props.get("administratorLoginPassword"):
        report(f"password {args.props['administratorLoginPassword']} is inline")


def _names_the_key_only(args, report):
    if args.resource_type == SERVER and args.props.get("administratorLoginPassword"):
        report("administratorLoginPassword is inline")


SEEN: list[str] = []


def _out_of_order(args, report):
    """Stateful across calls: flags a server that comes after one whose URN sorts later."""
    if args.resource_type == SERVER:
        if SEEN and SEEN[-1] > args.urn:
            report("out of order")
        SEEN.append(args.urn)


def servers(count: int = 2, **props):
    g = GraphBuilder()
    rg = g.add("azure-native:resources:ResourceGroup", "rg", {"location": "westeurope"})
    for i in range(count):
        g.add(SERVER, f"sql{i}", {"administratorLoginPassword": f"pw-{i}-value", **props}, parent=rg)
    return g.build()


def test_a_policy_quoting_a_secret_it_reads_is_a_leak_and_one_naming_the_key_is_not():
    leaky = pack_from_policies(
        "p",
        [
            ResourceValidationPolicy(name="quotes", description="Quotes.", validate=_quotes_the_password),
            ResourceValidationPolicy(name="names", description="Names.", validate=_names_the_key_only),
        ],
        enforcement_level="mandatory",
    )
    leaks = secret_leaks(servers(), [leaky])
    assert {(leak.policy, leak.urn.rsplit("::", 1)[-1], leak.path, leak.where) for leak in leaks} == {
        ("quotes", "sql0", ("administratorLoginPassword",), "message"),
        ("quotes", "sql1", ("administratorLoginPassword",), "message"),
    }


@pytest.mark.parametrize("stack", ["seed", "prod", "fanin"])
def test_the_guardrails_quote_no_secret_they_read_on_the_reference_stacks(stack):
    """Discreet: every string a guardrails policy reads, made secret, stays out of every
    message and remediation as the policies produce them."""
    assert secret_leaks(capture(ROOT, stack), [load_pack(DEFAULT_PACK)]) == []


@given(st.data())
@settings(max_examples=25, deadline=None)
def test_every_drawn_order_keeps_parents_and_dependencies_first(data):
    """A drawn order is a permutation in which each resource follows its parent and every
    resource it depends on."""
    g = GraphBuilder()
    rg = g.add("azure-native:resources:ResourceGroup", "rg", {})
    a = g.add("azure-native:storage:StorageAccount", "a", {}, parent=rg)
    g.add("azure-native:storage:BlobContainer", "c", {}, parent=rg, depends_on=[a])
    g.add("azure-native:eventhub:Namespace", "ns", {}, parent=rg, property_dependencies={"x": [a]})
    g.add("azure-native:resources:ResourceGroup", "other", {})
    graph = g.build()
    order = data.draw(dependency_orders(graph))
    assert sorted(order) == list(range(len(graph.resources)))
    moved = reorder(graph, order)
    position = {r.urn: i for i, r in enumerate(moved.resources)}
    for r in moved.resources:
        for need in [r.parent, *r.dependencies, *(u for us in r.property_dependencies.values() for u in us)]:
            if need:
                assert position[need] < position[r.urn]


def test_a_stateful_policy_that_depends_on_the_order_of_resources_breaks_determinism():
    SEEN.clear()
    stateful = pack_from_policies(
        "p",
        [ResourceValidationPolicy(name="order", description="Order.", validate=_out_of_order)],
        enforcement_level="mandatory",
    )
    g = servers()
    SEEN.clear()
    assert nondeterminism(g, [stateful]) == ["two evaluations of the same graph gave different findings"]
    SEEN.clear()
    problems = nondeterminism(g, [stateful], order=[0, 2, 1])
    assert any(p.startswith("p/order on ") and "sql" in p for p in problems), problems


@pytest.mark.parametrize("stack", ["seed", "prod"])
def test_the_guardrails_are_deterministic_under_a_dependency_preserving_reorder(stack):
    """Deterministic: the same graph twice, and the graph in another declaration order,
    give the same resource-policy findings."""
    g = capture(ROOT, stack)
    order = list(reversed(range(len(g.resources))))
    urns = [r.urn for r in g.resources]
    # Reversed order is not dependency-preserving in general; keep only a legal one.
    placed: set[str] = set()
    legal: list[int] = []
    pending = order[:]
    while pending:
        for i in pending:
            r = g.resources[i]
            needs = {r.parent, *r.dependencies} & set(urns)
            if needs <= placed:
                legal.append(i)
                placed.add(r.urn)
                pending.remove(i)
                break
    assert nondeterminism(g, [load_pack(DEFAULT_PACK)], order=legal) == []


def _copies_the_password_into_a_tag(args):
    if args.resource_type == SERVER and args.props.get("administratorLoginPassword"):
        return {**args.props, "tags": {"pw": str(args.props["administratorLoginPassword"])}}
    return None


def _sets_the_login_only(args):
    if args.resource_type == SERVER:
        return {"administratorLogin": "admin"}
    return None


def test_a_remediation_copying_a_secret_it_reads_is_a_leak_and_one_leaving_it_out_is_not():
    remediating = pack_from_policies(
        "r",
        [
            ResourceValidationPolicy(
                name="copies",
                description="Copies.",
                validate=_names_the_key_only,
                remediate=_copies_the_password_into_a_tag,
            ),
            ResourceValidationPolicy(
                name="keeps", description="Keeps.", validate=_names_the_key_only, remediate=_sets_the_login_only
            ),
        ],
        enforcement_level="remediate",
    )
    leaks = secret_leaks(servers(), [remediating])
    assert {(leak.policy, leak.urn.rsplit("::", 1)[-1], leak.where) for leak in leaks} == {
        ("copies", "sql0", "remediation"),
        ("copies", "sql1", "remediation"),
    }
