"""The stack index (``cdcml.policies.stack``) answers every join exactly as the scan it
replaces: the same resources in the same order, or the same ``UnknownValueError``.

Stacks are drawn small, with colliding names, names that are unknown (preview), absent or
not strings, references by ARM id, by bare name, unknown or in lists, and property
dependencies that may or may not name the referenced resource; each lookup of the index
is compared with the brute-force helper over a plain list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy.policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from cdcml.engine.objects import Links, StackResources
from cdcml.model import Resource
from cdcml.policies import types as T
from cdcml.policies.stack import (
    Designations,
    Memo,
    Referrers,
    StackIndex,
    any_known,
    cached,
    named,
    of_type,
    refers_to,
    resolve_id,
    sole,
)
from cdcml.policies.vocabulary import get

RG = "/subscriptions/s/resourceGroups/rg/providers"
TYPES = (T.STORAGE_ACCOUNT, T.KEY_VAULT, T.MANAGED_PRIVATE_ENDPOINT, T.BLOB_CONTAINER)
ARM_KIND = {T.STORAGE_ACCOUNT: "Microsoft.Storage/storageAccounts", T.KEY_VAULT: "Microsoft.KeyVault/vaults"}
NAMES = ("alpha", "Alpha", "beta", " beta ", "gamma")
MISSING_NAME = object()

names = st.one_of(st.sampled_from(NAMES), st.just(UNKNOWN_STRING_VALUE), st.just(MISSING_NAME), st.just(7))
references = st.one_of(
    st.builds(
        lambda kind, name: f"{RG}/{kind}/{name}", st.sampled_from(sorted(ARM_KIND.values())), st.sampled_from(NAMES)
    ),
    st.sampled_from(NAMES),
    st.just(UNKNOWN_STRING_VALUE),
    st.just(f"{RG}/Microsoft.Storage/storageAccounts/alpha/blobServices/default"),
    st.just(""),
)
targets = st.one_of(references, st.lists(references, max_size=3), st.just(UNKNOWN_STRING_VALUE))


def resource(type_: str, props: Any, urn: str, name: str) -> Any:
    """A stack resource as a stack policy sees it (options and provider play no part in joins)."""
    return PolicyResource(type_, props, urn, name, None, None, None, [], {})  # type: ignore[arg-type]


@st.composite
def stacks(draw: st.DrawFn) -> list[Any]:
    """Resources with drawn names and references, and property dependencies on each other."""
    count = draw(st.integers(1, 9))
    specs = [
        (
            draw(st.sampled_from(TYPES)),
            draw(st.sampled_from(NAMES)),
            draw(names),
            draw(st.one_of(st.none(), targets)),
        )
        for _ in range(count)
    ]
    resources = []
    for i, (type_, pulumi_name, name, target) in enumerate(specs):
        props: dict[str, Any] = {}
        if name is not MISSING_NAME:
            props["name"] = name
        if target is not None:
            props["properties"] = {"target": target}
        resources.append(
            resource(type_, unknown_checking_proxy(props), f"urn:pulumi:s::p::{type_}::{pulumi_name}-{i}", pulumi_name)
        )
    for r in resources:
        for key in ("properties", "parentName"):
            deps = draw(st.lists(st.sampled_from(resources), max_size=2))
            if deps or draw(st.booleans()):
                r.property_dependencies[key] = deps
    return resources


def outcome(fn: Callable[[], Any]) -> Any:
    """What a lookup returns (resources as URNs), or the message of the error it raises."""
    try:
        value = fn()
    except UnknownValueError as e:
        return ("unknown", e.message)
    if isinstance(value, list):
        return [r.urn if hasattr(r, "urn") else r for r in value]
    if hasattr(value, "urn"):
        return value.urn
    return value


@given(stacks(), st.sampled_from(TYPES), st.one_of(st.sampled_from(NAMES), st.just(""), st.none()))
def test_of_type_and_named(resources: list[Any], type_: str, name: Any) -> None:
    index = StackIndex(resources)
    assert list(index.of_type(type_)) == of_type(resources, type_)
    assert list(index.of_type(*TYPES[1:])) == of_type(resources, *TYPES[1:])
    fast = index.of_type(type_)
    assert outcome(lambda: named(name, fast)) == outcome(lambda: named(name, list(fast)))
    assert all(r in fast for r in of_type(resources, type_))
    assert not any(r in fast for r in resources if r.resource_type != type_)


def _carrying_the_runs_index(resources: list[Any]) -> StackResources:
    """*resources* as the evaluator hands them to a stack validation: with the positions by
    type and URN it works out once per run."""
    carried = StackResources(resources)
    carried.cdcml_index = Links(
        [Resource(r.urn, r.resource_type, r.name, True) for r in resources]  # what the run indexed
    )
    return carried


@given(stacks(), st.randoms(use_true_random=False), st.sampled_from(["as indexed", "reordered", "retyped", "shorter"]))
def test_the_runs_index_answers_as_a_scan_of_the_list_it_is_given(resources: list[Any], rnd: Any, change: str) -> None:
    """A stack validation's list carries the run's index (type and URN positions, made once
    per run and shared by every stack policy); the index answers from it exactly as a scan of
    the list does, and a list that isn't the one indexed any more (reordered, a resource's
    type rewritten before indexing, an item dropped) is still answered as its scan."""
    carried = _carrying_the_runs_index(resources)
    before = [(r.resource_type, r.urn) for r in carried]
    if change == "reordered":
        rnd.shuffle(carried)
    elif change == "retyped":
        victim = rnd.choice(carried)
        victim.resource_type = rnd.choice([t for t in TYPES if t != victim.resource_type])
    elif change == "shorter":
        carried.pop(rnd.randrange(len(carried)))
    same = before == [(r.resource_type, r.urn) for r in carried]
    index = StackIndex(carried)
    assert (index._run is carried.cdcml_index) == same, "the run's index is used exactly when it still holds"
    for type_ in TYPES:
        assert list(index.of_type(type_)) == of_type(carried, type_)
    assert list(index.of_type(*TYPES[1:])) == of_type(carried, *TYPES[1:])
    for r in resources:
        assert index.get(r.urn) is next((c for c in carried if c.urn == r.urn), None)
    assert index.get("urn:pulumi:s::p::none::none") is None


@given(stacks(), references)
def test_resolve_id_and_refers_to(resources: list[Any], value: Any) -> None:
    index = StackIndex(resources)
    for candidates in (index.of_type(T.STORAGE_ACCOUNT), index.of_type(T.STORAGE_ACCOUNT, T.KEY_VAULT)):
        assert outcome(lambda c=candidates: resolve_id(value, c)) == outcome(
            lambda c=candidates: resolve_id(value, list(c))
        )
        for r in resources:
            fast = outcome(lambda r=r, c=candidates: refers_to(r, "properties", "properties.target", c))
            slow = outcome(lambda r=r, c=candidates: refers_to(r, "properties", "properties.target", list(c)))
            assert fast == slow


@given(stacks())
def test_sole_and_under(resources: list[Any]) -> None:
    index = StackIndex(resources)
    parents = index.of_type(T.STORAGE_ACCOUNT)
    children = index.of_type(T.BLOB_CONTAINER, T.MANAGED_PRIVATE_ENDPOINT)
    for r in resources:
        assert sole(r, "parentName", parents) is sole(r, "parentName", list(parents))
    for parent in resources:
        expected = [c for c in children if sole(c, "parentName", list(parents)) is parent]
        assert children.under(parent, "parentName", parents) == expected


@given(stacks())
def test_referrers(resources: list[Any]) -> None:
    """Every item Referrers leaves out refers to nothing, for certain; the rest keep their order."""
    items = StackIndex(resources).of_type(T.MANAGED_PRIVATE_ENDPOINT, T.BLOB_CONTAINER)
    referrers = Referrers(items, "properties", "properties.target")
    for target in resources:
        kept = referrers.of(target)
        assert kept == [i for i in items if any(i is k for k in kept)]
        for item in items:
            if not any(item is k for k in kept):
                assert refers_to(item, "properties", "properties.target", [target]) == []


@given(stacks(), st.sampled_from(NAMES))
def test_designations(resources: list[Any], wanted: str) -> None:
    """Designations.any_known is any_known over every item, with undecided items and checks."""
    items = StackIndex(resources).of_type(T.MANAGED_PRIVATE_ENDPOINT, T.BLOB_CONTAINER)
    candidates = StackIndex(resources).of_type(T.STORAGE_ACCOUNT, T.KEY_VAULT)

    def designate(item: Any) -> list[Any]:
        return refers_to(item, "properties", "properties.target", candidates)

    def by_name(item: Any) -> bool:  # raises when the item's name is unknown
        value = get(item.props, "name")
        return isinstance(value, str) and value.casefold() == wanted.casefold()

    def by_pulumi_name(item: Any) -> bool:
        return bool(item.name.casefold() == wanted.casefold())

    designations = Designations(items, designate)
    for resource in resources:
        for check in (by_name, by_pulumi_name):
            fast = outcome(lambda r=resource, c=check: designations.any_known(r, c))
            slow = outcome(
                lambda r=resource, c=check: any_known(items, lambda item, r=r, c=c: r in designate(item) and c(item))
            )
            assert fast == slow


def test_memo_and_cached_replay_values_and_errors() -> None:
    calls: list[str] = []

    def read(resource: Any) -> Any:
        calls.append(resource.urn)
        return resource.props["name"]

    known = resource(T.STORAGE_ACCOUNT, unknown_checking_proxy({"name": "a"}), "urn:a", "a")
    unknown = resource(T.STORAGE_ACCOUNT, unknown_checking_proxy({"name": UNKNOWN_STRING_VALUE}), "urn:b", "b")
    memo = Memo(read)
    assert memo(known) == memo(known) == "a"
    errors = []
    for _ in range(2):
        with pytest.raises(UnknownValueError) as raised:
            memo(unknown)
        errors.append(raised.value)
    assert errors[0] is errors[1]
    assert errors[0].message == "string value at .name can't be known during preview"
    assert calls == ["urn:a", "urn:b"]
    cache: dict[Any, Any] = {}
    assert cached(cache, 1, lambda: 5) == cached(cache, 1, lambda: 6) == 5
