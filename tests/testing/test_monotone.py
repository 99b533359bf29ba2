"""The monotone law (cdcml.testing.monotone)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import PolicyConfigSchema, ResourceValidationPolicy

from cdcml.capture import capture
from cdcml.engine.pack import DEFAULT_PACK, load_pack, pack_from_policies
from cdcml.testing import GraphBuilder
from cdcml.testing.monotone import chains, monotone_properties, monotonicity

ROOT = Path(__file__).resolve().parents[2]
HUB = "azure-native:eventhub:EventHub"


def _retention(args, report):
    if args.resource_type == HUB and args.props.get("retentionHours", 0) < args.get_config()["minRetentionHours"]:
        report("too short")


def _inverted_retention(args, report):
    if args.resource_type == HUB and args.props.get("retentionHours", 0) > args.get_config()["minRetentionHours"]:
        report("inverted")


def _location(args, report):
    allowed = args.get_config()["allowedLocations"]
    if args.resource_type == HUB and allowed and args.props.get("location") not in allowed:
        report("location")


def _inverted_location(args, report):
    allowed = args.get_config()["allowedLocations"]
    if args.resource_type == HUB and allowed and args.props.get("location") in allowed:
        report("location")


def pack(retention=_retention, location=_location):
    number = PolicyConfigSchema({"minRetentionHours": {"type": "number", "minimum": 1, "maximum": 200, "default": 24}})
    listed = PolicyConfigSchema(
        {"allowedLocations": {"type": "array", "items": {"type": "string"}, "default": ["westeurope"]}}
    )
    return pack_from_policies(
        "p",
        [
            ResourceValidationPolicy(name="retention", description="R.", validate=retention, config_schema=number),
            ResourceValidationPolicy(name="location", description="L.", validate=location, config_schema=listed),
        ],
        enforcement_level="mandatory",
    )


def hubs():
    g = GraphBuilder()
    for i, (hours, where) in enumerate([(1, "westeurope"), (48, "northeurope"), (150, "eastus"), (12, "westus")]):
        g.add(HUB, f"h{i}", {"retentionHours": hours, "location": where})
    return g.build()


def test_the_properties_the_law_applies_to_and_their_direction_come_from_the_schema_and_the_name():
    found = {(p.policy, p.name): (p.kind, p.direction) for p in monotone_properties(load_pack(DEFAULT_PACK))}
    assert found[("protection-enable-blob-soft-delete", "minRetentionDays")] == ("number", "up")
    assert found[("cost-enforce-eventhub-sizing", "maxCapacity")] == ("number", "down")
    assert found[("governance-enforce-linked-service-types", "allowedLinkedServiceTypes")] == ("list", "down")
    assert found[("governance-require-tags", "requiredTags")] == ("list", "either")
    assert ("crossresource-require-dedicated-consumer-group", "consumers") not in found  # a list of objects
    assert ("cdc-configure-declared-status", "environment") not in found  # a string enum: no order


def test_a_correct_policy_holds_and_an_inverted_one_is_named_with_the_values():
    good, bad = pack(), pack(retention=_inverted_retention, location=_inverted_location)
    props = {p.name: p for p in monotone_properties(good)}
    assert monotonicity(hubs(), good, props["minRetentionHours"], [10.0, 50.0, 160.0]) == []
    assert (
        monotonicity(
            hubs(),
            good,
            props["allowedLocations"],
            [["westeurope", "eastus", "westus"], ["westeurope", "eastus"], ["westeurope"]],
        )
        == []
    )
    broken = monotonicity(hubs(), bad, props["minRetentionHours"], [10.0, 50.0, 160.0])
    assert broken and broken[0].startswith("retention minRetentionHours: 10.0 → 50.0 (stricter) no longer flags h1")
    broken = monotonicity(
        hubs(), bad, props["allowedLocations"], [["westeurope", "eastus"], ["westeurope"], ["westeurope"]]
    )
    assert broken and "no longer flags h2" in broken[0]


@given(st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_drawn_chain_is_ordered_loosest_first_within_the_schema(data):
    """Numbers within the schema's bounds, ascending for ``min…`` and descending for
    ``max…``; lists non-empty, each a subset of the one before."""
    prop = data.draw(st.sampled_from(monotone_properties(load_pack(DEFAULT_PACK))))
    values = data.draw(chains(prop, prop.schema.get("default")))
    assert len(values) == 3
    if prop.kind == "number":
        low = prop.schema.get("minimum", prop.schema.get("exclusiveMinimum", float("-inf")))
        assert all(v >= low and v <= prop.schema.get("maximum", float("inf")) for v in values)
        assert values == (sorted(values, reverse=True) if prop.direction == "down" else sorted(values))
    else:
        assert all(values) and set(values[1]) <= set(values[0]) and set(values[2]) <= set(values[1])


SEED = capture(ROOT, "seed")
GUARDRAILS = load_pack(DEFAULT_PACK)


@given(st.data())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_guardrails_are_monotone_in_every_bounded_or_listed_config_on_the_seed_stack(data):
    """Monotone: on the seed stack (which violates many policies), a stricter value of any
    numeric or allow-list config never removes a violation."""
    prop = data.draw(st.sampled_from(monotone_properties(GUARDRAILS)))
    values = data.draw(chains(prop, prop.schema.get("default")))
    assert monotonicity(SEED, GUARDRAILS, prop, values) == []
