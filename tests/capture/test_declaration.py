"""The graph lists resources in the program's declaration order: deterministic, and
topological (a resource can only refer to resources that already exist)."""

from __future__ import annotations

from pathlib import Path

from cdcml.capture.declaration import DeclarationOrder
from cdcml.capture.program import capture, capture_program
from cdcml.capture.records import Record
from cdcml.model import ResourceOptions

S = "urn:pulumi:dev::proj::"
STACK = S + "pulumi:pulumi:Stack::proj-dev"


def rec(urn: str, provider: str = "") -> Record:
    return Record(
        urn=urn,
        type=urn.split("::")[2],
        name=urn.rsplit("::", 1)[1],
        custom=True,
        id="",
        inputs={},
        outputs={},
        parent="",
        dependencies=[],
        property_dependencies={},
        provider=provider,
        options=ResourceOptions(),
    )


def test_resource_order_is_the_declaration_order_on_every_run():
    """Registrations arrive in an order the SDK's scheduling varies; the graph lists them
    in the program's declaration order (deterministic, and topological)."""
    root = Path(__file__).resolve().parents[2]
    orders = set()
    for _ in range(3):
        graph = capture(root, "fanin")
        seen: set[str] = set()
        for r in graph:
            provider = r.provider.rsplit("::", 1)[0] if r.provider else ""
            for needed in (*r.dependencies, r.parent, provider):
                assert not needed or needed in seen, f"{r.urn} comes before {needed}"
            seen.add(r.urn)
        orders.add(tuple(r.urn for r in graph))
    assert len(orders) == 1


def test_components_and_their_children_are_declared_with_engine_urns():
    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        class Landing(pulumi.ComponentResource):
            def __init__(self, name: str) -> None:
                super().__init__("test:index:Landing", name)
                resources.ResourceGroup(f"{name}-rg", opts=pulumi.ResourceOptions(parent=self))

        resources.ResourceGroup("first")
        Landing("landing")
        resources.ResourceGroup("last")

    graph = capture_program(program, project="proj", stack="dev")
    default_provider = graph.resources[1]
    assert default_provider.type == "pulumi:providers:azure-native"
    assert default_provider.name.startswith("default_")
    assert [r.urn for r in graph] == [
        STACK,
        default_provider.urn,  # just before its first user
        S + "azure-native:resources:ResourceGroup::first",
        S + "test:index:Landing::landing",
        S + "test:index:Landing$azure-native:resources:ResourceGroup::landing-rg",
        S + "azure-native:resources:ResourceGroup::last",
    ]


def test_the_order_puts_the_stack_first_then_declaration_order():
    order = DeclarationOrder("dev", "proj")
    order._positions.update({S + "a:b:C::second": 1, S + "a:b:C::first": 0})
    records = {r.urn: r for r in (rec(S + "a:b:C::second"), rec(S + "a:b:C::first"), rec(STACK))}
    assert [r.name for r in order.order(records, STACK)] == ["proj-dev", "first", "second"]


def test_an_undeclared_resource_goes_just_before_its_first_user():
    provider = S + "pulumi:providers:azure-native::default"
    order = DeclarationOrder("dev", "proj")
    order._positions.update({S + "a:b:C::x": 0, S + "a:b:C::y": 1, S + "a:b:C::z": 2})
    records = {
        r.urn: r
        for r in (
            rec(S + "a:b:C::x"),
            rec(S + "a:b:C::z", provider=f"{provider}::id"),
            rec(provider),
            rec(S + "a:b:C::y", provider=f"{provider}::id"),
        )
    }
    assert [r.name for r in order.order(records, "")] == ["x", "default", "y", "z"]


def test_undeclared_resources_nobody_uses_go_last_in_arrival_order():
    order = DeclarationOrder("dev", "proj")
    order._positions.update({S + "a:b:C::x": 0})
    records = {r.urn: r for r in (rec(S + "p:q:R::late2"), rec(S + "a:b:C::x"), rec(S + "p:q:R::late1"))}
    # Not used by anything: after every declared resource, in the order they arrived.
    assert [r.name for r in order.order(records, "")] == ["x", "late2", "late1"]
