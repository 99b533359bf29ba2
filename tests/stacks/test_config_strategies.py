"""Strategies generated from the stack configuration schema: cdcml.testing.schemas and
cdcml.testing.strategies.stack_configs (capture runs are in test_stack_properties)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from cdcml.stacks import ReferencePlan, plan_stack
from cdcml.stacks.eventing import TIER_LIMITS, EventHubsSku
from cdcml.stacks.schema import SCHEMA
from cdcml.testing.schemas import from_schema
from cdcml.testing.strategies import stack_configs

KEYS = sorted(SCHEMA["properties"])


def _decoded(values: dict[str, str]) -> dict[str, Any]:
    """The flat config decoded as the program reads it (JSON where it is JSON)."""
    out: dict[str, Any] = {}
    for key, text in values.items():
        try:
            out[key] = json.loads(text) if key.startswith("cdcml:") else text
        except json.JSONDecodeError:
            out[key] = text
    return out


@pytest.mark.parametrize("key", KEYS)
@given(data=st.data())
def test_every_value_drawn_from_a_key_schema_is_valid_against_it(key: str, data: st.DataObject) -> None:
    """from_schema draws only valid values, conditionals (Event Hubs tiers) included."""
    node = SCHEMA["properties"][key]
    value = data.draw(from_schema(node))
    assert not list(Draft202012Validator(node).iter_errors(value))


@given(stack_configs())
def test_every_generated_stack_config_is_an_instance_of_the_schema_and_plans(values: dict[str, str]) -> None:
    """stack_configs yields configurations the schema accepts and whose cross-field rules
    hold, so plan_stack accepts every one."""
    assert not list(Draft202012Validator(SCHEMA).iter_errors(_decoded(values)))
    assert isinstance(plan_stack(values, project="cdcml", stack="generated"), ReferencePlan)


@given(
    stack_configs(
        profile=st.just("fanin"),
        private_networking=st.just(False),
        sources=st.just(["orders", "stock"]),
        location=st.just("swedencentral"),
    )
)
def test_narrowed_stack_configs_keep_every_narrowed_key(values: dict[str, str]) -> None:
    """Keyword arguments narrow their keys (a strategy of False is honoured, not read as
    'no strategy')."""
    plan = plan_stack(values, project="cdcml", stack="generated")
    assert isinstance(plan, ReferencePlan)
    assert (plan.profile, plan.private_networking, plan.location) == ("fanin", False, "swedencentral")
    assert [s.source for s in plan.sources] == ["orders", "stock"]


@given(stack_configs(private_networking=st.just(True)))
def test_every_private_generated_stack_has_a_tier_with_private_link_and_room_for_its_consumers(
    values: dict[str, str],
) -> None:
    plan = plan_stack(values, project="cdcml", stack="generated")
    assert isinstance(plan, ReferencePlan)
    limits = TIER_LIMITS[plan.eventing.sku]
    assert limits.private_link and plan.eventing.sku is not EventHubsSku.BASIC
    assert len(plan.eventing.consumers) < limits.consumer_groups


def test_a_required_property_nothing_can_be_drawn_for_is_an_error() -> None:
    with pytest.raises(ValueError, match="required property 'x'"):
        from_schema({"type": "object", "properties": {"x": {"description": "anything"}}, "required": ["x"]})
