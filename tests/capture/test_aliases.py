"""Aliases become alias URNs, as the engine records them; azure-native's type-only
aliases are stripped before the SDK expands them, and still reach the graph."""

from __future__ import annotations

from cdcml.capture.aliases import TypeAliases, alias_urns
from cdcml.capture.program import capture_program
from tests.capture._programs import register_request

S = "urn:pulumi:dev::proj::"
PARENT = S + "test:index:Landing::landing"
URN = S + "test:index:Landing$azure-native:storage:StorageAccount::acct"


def test_alias_urns_and_specs_are_resolved_as_the_engine_resolves_them():
    from pulumi.runtime.proto import alias_pb2

    request = register_request(
        "azure-native:storage:StorageAccount",
        "acct",
        parent=PARENT,
        aliasURNs=["urn:given:first"],
        aliases=[
            alias_pb2.Alias(urn="urn:given:second"),
            alias_pb2.Alias(spec=alias_pb2.Alias.Spec(name="old-name")),
            alias_pb2.Alias(spec=alias_pb2.Alias.Spec(noParent=True)),
            alias_pb2.Alias(spec=alias_pb2.Alias.Spec(parentUrn=S + "test:index:Other::o", type="x:y:Z")),
            alias_pb2.Alias(spec=alias_pb2.Alias.Spec(stack="prod", project="other", noParent=True)),
            alias_pb2.Alias(urn="urn:given:first"),
        ],
    )
    assert alias_urns(request, URN, "dev", "proj", ()) == (
        "urn:given:first",
        "urn:given:second",
        S + "test:index:Landing$azure-native:storage:StorageAccount::old-name",
        S + "azure-native:storage:StorageAccount::acct",
        S + "test:index:Other$x:y:Z::acct",
        "urn:pulumi:prod::other::azure-native:storage:StorageAccount::acct",
    )


def test_type_aliases_become_urns_under_the_same_parents():
    request = register_request("azure-native:storage:StorageAccount", "acct", parent=PARENT)
    assert alias_urns(request, URN, "dev", "proj", ("azure-native:storage/v1:StorageAccount",)) == (
        S + "test:index:Landing$azure-native:storage/v1:StorageAccount::acct",
    )


def test_type_only_aliases_are_stripped_from_the_sdk_and_kept_in_the_graph():
    def program() -> None:
        import pulumi

        class Thing(pulumi.ComponentResource):
            def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
                super().__init__("test:index:Thing", name, None, opts)

        Thing(
            "t",
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="test:index:OldThing"), pulumi.Alias(name="old-t")]),
        )

    graph = capture_program(program, project="proj", stack="dev")
    thing = graph[S + "test:index:Thing::t"]
    assert set(thing.options.aliases) == {S + "test:index:Thing::old-t", S + "test:index:OldThing::t"}


def test_only_aliases_that_change_nothing_but_the_type_are_stripped():
    import pulumi

    class Args:
        type_ = "test:index:Thing"
        props: dict[str, object] = {}  # noqa: RUF012
        opts = pulumi.ResourceOptions(
            aliases=[
                pulumi.Alias(type_="test:index:V1"),
                pulumi.Alias(type_="test:index:V2", name="n"),
                pulumi.Alias(type_="test:index:V1"),
                "urn:pulumi:dev::proj::test:index:Thing::raw",
            ]
        )

    aliases = TypeAliases()
    result = aliases.strip(Args)
    assert aliases.of("test:index:Thing") == ("test:index:V1",)
    assert aliases.of("test:index:Other") == ()
    assert [getattr(a, "name", a) for a in result.opts.aliases] == ["n", "urn:pulumi:dev::proj::test:index:Thing::raw"]
    assert Args.opts.aliases is not None and len(Args.opts.aliases) == 4  # the program's options are not changed


def test_nothing_changes_without_type_only_aliases():
    import pulumi

    class Args:
        type_ = "test:index:Thing"
        props: dict[str, object] = {}  # noqa: RUF012
        opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name="n")])

    class NoAliases(Args):
        opts = pulumi.ResourceOptions()

    aliases = TypeAliases()
    assert aliases.strip(Args) is None
    assert aliases.strip(NoAliases) is None
    assert aliases.of("test:index:Thing") == ()
