"""The robust and well-typed laws (cdcml.testing.typed_laws)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from pulumi_policy import ResourceValidationPolicy

from cdcml.capture import capture
from cdcml.engine.pack import DEFAULT_PACK, load_pack, pack_from_policies
from cdcml.testing import GraphBuilder
from cdcml.testing.typed_laws import crashes, declared_types, ill_typed, resources_of

ROOT = Path(__file__).resolve().parents[2]
PROD = capture(ROOT, "prod")
GUARDRAILS = load_pack(DEFAULT_PACK)
ACCOUNT = "azure-native:storage:StorageAccount"


def _fragile(args, report):
    if args.resource_type == ACCOUNT and args.props["sku"]["name"].startswith("Premium"):
        report("premium")


def test_a_policy_that_assumes_a_property_is_there_crashes_and_is_named():
    fragile = pack_from_policies(
        "p",
        [ResourceValidationPolicy(name="fragile", description="F.", validate=_fragile)],
        enforcement_level="mandatory",
    )
    problems = crashes(ACCOUNT, {"kind": "StorageV2"}, [fragile])
    assert (
        len(problems) == 1
        and problems[0].startswith("policy p/fragile raised on ")
        and "KeyError: 'sku'" in problems[0]
    )
    assert crashes(ACCOUNT, {"sku": {"name": "Standard_LRS"}}, [fragile]) == []


@given(resources_of(declared_types(PROD)))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_guardrails_policy_raises_on_ill_typed_properties_of_any_type_prod_declares(case):
    """Robust: nulls, wrong types, odd casing, missing and undeclared keys, unknowns and
    secrets in the properties of any resource type the prod stack declares never make a
    guardrails policy raise."""
    type_token, props = case
    assert crashes(type_token, props, [GUARDRAILS]) == []


def test_the_reference_stacks_are_well_typed_and_a_wrong_input_is_named():
    """Well-typed: every azure-native input of the reference stacks has the SDK's type."""
    for stack in ("seed", "prod", "fanin"):
        assert ill_typed(capture(ROOT, stack)) == [], stack
    g = GraphBuilder()
    g.add(ACCOUNT, "sa", {"kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "isHnsEnabled": "yes"})
    problems = ill_typed(g.build())
    assert sorted(problems) == [
        'StorageAccount sa: isHnsEnabled: expected a boolean, found a string "yes"',
        "StorageAccount sa: resourceGroupName: expected a string (required), found nothing",
    ]


def test_the_declared_types_are_the_azure_native_types_the_sdk_knows():
    types = declared_types(PROD)
    assert ACCOUNT in types and all(t.startswith("azure-native:") for t in types)
    assert len(types) == len(set(types)) == 37
