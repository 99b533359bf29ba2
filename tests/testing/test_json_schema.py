"""``cdcml.testing.schemas.from_json_schema``: hypothesis-jsonschema's strategy, working on
object schemas with the Hypothesis the project resolves (issue 12: with 0.23.1 and
Hypothesis ≥ 6.170.10 every object schema failed with ``'many' object has no attribute
'more'``)."""

from __future__ import annotations

from typing import Any

import hypothesis_jsonschema
from hypothesis import find, given
from hypothesis.internal.conjecture import utils as cu
from jsonschema import Draft7Validator

from cdcml.testing.schemas import from_json_schema, jsonschema_compat_applied

OBJECT = {
    "type": "object",
    "properties": {
        "size": {"type": "integer", "minimum": 1, "maximum": 100},
        "mode": {"enum": ["a", "b"]},
        "nested": {
            "type": "object",
            "properties": {"x": {"type": "string", "minLength": 1}},
            "required": ["x"],
            "additionalProperties": False,
        },
        "tags": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 3},
    },
    "required": ["size"],
    "additionalProperties": False,
}


def test_the_adapter_is_applied_exactly_when_the_installed_versions_need_it() -> None:
    needed = hypothesis_jsonschema.__version__ == "0.23.1" and not hasattr(cu.many, "more")
    assert jsonschema_compat_applied() is needed
    assert jsonschema_compat_applied() is needed  # idempotent


def test_the_public_hypothesis_jsonschema_strategy_works_on_objects_once_the_kit_is_imported() -> None:
    """Users calling ``hypothesis_jsonschema.from_schema`` directly get working objects too."""
    jsonschema_compat_applied()
    value = find(hypothesis_jsonschema.from_schema(OBJECT), lambda v: "nested" in v)
    assert value == {"size": 1, "nested": {"x": "0"}}


@given(value=from_json_schema(OBJECT))
def test_every_drawn_object_is_valid_against_its_schema(value: dict[str, Any]) -> None:
    """drawn ⇒ valid: required keys present, nested objects and maps as declared."""
    Draft7Validator(OBJECT).validate(value)


def test_object_examples_shrink_to_the_minimal_counterexample() -> None:
    """Shrinking works through the adapter: the smallest object with size ≥ 7 and a mode."""
    assert find(from_json_schema(OBJECT), lambda v: v["size"] >= 7 and "mode" in v) == {"size": 7, "mode": "a"}


def test_objects_vary_in_which_optional_keys_they_carry() -> None:
    seen: set[frozenset[str]] = set()

    @given(value=from_json_schema(OBJECT))
    def collect(value: dict[str, Any]) -> None:
        seen.add(frozenset(value))

    collect()
    assert frozenset({"size"}) in seen
    assert len(seen) > 2
