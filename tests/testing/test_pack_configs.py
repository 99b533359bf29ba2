"""Pack configurations drawn from config schemas (``cdcml.testing.pack_configs``), proven
in both directions on every configurable policy of the guardrails pack: a valid config
validates against its schema and cdcml's config validation (the CLI's) accepts it; an
invalid one breaks exactly one constraint and is refused with a one-line error."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from cdcml.engine.config import parse_pack_config, reconcile
from cdcml.engine.pack import Pack, load_pack
from cdcml.errors import PackConfigError
from cdcml.policies.catalogue import POLICIES
from cdcml.testing.pack_configs import LEVELS, broken_configs, config_schema, pack_configs, policy_configs

ROOT = Path(__file__).resolve().parents[2]
CONFIGURABLE = sorted(p.name for p in POLICIES if p.config_schema is not None)


@cache
def guardrails() -> Pack:
    return load_pack(ROOT / "policies" / "cdc-ml-guardrails")


def schema_of(name: str) -> dict[str, Any]:
    return config_schema(guardrails().policy(name))


def validate(doc: dict[str, Any]) -> Any:
    """cdcml's validation of a ``--policy-pack-config`` document, through JSON as a file is."""
    return reconcile(guardrails(), parse_pack_config(json.loads(json.dumps(doc))))


def test_the_guardrails_have_configurable_policies_to_prove() -> None:
    assert len(CONFIGURABLE) >= 30
    assert set(CONFIGURABLE) <= set(guardrails().policy_names())


@pytest.mark.parametrize("name", CONFIGURABLE)
@given(data=st.data())
def test_every_valid_policy_config_validates_and_cdcml_accepts_it(name: str, data: st.DataObject) -> None:
    """valid ⇒ accepted: every drawn config validates against the policy's schema (draft
    7), declares only its properties, and cdcml's config validation accepts it with the
    values it was given."""
    config = data.draw(policy_configs(guardrails().policy(name)))
    schema = schema_of(name)
    Draft7Validator(schema).validate(config)
    assert set(config) <= set(schema["properties"])
    reconciled = validate({name: config})
    assert reconciled.properties(name) is None or set(config) <= set(reconciled.properties(name) or {})


@pytest.mark.parametrize("name", CONFIGURABLE)
@given(data=st.data())
def test_every_invalid_policy_config_breaks_one_constraint_and_cdcml_refuses_it_in_one_line(
    name: str, data: st.DataObject
) -> None:
    """invalid ⇒ refused: every drawn config fails exactly one constraint of the schema
    (the one reported), and cdcml's validation refuses it with one line naming the policy
    and the offending property."""
    broken = data.draw(broken_configs(guardrails().policy(name)))
    errors = list(Draft7Validator(schema_of(name)).iter_errors(broken.config))
    assert len(errors) == 1
    assert (errors[0].validator, tuple(errors[0].absolute_path)) == (broken.constraint, broken.path)
    with pytest.raises(PackConfigError) as refused:
        validate({name: broken.config})
    message = str(refused.value)
    assert "\n" not in message
    assert f"{name}: " in message
    if broken.path:
        assert str(broken.path[0]) in message


@pytest.mark.parametrize("name", CONFIGURABLE)
@given(data=st.data())
def test_policy_configs_invalid_is_refused_by_cdcml(name: str, data: st.DataObject) -> None:
    """``policy_configs(policy, valid=False)`` ⇒ refused, one line."""
    config = data.draw(policy_configs(guardrails().policy(name), valid=False))
    with pytest.raises(PackConfigError, match=r"^validating policy config: [^\n]*$"):
        validate({name: config})


@given(doc=pack_configs(guardrails(), levels=st.sampled_from(LEVELS)))
def test_every_valid_pack_config_is_accepted_with_its_levels(doc: dict[str, dict[str, Any]]) -> None:
    """valid pack config ⇒ accepted, every entry's level applied."""
    reconciled = validate(doc)
    for name, entry in doc.items():
        assert name in CONFIGURABLE
        assert str(reconciled.level(name)) == entry["enforcementLevel"]


@given(doc=pack_configs(guardrails(), valid=False))
def test_every_invalid_pack_config_is_refused_in_one_line_naming_one_policy(doc: dict[str, dict[str, Any]]) -> None:
    """invalid pack config ⇒ refused: exactly one entry breaks its schema, and the one-line
    error names that policy."""
    bad = [name for name, entry in doc.items() if not Draft7Validator(schema_of(name)).is_valid(entry)]
    assert len(bad) == 1
    with pytest.raises(PackConfigError) as refused:
        validate(doc)
    assert "\n" not in str(refused.value)
    assert f"{bad[0]}: " in str(refused.value)


@given(doc=pack_configs(list(POLICIES)))
def test_pack_configs_of_bare_policies_are_valid_documents(doc: dict[str, dict[str, Any]]) -> None:
    """A list of policies works as the pack: every entry validates against its policy's schema."""
    for name, entry in doc.items():
        Draft7Validator(schema_of(name)).validate(entry)


# A schema with every kind of constraint the kit can break (the guardrails declare no
# required property and no pattern).
RICH = {
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2},
        "code": {"type": "string", "maxLength": 4},
        "size": {"type": "integer", "minimum": 1, "maximum": 10},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "mode": {"type": "string", "enum": ["a", "b"]},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3, "uniqueItems": True},
        "limits": {"type": "object", "properties": {"x": {"type": "number"}}, "additionalProperties": False},
        "fixed": {"const": "yes"},
    },
    "required": ["name", "size"],
}
EVERY_CONSTRAINT = {
    "type",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "enum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "additionalProperties",
    "const",
    "required",
}


def test_broken_configs_break_every_kind_of_constraint_alone() -> None:
    """Each kind of constraint (type, bounds, enum, const, required, lengths, pattern,
    item counts, uniqueness, undeclared keys) is broken by some drawn config, alone.
    Derandomized: a coverage claim over a fixed sequence of examples, not a flaky one."""
    seen: set[str] = set()
    validator = Draft7Validator(config_schema(RICH))

    @settings(max_examples=800, database=None, derandomize=True)
    @given(broken=broken_configs(RICH))
    def collect(broken: Any) -> None:
        assert [e.validator for e in validator.iter_errors(broken.config)] == [broken.constraint]
        seen.add(broken.constraint)

    collect()
    assert seen == EVERY_CONSTRAINT


@given(broken=broken_configs(RICH, provided=["name"]))
def test_a_required_property_filled_in_elsewhere_is_never_left_out(broken: Any) -> None:
    """provided ⇒ never missing: a required property the pack's defaults or initial config
    fill in is not a way to break the config (the CLI would fill it in)."""
    if broken.constraint == "required":
        assert "name" in broken.config
        assert "size" not in broken.config


def test_a_schema_with_nothing_to_break_is_refused() -> None:
    with pytest.raises(ValueError, match="no constraint"):
        broken_configs({"properties": {"anything": {"description": "free"}}})
    assert config_schema({"properties": {"enforcementLevel": {"type": "string"}, "x": {"type": "number"}}}) == {
        "type": "object",
        "properties": {"x": {"type": "number"}},
    }
