"""Resource and invoke transforms run as the engine runs them: a resource's own, then its
parents', then the stack's; what they return replaces the resource's properties and
options; the stack's invoke transforms change every later invoke; a transform that
raises fails the program in one line at its own frame."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdcml.capture.program import capture, capture_program
from cdcml.capture.transforms import _downgrade, _upgrade
from cdcml.errors import ProgramError
from cdcml.model import ResourceGraph, thaw
from cdcml.model.values import UNKNOWN, is_secret, is_unknown, reveal, secret
from tests.capture._programs import write_program

MODES = ["preview", "resolved"]
RG = "azure-native:resources:ResourceGroup"


def res(graph: ResourceGraph, name: str) -> Any:
    (found,) = [r for r in graph.resources if r.name == name]
    return found


@pytest.mark.parametrize("mode", MODES)
def test_a_resources_own_transform_replaces_its_properties(mode):
    """``ResourceOptions(transforms=[...])``: the policies see what the transform returns;
    a property that depends on another resource reaches it as an Output."""
    seen: dict[str, str] = {}

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources, storage

        def harden(args: Any) -> Any:
            seen.update({k: type(v).__name__ for k, v in args.props.items()})
            return pulumi.ResourceTransformResult({**args.props, "minimumTlsVersion": "TLS1_2"}, args.opts)

        rg = resources.ResourceGroup("rg")
        storage.StorageAccount(
            "acct",
            resource_group_name=rg.name,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_LRS"),
            minimum_tls_version="TLS1_0",
            opts=pulumi.ResourceOptions(transforms=[harden]),
        )

    graph = capture_program(program, mode=mode)
    acct = res(graph, "acct")
    assert acct.inputs["minimumTlsVersion"] == "TLS1_2"
    assert seen == {"resourceGroupName": "Output", "kind": "str", "sku": "dict", "minimumTlsVersion": "str"}
    assert acct.dependencies == (res(graph, "rg").urn,)
    assert res(graph, "rg").inputs.get("minimumTlsVersion") is None


def test_a_components_transforms_apply_to_itself_and_everything_below_it():
    """The engine walks up the parent chain: a component's transforms run on its
    children and grandchildren, not on its siblings."""
    touched: list[tuple[str, bool, bool]] = []

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        def note(args: Any) -> None:
            touched.append((args.name, args.custom, args.opts.parent is not None))

        outer = pulumi.ComponentResource("x:index:Outer", "outer", None, pulumi.ResourceOptions(transforms=[note]))
        inner = pulumi.ComponentResource("x:index:Inner", "inner", None, pulumi.ResourceOptions(parent=outer))
        resources.ResourceGroup("child", opts=pulumi.ResourceOptions(parent=outer))
        resources.ResourceGroup("grandchild", opts=pulumi.ResourceOptions(parent=inner))
        resources.ResourceGroup("sibling")

    capture_program(program)
    assert sorted(touched) == [
        ("child", True, True),
        ("grandchild", True, True),
        ("inner", False, True),
        ("outer", False, True),  # its parent is the root stack
    ]


def test_stack_transforms_apply_to_the_resources_registered_after_them():
    """``register_resource_transform`` waits for the registrations in flight: the resources
    declared before it are not transformed, every later one is, components included."""

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        def tag(args: Any) -> Any:
            if args.type_ != RG:
                return None
            return pulumi.ResourceTransformResult({**args.props, "tags": {"owner": "data"}}, args.opts)

        resources.ResourceGroup("before")
        pulumi.runtime.register_resource_transform(tag)
        resources.ResourceGroup("after", tags={"owner": "someone"})

    graph = capture_program(program)
    assert "tags" not in res(graph, "before").inputs
    assert res(graph, "after").inputs["tags"] == {"owner": "data"}


def test_transforms_run_own_then_parents_then_the_stacks_in_registration_order():
    """source_eval.go: "First run the transforms for this resource, then it's parents,
    then the stack" — each sees what the one before returned."""
    order: list[str] = []

    def step(label: str) -> Any:
        def transform(args: Any) -> Any:
            import pulumi

            if args.type_ != RG:
                return None
            order.append(label)
            trail = (args.props.get("tags") or {}).get("trail", "")
            return pulumi.ResourceTransformResult({**args.props, "tags": {"trail": trail + label}}, args.opts)

        return transform

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        pulumi.runtime.register_resource_transform(step("S1"))
        pulumi.runtime.register_resource_transform(step("S2"))
        top = pulumi.ComponentResource("x:index:Top", "top", None, pulumi.ResourceOptions(transforms=[step("T")]))
        mid = pulumi.ComponentResource(
            "x:index:Mid", "mid", None, pulumi.ResourceOptions(parent=top, transforms=[step("M")])
        )
        resources.ResourceGroup("rg", opts=pulumi.ResourceOptions(parent=mid, transforms=[step("O1"), step("O2")]))

    graph = capture_program(program)
    assert order == ["O1", "O2", "M", "T", "S1", "S2"]
    assert res(graph, "rg").inputs["tags"] == {"trail": "O1O2MTS1S2"}


