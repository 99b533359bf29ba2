"""The SDK objects the evaluator hands policies (``cdcml.engine.objects``): the fast proxy is
the SDK's, object for object; a stack validation's resources link to each other as the
servicer links them, lazily, and each stack policy gets objects of its own."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import EnforcementLevel, StackValidationPolicy
from pulumi_policy.proxy import _DictProxy, _ListProxy
from pulumi_policy.proxy import unknown_checking_proxy as sdk_proxy

from cdcml.engine.objects import unknown_checking_proxy
from cdcml.model import EnforcementLevel as Level
from cdcml.testing.harness import graph_from_spec, run_stack_policy

values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


def _same(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    if isinstance(a, (_DictProxy, _ListProxy)):
        name = type(a).__name__
        assert vars(a).keys() == vars(b).keys()
        assert getattr(a, f"{name}__props_acc") == getattr(b, f"{name}__props_acc")
        ta, tb = getattr(a, f"{name}__target"), getattr(b, f"{name}__target")
        assert type(ta) is type(tb) and len(ta) == len(tb)
        if isinstance(ta, dict):
            assert list(ta) == list(tb)
            ta, tb = list(ta.values()), list(tb.values())
        for x, y in zip(ta, tb, strict=True):
            _same(x, y)
    else:
        assert a is b or a == b or a != a


@settings(max_examples=500)
@given(st.dictionaries(st.text(max_size=5), values))
def test_the_fast_proxy_is_the_sdks_proxy_object_for_object(props: dict[str, Any]) -> None:
    """Same classes, same paths (for the unknown-value message), same values, same order."""
    _same(unknown_checking_proxy(props), sdk_proxy(props))


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
