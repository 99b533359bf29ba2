"""The SDK objects the evaluator hands policies (``cdcml.engine.objects``): the lazy proxy
reads, fails and writes as the SDK's, level for level; a stack validation's resources link
to each other as the servicer links them, lazily, and each stack policy gets objects of its
own."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import EnforcementLevel, StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError, _DictProxy, _ListProxy
from pulumi_policy.proxy import unknown_checking_proxy as sdk_proxy

from cdcml.engine.objects import unknown_checking_proxy
from cdcml.model import EnforcementLevel as Level
from cdcml.testing.harness import graph_from_spec, run_stack_policy

values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.text(max_size=5) | st.sampled_from([UNKNOWN_STRING_VALUE]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


def _same(a: Any, b: Any) -> None:
    """*a* (cdcml's) reads as *b* (the SDK's): same class names (cdcml's are subclasses),
    paths, targets, values and order, and the same unknown-value errors."""
    assert type(a).__name__ == type(b).__name__ and isinstance(a, type(b))
    if isinstance(a, (_DictProxy, _ListProxy)):
        name = type(b).__name__
        assert getattr(a, f"{name}__props_acc") == getattr(b, f"{name}__props_acc")
        ta, tb = a["__target"], b["__target"]
        assert getattr(a, f"{name}__target") is ta
        assert type(ta) is type(tb) and len(ta) == len(tb) == len(a) == len(b)
        keys = list(tb) if isinstance(tb, dict) else list(range(len(tb)))
        if isinstance(ta, dict):
            assert list(ta) == keys == list(a)
        for k in keys:
            _same(ta[k], tb[k])
            got, expected = _read(a, k), _read(b, k)
            assert isinstance(got, UnknownValueError) == isinstance(expected, UnknownValueError)
            if isinstance(got, UnknownValueError):
                assert (got.message, got.props) == (expected.message, expected.props)
            else:
                assert got is ta[k] and expected is tb[k]
    else:
        assert a is b or a == b or a != a


def _read(proxy: Any, key: Any) -> Any:
    """``proxy[key]``, or the ``UnknownValueError`` it raises."""
    try:
        return proxy[key]
    except UnknownValueError as e:
        return e


@settings(max_examples=500)
@given(st.dictionaries(st.text(max_size=5), values))
def test_the_lazy_proxy_reads_as_the_sdks_proxy_level_for_level(props: dict[str, Any]) -> None:
    """Same class names, same paths (for the unknown-value message), same values, same order,
    the same ``UnknownValueError`` for an unknown value."""
    _same(unknown_checking_proxy(props), sdk_proxy(props))


def test_a_level_is_made_when_first_touched_and_writes_stay_in_the_proxy() -> None:
    source = {"a": {"b": [1, {"c": UNKNOWN_NUMBER_VALUE}]}, "x": 2}
    proxy = unknown_checking_proxy(source)
    assert "_cdcml_target" not in vars(proxy), "nothing is built before the policy reads"
    inner = proxy["a"]
    assert "_cdcml_target" in vars(proxy) and "_cdcml_target" not in vars(inner)
    with pytest.raises(UnknownValueError) as unknown:
        inner["b"][1]["c"]
    assert unknown.value.message == "number value at .a.b.1.c can't be known during preview"
    inner["b"][1]["c"] = 5
    proxy["x"] = 3
    assert inner["b"][1]["c"] == 5 and proxy["x"] == 3 and proxy["a"] is inner
    assert source == {"a": {"b": [1, {"c": UNKNOWN_NUMBER_VALUE}]}, "x": 2}, "the shared source is never written"
    assert unknown_checking_proxy(source)["x"] == 2, "another proxy of the same source sees none of it"


def test_a_copy_shares_the_level_as_a_copy_of_the_sdks_proxy_does() -> None:
    proxy = unknown_checking_proxy({"a": 1})
    twin = copy.copy(proxy)
    twin["b"] = 2
    assert dict(proxy) == {"a": 1, "b": 2}
    assert dict(copy.deepcopy(proxy)) == {"a": 1, "b": 2}


def test_the_target_can_be_replaced_as_on_the_sdks_proxy() -> None:
    proxy = unknown_checking_proxy({"a": 1})
    proxy._DictProxy__target = {"z": 9}
    assert dict(proxy) == {"z": 9}
    lst = unknown_checking_proxy({"l": [1, 2]})["l"]
    lst._ListProxy__target = [7]
    assert list(lst) == [7] and lst[0:1] == [7]
    nested = unknown_checking_proxy({"n": {"u": UNKNOWN_STRING_VALUE}})["n"]
    nested._DictProxy__props_acc = ["elsewhere"]
    with pytest.raises(UnknownValueError) as unknown:
        nested["u"]
    assert unknown.value.props == ["elsewhere", "u"]


SPEC = {
    "parent": {"type": "azure-native:resources:ResourceGroup", "props": {}},
    "child": {
        "type": "azure-native:storage:StorageAccount",
        "props": {"kind": "StorageV2"},
        "parent": "parent",
        "deps": {"resourceGroupName": ["parent"]},
    },
}


def _stack_policy(name: str, seen: list[Any]) -> StackValidationPolicy:
    def validate(args: Any, report: Any) -> None:
        by_name = {r.name: r for r in args.resources}
        child = by_name["child"]
        seen.append((args.resources, child.parent, list(child.dependencies), dict(child.property_dependencies)))

    return StackValidationPolicy(
        name=name, description="d", validate=validate, enforcement_level=EnforcementLevel.ADVISORY
    )


def test_stack_resources_link_to_the_objects_of_the_same_validation() -> None:
    seen: list[Any] = []
    run_stack_policy(_stack_policy("links", seen), graph_from_spec(SPEC))
    [(resources, parent, dependencies, property_dependencies)] = seen
    by_name = {r.name: r for r in resources}
    assert parent is by_name["parent"]
    assert dependencies == [by_name["parent"]] and dependencies[0] is by_name["parent"]
    assert property_dependencies == {"resourceGroupName": [by_name["parent"]]}
    assert by_name["parent"].parent is None and by_name["parent"].dependencies == []


def test_a_stack_policy_changing_its_objects_keeps_the_change_and_the_next_policy_does_not_see_it() -> None:
    from cdcml.engine.config import reconcile
    from cdcml.engine.evaluate import evaluate
    from cdcml.engine.pack import pack_from_policies

    first: list[Any] = []
    second: list[Any] = []

    def check_own_change(args: Any, report: Any) -> None:
        child = next(r for r in args.resources if r.name == "child")
        child.dependencies.append("mine")
        child.parent = None
        child.props["kind"] = "changed"
        first.append((child.dependencies[-1], child.parent, child.props["kind"]))

    pack = pack_from_policies(
        "p",
        [
            StackValidationPolicy(
                name="a", description="d", validate=check_own_change, enforcement_level=EnforcementLevel.ADVISORY
            ),
            _stack_policy("b", second),
        ],
        enforcement_level=Level.ADVISORY,
    )
    evaluate(graph_from_spec(SPEC), [pack], [reconcile(pack)])
    assert first == [("mine", None, "changed")]
    [(resources, parent, dependencies, _)] = second
    assert parent is not None and parent.name == "parent"
    assert "mine" not in dependencies
    assert next(r for r in resources if r.name == "child").props["kind"] == "StorageV2"


def test_every_stack_validation_of_a_run_shares_the_runs_index() -> None:
    """The stack is indexed (positions by type and URN) once per run: each stack policy gets
    its own objects, in a list carrying that one index, which ``StackIndex`` uses."""
    from cdcml.engine.config import reconcile
    from cdcml.engine.evaluate import evaluate
    from cdcml.engine.pack import pack_from_policies
    from cdcml.policies.stack import StackIndex

    seen: list[Any] = []

    def validate(args: Any, report: Any) -> None:
        index = StackIndex(args.resources)
        storage = index.of_type("azure-native:storage:StorageAccount")
        seen.append((args.resources, index._run, [r.name for r in storage], index.get(storage[0].urn) is storage[0]))

    policies = [
        StackValidationPolicy(name=n, description="d", validate=validate, enforcement_level=EnforcementLevel.ADVISORY)
        for n in ("a", "b")
    ]
    pack = pack_from_policies("p", policies, enforcement_level=Level.ADVISORY)
    evaluate(graph_from_spec(SPEC), [pack], [reconcile(pack)])
    [(first, run_a, names_a, found_a), (second, run_b, names_b, found_b)] = seen
    assert first is not second and not set(map(id, first)) & set(map(id, second))
    assert run_a is not None and run_a is run_b is first.cdcml_index is second.cdcml_index
    assert names_a == names_b == ["child"] and found_a and found_b


def test_resource_args_hold_what_the_sdks_constructor_stores() -> None:
    """Made without ``__init__``, an args object reads as ``ResourceValidationArgs(...)``
    does: the same attributes, ``props`` (the SDK's proxy of the inputs, made on first read),
    a ``get_config()`` of its own; and both can be assigned as on the SDK's class."""
    from pulumi_policy import policy as sdk

    from cdcml.engine.objects import args_fields, lazy_classes, resource_args

    inputs = {"kind": "StorageV2", "tags": {"a": "1"}}
    tags = {"team": "data"}
    sdk_args = sdk.ResourceValidationArgs("t:m:T", sdk_proxy(inputs), "urn:x", "x", "opts", None, {"k": [1]}, tags)
    fields = args_fields("t:m:T", "urn:x", "x", "opts", None, tags, inputs)
    ours = resource_args(lazy_classes(sdk)[0], fields, lambda: {"k": [1]})
    again = resource_args(lazy_classes(sdk)[0], fields, lambda: {"k": [1]})
    assert isinstance(ours, sdk.ResourceValidationArgs)
    for name in ("resource_type", "urn", "name", "opts", "provider", "stack_tags"):
        assert getattr(ours, name) == getattr(sdk_args, name)
    _same(ours.props, sdk_args.props)
    assert ours.props is ours.props and ours.props is not again.props
    assert ours.get_config() == sdk_args.get_config() == {"k": [1]}
    ours.get_config()["k"].append(2)
    assert ours.get_config() == {"k": [1, 2]} and again.get_config() == {"k": [1]}
    assert resource_args(lazy_classes(sdk)[0], fields, lambda: None).get_config() == {}
    ours.props = {"replaced": True}
    ours._ResourceValidationArgs__config = {"c": 1}
    assert ours.props == {"replaced": True} and ours.get_config() == {"c": 1}
    assert fields["_cdcml_source"] is inputs and inputs == {"kind": "StorageV2", "tags": {"a": "1"}}


def _graph_with_an_absent_parent() -> Any:
    """A child whose parent is being deleted (not among the live resources), a grandchild,
    a provider and resource options."""
    from cdcml.model import Resource, ResourceGraph, ResourceOptions, freeze

    base = "urn:pulumi:s::p::"
    provider = Resource(
        f"{base}pulumi:providers:azure-native::default", "pulumi:providers:azure-native", "default", True, id="pid"
    )
    gone = Resource(f"{base}t:m:G::gone", "t:m:G", "gone", True, id="g", delete=True)
    child = Resource(
        f"{base}t:m:C::child",
        "t:m:C",
        "child",
        True,
        id="c",
        inputs=freeze({"x": 1}),
        outputs=freeze({"x": 1}),
        parent=gone.urn,
        provider=f"{provider.urn}::pid",
        options=ResourceOptions(protect=True),
    )
    grandchild = Resource(f"{base}t:m:C$t:m:D::grandchild", "t:m:D", "grandchild", True, id="d", parent=child.urn)
    return ResourceGraph(project="p", stack="s", resources=(provider, gone, child, grandchild))


def test_stack_objects_hold_options_and_provider_and_a_parent_outside_the_stack_is_none() -> None:
    from cdcml.engine.config import reconcile
    from cdcml.engine.evaluate import evaluate
    from cdcml.engine.pack import pack_from_policies

    seen: dict[str, Any] = {}

    def validate(args: Any, report: Any) -> None:
        seen.update({r.name: r for r in args.resources})

    policy = StackValidationPolicy(
        name="s", description="d", validate=validate, enforcement_level=EnforcementLevel.ADVISORY
    )
    pack = pack_from_policies("p", [policy], enforcement_level=Level.ADVISORY)
    evaluate(_graph_with_an_absent_parent(), [pack], [reconcile(pack)])
    assert set(seen) == {"default", "child", "grandchild"}
    child = seen["child"]
    assert child.parent is None, "the parent isn't among the live resources"
    assert seen["grandchild"].parent is child and seen["default"].parent is None
    assert child.opts.protect is True and seen["grandchild"].opts.protect is False
    assert child.provider.urn == seen["default"].urn and child.provider.props == {}
    assert seen["grandchild"].provider is None


def test_observe_wraps_the_props_of_every_policy_call() -> None:
    """The wrap ``observe(resource)`` returns is what a resource or stack policy reads as
    ``props``, one per call, given that resource."""
    from pulumi_policy import ResourceValidationPolicy

    from cdcml.engine.config import reconcile
    from cdcml.engine.evaluate import evaluate
    from cdcml.engine.pack import pack_from_policies

    reads: list[Any] = []

    def observe(resource: Any) -> Any:
        return lambda proxy: {"observed": resource.name, "x": proxy.get("x")}

    def check(args: Any, report: Any) -> None:
        reads.append(("resource", dict(args.props)))

    def stack_check(args: Any, report: Any) -> None:
        reads.extend(("stack", dict(r.props)) for r in args.resources if r.name == "child")

    pack = pack_from_policies(
        "p",
        [
            ResourceValidationPolicy(name="r", description="d", validate=check),
            StackValidationPolicy(name="s", description="d", validate=stack_check),
        ],
        enforcement_level=Level.ADVISORY,
    )
    evaluate(_graph_with_an_absent_parent(), [pack], [reconcile(pack)], observe=observe)
    assert ("resource", {"observed": "child", "x": 1.0}) in reads
    assert ("resource", {"observed": "grandchild", "x": None}) in reads
    assert ("stack", {"observed": "child", "x": 1.0}) in reads