@pytest.mark.parametrize("mode", MODES)
def test_a_transform_changes_resource_options(mode):
    """Options a transform changes are the resource's options: protect, retainOnDelete,
    ignoreChanges, deleteBeforeReplace, additionalSecretOutputs (its outputs become
    secret), dependsOn (a new dependency)."""

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        audit = resources.ResourceGroup("audit")

        def lock(args: Any) -> Any:
            opts = args.opts
            opts.protect = True
            opts.retain_on_delete = True
            opts.ignore_changes = ["tags"]
            opts.delete_before_replace = True
            opts.additional_secret_outputs = ["location"]
            opts.depends_on = [*(opts.depends_on or []), audit]
            return pulumi.ResourceTransformResult(args.props, opts)

        resources.ResourceGroup("rg", location="westeurope", opts=pulumi.ResourceOptions(transforms=[lock]))

    graph = capture_program(program, mode=mode)
    rg = res(graph, "rg")
    assert rg.options.protect and rg.options.retain_on_delete
    assert rg.options.ignore_changes == ("tags",) and rg.options.delete_before_replace is True
    assert rg.options.additional_secret_outputs == ("location",)
    assert is_secret(rg.outputs["location"]) and reveal(rg.outputs["location"]) == "westeurope"
    assert rg.dependencies == (res(graph, "audit").urn,)
    assert not res(graph, "audit").options.protect


@pytest.mark.parametrize("mode", MODES)
def test_a_transform_returning_none_leaves_the_resource_as_it_was(mode):
    """Nothing returned: the engine keeps what it sent, so the resource — inputs with their
    secrets and unknowns, dependencies per property, options — is the one captured without
    the transform."""

    def program_with(transforms: list[Any]) -> Any:
        def program() -> None:
            import pulumi
            from pulumi_azure_native import resources, storage

            rg = resources.ResourceGroup("rg")
            storage.StorageAccount(
                "acct",
                resource_group_name=rg.name,
                kind="StorageV2",
                sku=storage.SkuArgs(name="Standard_LRS"),
                tags={"key": pulumi.Output.secret("s3cret"), "rg": rg.name},
                opts=pulumi.ResourceOptions(transforms=transforms, protect=True, ignore_changes=["tags"]),
            )

        return program

    plain = res(capture_program(program_with([]), mode=mode), "acct")
    transformed = res(capture_program(program_with([lambda args: None]), mode=mode), "acct")
    for field in ("inputs", "dependencies", "property_dependencies", "options", "outputs", "provider"):
        assert getattr(transformed, field) == getattr(plain, field), field


def test_a_transform_sees_secrets_and_unknowns_as_outputs_and_they_stay_so():
    """The engine hands a transform secrets and unknowns as output values, and a property
    with dependencies as an output value carrying them: the SDK makes them Outputs. An
    apply on the secret keeps it secret; the unknown stays unknown."""
    seen: dict[str, Any] = {}

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        first = resources.ResourceGroup("first")

        def shout(args: Any) -> Any:
            tags = args.props["tags"]
            seen.update({k: type(v).__name__ for k, v in tags.items()}, location=type(args.props["location"]).__name__)
            shouted = {**tags, "key": tags["key"].apply(str.upper)}
            return pulumi.ResourceTransformResult({**args.props, "tags": shouted}, args.opts)

        resources.ResourceGroup(
            "rg",
            location=first.location,
            tags={"key": pulumi.Output.secret("s3cret"), "plain": "x"},
            opts=pulumi.ResourceOptions(transforms=[shout]),
        )

    rg = res(capture_program(program, mode="preview"), "rg")
    assert seen == {"key": "Output", "plain": "str", "location": "Output"}
    assert is_secret(rg.inputs["tags"]["key"]) and reveal(rg.inputs["tags"]["key"]) == "S3CRET"
    assert rg.inputs["tags"]["plain"] == "x" and is_unknown(rg.inputs["location"])


