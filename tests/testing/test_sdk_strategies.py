"""Strategies for the inputs and outputs of any azure-native resource type
(cdcml.testing.sdk_strategies): well-typed in wire form, with their knobs, fast."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdcml.capture.sdk_types import ObjectType, resource_tokens, resource_type
from cdcml.errors import CdcmlError
from cdcml.model.values import SECRET_SIG, contains_unknown, is_secret, is_unknown
from cdcml.testing.oracle import check_inputs, check_outputs
from cdcml.testing.sdk_strategies import property_bags, resource_inputs, resource_outputs, sdk_values
from conftest import examples

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
SAMPLE = resource_tokens()[7::19]
"""120 types from 80+ services (offset from test_oracle's sample, so the two cover more)."""


def _draws(strategy: st.SearchStrategy[Any], n: int = 100) -> list[Any]:
    """*n* draws of *strategy* (derandomized: the same ones each run; no shrinking)."""
    drawn: list[Any] = []

    @settings(max_examples=n, deadline=None, database=None, derandomize=True)
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn


def test_the_sample_spans_many_services() -> None:
    assert len(SAMPLE) >= 100 and len({t.split(":")[1] for t in SAMPLE}) >= 80


@pytest.mark.parametrize("token", SAMPLE)
def test_drawn_inputs_and_outputs_are_well_typed_with_unknowns_and_secrets(token: str) -> None:
    """For every type of the sample: every bag resource_inputs / resource_outputs draw, with
    unknowns and secrets mixed in, passes the type oracle."""

    @settings(max_examples=examples(dev=4, ci=12, long=80), deadline=None)
    @given(resource_inputs(token, unknowns=True, secrets=True), resource_outputs(token, unknowns=True, secrets=True))
    def run(inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        assert check_inputs(token, inputs) == []
        assert check_outputs(token, outputs) == []

    run()


@settings(max_examples=examples(dev=25, ci=100, long=1000), deadline=None)
@given(resource_inputs(STORAGE_ACCOUNT))
def test_required_properties_are_always_drawn_in_wire_form(bag: dict[str, Any]) -> None:
    """Every draw has the required keys, wire names only, JSON-encodable plain values."""
    assert {"kind", "resourceGroupName", "sku"} <= set(bag)
    assert "name" in bag["sku"]
    properties = resource_type(STORAGE_ACCOUNT).inputs.properties
    assert set(bag) <= set(properties)
    json.dumps(bag)
    assert not contains_unknown(bag) and SECRET_SIG not in json.dumps(bag)
    if "accessTier" in bag:
        assert bag["accessTier"] in {"Hot", "Cool", "Premium", "Cold"}


@settings(max_examples=examples(dev=25, ci=100, long=1000), deadline=None)
@given(resource_inputs(STORAGE_ACCOUNT, required_only=True))
def test_required_only_draws_exactly_the_required_properties(bag: dict[str, Any]) -> None:
    assert set(bag) == {"kind", "resourceGroupName", "sku"}
    assert set(bag["sku"]) == {"name"}


def test_the_unknowns_and_secrets_knobs_mix_them_in() -> None:
    unknowns = _draws(resource_inputs(STORAGE_ACCOUNT, unknowns=True))
    assert any(is_unknown(b["resourceGroupName"]) for b in unknowns)
    assert any(contains_unknown(b) for b in unknowns) and not any(SECRET_SIG in json.dumps(b) for b in unknowns)
    secrets = _draws(resource_inputs(STORAGE_ACCOUNT, secrets=True))
    assert any(is_secret(b["sku"]) for b in secrets)
    assert any(isinstance(b["sku"], dict) and is_secret(b["sku"].get("name")) for b in secrets)
    assert not any(contains_unknown(b) for b in secrets)
    assert all(check_inputs(STORAGE_ACCOUNT, b) == [] for b in unknowns + secrets)


def test_outputs_have_their_required_properties() -> None:
    for bag in _draws(resource_outputs(STORAGE_ACCOUNT), 10):
        assert {"provisioningState", "primaryEndpoints", "sku", "name"} <= set(bag)
        assert {"name", "tier"} <= set(bag["sku"])
        assert "resourceGroupName" not in bag


@settings(max_examples=examples(dev=25, ci=100, long=1000), deadline=None)
@given(
    resource_inputs(
        STORAGE_ACCOUNT,
        overrides={
            "publicNetworkAccess": "Disabled",
            "sku.name": st.sampled_from(["Standard_ZRS", "Premium_ZRS"]),
            "networkRuleSet.defaultAction": "Deny",
        },
    )
)
def test_overrides_fix_values_and_strategies_at_wire_paths(bag: dict[str, Any]) -> None:
    assert bag["publicNetworkAccess"] == "Disabled"
    assert bag["sku"]["name"] in {"Standard_ZRS", "Premium_ZRS"}
    assert bag["networkRuleSet"]["defaultAction"] == "Deny"
    assert check_inputs(STORAGE_ACCOUNT, bag) == []


@pytest.mark.parametrize(
    ("overrides", "named"),
    [({"publicAccess": "x"}, "'publicAccess'"), ({"sku.nmae": "x"}, "'nmae'"), ({"tags.owner": "x"}, "'owner'")],
)
def test_an_override_of_a_property_the_type_lacks_is_an_error_naming_it(overrides: dict[str, Any], named: str) -> None:
    with pytest.raises(CdcmlError, match=named):
        resource_inputs(STORAGE_ACCOUNT, overrides=overrides)


def test_an_override_and_one_inside_it_conflict() -> None:
    with pytest.raises(CdcmlError, match="conflicts"):
        resource_inputs(STORAGE_ACCOUNT, overrides={"sku": {"name": "Standard_LRS"}, "sku.name": "Premium_LRS"})


def test_an_unknown_type_token_is_named() -> None:
    with pytest.raises(CdcmlError, match="azure-native:storage:Nope"):
        resource_inputs("azure-native:storage:Nope")


@settings(max_examples=examples(dev=25, ci=100, long=1000), deadline=None)
@given(resource_inputs("azure-native:datafactory:LinkedService"))
def test_a_discriminated_union_draws_one_member_with_its_constant(bag: dict[str, Any]) -> None:
    union = resource_type("azure-native:datafactory:LinkedService").inputs.properties["properties"].type
    consts = {m.object.properties["type"].const for m in union.members if m.object is not None}
    assert bag["properties"]["type"] in consts


@settings(max_examples=examples(dev=25, ci=100, long=1000), deadline=None)
@given(resource_inputs(STORAGE_ACCOUNT, max_depth=5))
def test_draws_are_size_bounded(bag: dict[str, Any]) -> None:
    """At most two elements per list or map, strings of at most 12 characters (or an enum
    member of the type)."""
    members = _enum_members(resource_type(STORAGE_ACCOUNT).inputs)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            assert len(value) <= 2
            for item in value:
                walk(item)
        elif isinstance(value, str):
            assert len(value) <= 12 or value in members

    walk(bag)
    assert len(bag.get("tags") or {}) <= 2


def _enum_members(object_type: ObjectType, seen: set[int] | None = None) -> set[Any]:
    seen = set() if seen is None else seen
    if id(object_type) in seen:
        return set()
    seen.add(id(object_type))
    found: set[Any] = set()
    todo = [p.type for p in object_type.properties.values()]
    while todo:
        sdk_type = todo.pop()
        if sdk_type.enum is not None:
            found |= set(sdk_type.enum.values)
        if sdk_type.object is not None:
            found |= _enum_members(sdk_type.object, seen)
        todo.extend([sdk_type.item] if sdk_type.item is not None else [])
        todo.extend(sdk_type.members)
    return found


def test_sdk_values_draws_one_type() -> None:
    sku = resource_type(STORAGE_ACCOUNT).inputs.properties["sku"].type
    for value in _draws(sdk_values(sku), 10):
        assert set(value) == {"name"}


def test_property_bags_are_deliberately_ill_typed() -> None:
    """The robust law's bags: some fail the oracle (nulls, wrong types, odd casing, dropped
    or undeclared keys), each kind of breakage occurs."""
    bags = _draws(property_bags(STORAGE_ACCOUNT), 200)
    problems = [check_inputs(STORAGE_ACCOUNT, b) for b in bags]
    assert sum(1 for found in problems if found) >= 50
    assert {p.kind for found in problems for p in found} >= {"missing", "type", "unknown-property"}
    assert any(v is None for b in bags for v in b.values())
    members = {str(v).casefold(): v for v in _enum_members(resource_type(STORAGE_ACCOUNT).inputs)}
    odd = [s for b in bags for s in _strings(b) if s.casefold() in members and s != members[s.casefold()]]
    assert len(odd) >= 5, "enum members in odd casing"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_drawing_is_fast() -> None:
    """Drawing is cheap next to capturing or evaluating: a few hundred StorageAccount bags,
    the heaviest type of the pipeline, well within a second or two each hundred."""
    draws: list[dict[str, Any]] = []

    @settings(max_examples=200, deadline=None, database=None)
    @given(resource_inputs(STORAGE_ACCOUNT, unknowns=True, secrets=True))
    def run(bag: dict[str, Any]) -> None:
        draws.append(bag)

    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    assert len(draws) >= 150
    assert elapsed < 20, f"{len(draws)} draws took {elapsed:.1f} s"