@pytest.mark.parametrize("mode", MODES)
def test_a_resources_own_transform_re_derives_its_dependencies_as_the_engine_does(mode):
    """After a resource's own transforms the engine re-derives the dependencies: all of
    ``dependsOn`` (which the SDK fills with every dependency), and per property those of
    its output values — the Python SDK returns none, so the per-property lists are empty.
    Stack transforms alone leave the dependencies as the program sent them."""

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources, storage

        def same(args: Any) -> Any:
            return pulumi.ResourceTransformResult(args.props, args.opts)

        rg = resources.ResourceGroup("rg")
        for name, transforms in (("own", [same]), ("none", [])):
            storage.StorageAccount(
                name,
                resource_group_name=rg.name,
                kind="StorageV2",
                sku=storage.SkuArgs(name="Standard_LRS"),
                opts=pulumi.ResourceOptions(transforms=transforms),
            )
        pulumi.runtime.register_resource_transform(same)
        storage.StorageAccount(
            "stack", resource_group_name=rg.name, kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS")
        )

    graph = capture_program(program, mode=mode)
    rg = res(graph, "rg").urn
    assert all(res(graph, n).dependencies == (rg,) for n in ("own", "none", "stack"))
    assert res(graph, "own").property_dependencies["resourceGroupName"] == ()
    assert res(graph, "none").property_dependencies["resourceGroupName"] == (rg,)
    assert res(graph, "stack").property_dependencies["resourceGroupName"] == (rg,)


@pytest.mark.parametrize("mode", MODES)
def test_invoke_transforms_change_the_arguments_of_every_later_invoke(mode):
    """``register_invoke_transform``: the engine runs the stack's invoke transforms before
    the provider answers, for both forms of an invoke."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        def rename(args: Any) -> Any:
            seen.append((args.token, dict(args.args)))
            return pulumi.InvokeTransformResult({**args.args, "resourceGroupName": "rg-shared"}, args.opts)

        before = resources.get_resource_group(resource_group_name="rg-a")
        pulumi.runtime.register_invoke_transform(rename)
        plain = resources.get_resource_group(resource_group_name="rg-b")
        output = resources.get_resource_group_output(resource_group_name="rg-c")
        pulumi.export("names", pulumi.Output.all(before.name, plain.name, output.name))

    graph = capture_program(program, mode=mode)
    assert thaw(graph.outputs["names"]) == ["rg-a", "rg-shared", "rg-shared"]
    token = "azure-native:resources:getResourceGroup"
    assert sorted(seen, key=str) == [(token, {"resourceGroupName": n}) for n in ("rg-b", "rg-c")]


def test_a_transform_that_raises_fails_the_program_in_one_line_at_the_transform(tmp_path):
    """The engine fails the registration with the callback's error; the capture says which
    transform of which resource raised what, at the transform's own line."""
    write_program(
        tmp_path,
        """\
        import pulumi
        from pulumi_azure_native import resources

        def strict(args):
            raise ValueError(f"{args.name} has no owner tag")

        resources.ResourceGroup("rg", opts=pulumi.ResourceOptions(transforms=[strict]))
        """,
    )
    with pytest.raises(ProgramError) as failed:
        capture(tmp_path, "dev")
    assert str(failed.value) == (
        "program prog failed at __main__.py:5: TransformError: the transform strict of resource 'rg' "
        f"({RG}) raised ValueError: rg has no owner tag"
    )


@pytest.mark.parametrize("form", ["plain", "output"])
def test_an_invoke_transform_that_raises_fails_the_program_naming_the_invoke(form):
    """Both forms of an invoke fail the program with the invoke transform's error."""

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        def deny(args: Any) -> Any:
            raise PermissionError(f"no lookups of {args.args['resourceGroupName']}")

        pulumi.runtime.register_invoke_transform(deny)
        if form == "plain":
            resources.get_resource_group(resource_group_name="rg-a")
        else:
            pulumi.export("name", resources.get_resource_group_output(resource_group_name="rg-a").name)

    with pytest.raises(ProgramError) as failed:
        capture_program(program)
    assert str(failed.value).endswith(
        "TransformError: the transform test_an_invoke_transform_that_raises_fails_the_program_naming_the_invoke."
        "<locals>.program.<locals>.deny of invoke azure-native:resources:getResourceGroup raised "
        "PermissionError: no lookups of rg-a"
    )


def test_a_transform_may_depend_on_a_resource_registered_after_the_one_it_transforms():
    """A transform that adds ``dependsOn`` on a resource whose registration is still
    queued (it waits for an apply) gets it: the queued registration runs meanwhile, as
    the engine serves registrations concurrently — no deadlock."""

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        first = resources.ResourceGroup("first")
        later = resources.ResourceGroup("later", tags={"after": first.name.apply(lambda n: n + "-x")})

        def wait_for_later(args: Any) -> Any:
            return pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions(depends_on=[later]))

        resources.ResourceGroup("rg", opts=pulumi.ResourceOptions(transforms=[wait_for_later]))

    graph = capture_program(program, mode="resolved")
    assert res(graph, "rg").dependencies == (res(graph, "later").urn,)


_leaves = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=5), st.just(UNKNOWN))
_values = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3), inner.map(secret)
    ),
    max_leaves=12,
)


@given(_values)
def test_a_value_sent_to_a_transform_and_returned_unchanged_is_the_value_the_program_sent(value):
    """Secrets and unknowns go to a transform as output values (the engine's
    ``UpgradeToOutputValues``) and come back as secrets and unknowns."""
    assert _downgrade(_upgrade(value)) == value
