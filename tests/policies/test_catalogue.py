"""One test over every policy's metadata, written once (style.md §6), and the claims the
catalogue makes as a whole."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

import cdcml.policies
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import pack_from_policies
from cdcml.policies import types as T
from cdcml.policies.base import CONCERNS, LAYERS
from cdcml.policies.catalogue import POLICIES, by_name, discover
from cdcml.testing.harness import expectation, graph_from_spec
from tests.policies.fixtures import PIPELINE

VERBS = ("disallow", "enforce", "enable", "disable", "configure", "missing", "require")
GROUPS = (
    "cdc",
    "network",
    "identity",
    "encryption",
    "protection",
    "governance",
    "ml",
    "observability",
    "cost",
    "crossresource",
)
NAME = re.compile(rf"^(?P<group>{'|'.join(GROUPS)})-(?P<verb>{'|'.join(VERBS)})-[a-z0-9]+(?:-[a-z0-9]+)*$")
RULE = re.compile(r"^[A-IX]-\d{2}$")
CATALOGUE_RULES = {
    f"{g}-{i:02d}" for g, n in zip("ABCDEFGHIX", (9, 11, 10, 8, 7, 5, 4, 4, 6, 6), strict=True) for i in range(1, n + 1)
}
IDS = [p.name for p in POLICIES]


def module_name(policy: Any) -> str:
    return policy.name.replace("-", "_")


def case_table(policy: Any) -> ModuleType:
    group = policy.name.split("-", 1)[0]
    return importlib.import_module(f"tests.policies.{group}.test_{module_name(policy)}")


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_every_policy_has_a_conventional_name_module_and_variable(policy: Any) -> None:
    m = NAME.match(policy.name)
    assert m, f"{policy.name}: name it <group>-<verb>-<what> with a verb from {VERBS}"
    module = importlib.import_module(f"cdcml.policies.{m['group']}.{module_name(policy)}")
    assert getattr(module, module_name(policy)) is policy


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_every_policy_carries_its_metadata(policy: Any) -> None:
    assert re.match(r"^[A-Z].{20,}[^.]\.$", policy.description), "description: one full sentence"
    assert "\n" not in policy.description
    assert policy.severity is not None
    assert policy.enforcement_level is not None
    assert policy.url and policy.url.startswith(("https://learn.microsoft.com/", "https://www.pulumi.com/"))
    assert policy.remediation_steps and len(policy.remediation_steps) > 40
    assert policy.framework is not None and policy.framework.name == "MCSB"
    assert re.match(r"^[A-Z]{2}-\d$", policy.framework.reference)
    assert RULE.match(policy.rule) and policy.rule in CATALOGUE_RULES
    assert policy.layer in LAYERS and policy.concern in CONCERNS
    assert policy.tags == [policy.layer, policy.concern]
    assert isinstance(policy, (ResourceValidationPolicy, StackValidationPolicy))


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_every_config_property_has_a_default_and_a_description(policy: Any) -> None:
    """An initial_config entry without enforcementLevel would demote the policy to
    advisory, so defaults live in the schema, where the engine applies them."""
    schema = policy.config_schema
    for name, prop in (schema.properties if schema else {}).items():
        assert "default" in prop, f"{policy.name}.{name} has no default"
        assert prop.get("description"), f"{policy.name}.{name} has no description"


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_every_policy_has_a_case_table_with_a_pass_and_a_fail(policy: Any) -> None:
    tests = case_table(policy)
    assert tests.POLICY is policy
    kinds = {expectation(name, case) for name, case in tests.CASES.items()}
    assert {"pass", "fail"} <= kinds
    assert "pass" in tests.CASES and not tests.CASES["pass"], "the plain compliant BASE is case 'pass'"
    if isinstance(policy, ResourceValidationPolicy):
        assert tests.RESOURCE_TYPE in policy.resource_types or not policy.resource_types


def test_names_are_unique() -> None:
    assert len(IDS) == len(set(IDS))
    assert by_name(IDS[0]) is POLICIES[0]


def test_the_catalogue_covers_at_least_50_rules_including_groups_a_b_f_and_x01_to_x03() -> None:
    rules = {p.rule for p in POLICIES}
    assert len(rules) >= 50
    required = {r for r in CATALOGUE_RULES if r[0] in "ABF"} | {"X-01", "X-02", "X-03"}
    assert required <= rules, sorted(required - rules)
    stack = {p.rule for p in POLICIES if isinstance(p, StackValidationPolicy)}
    assert {"X-01", "X-02", "X-03"} <= stack


def test_exposure_and_broken_flows_are_mandatory_hygiene_and_cost_advisory() -> None:
    for p in POLICIES:
        level = p.enforcement_level.value
        if p.severity.value in ("critical",) or (p.concern == "network" and p.severity.value == "high"):
            assert level == "mandatory", p.name
        if p.concern == "cost" or p.severity.value == "low":
            assert level == "advisory", p.name


def test_every_policy_passes_the_compliant_pipeline_in_preview_and_resolved_mode() -> None:
    pack = pack_from_policies("catalogue", list(POLICIES))
    for preview in (False, True):
        found = evaluate(graph_from_spec(PIPELINE, preview=preview), [pack])
        bad = [(f.kind.value, f.policy, f.urn, f.message) for f in found.findings if f.kind.value != "not-applicable"]
        assert not bad


def test_every_resource_policy_names_the_types_it_checks() -> None:
    known = {v for k, v in vars(T).items() if k.isupper() and isinstance(v, str)}
    for p in POLICIES:
        assert set(p.resource_types) <= known, p.name
        if isinstance(p, StackValidationPolicy):
            assert p.resource_types, p.name


def test_policy_modules_define_one_policy_each() -> None:
    for p in POLICIES:
        source = importlib.import_module(f"cdcml.policies.{p.name.split('-', 1)[0]}.{module_name(p)}")
        policies = [
            v for v in vars(source).values() if isinstance(v, (ResourceValidationPolicy, StackValidationPolicy))
        ]
        assert policies == [p]


def test_every_policy_module_under_policies_is_in_the_catalogue() -> None:
    """Issue 10: "the catalogue cannot silently miss a module"."""
    root = Path(cdcml.policies.__file__).parent
    modules = {p.stem for p in root.glob("*/*.py") if not p.name.startswith("_")}
    assert modules == {module_name(p) for p in POLICIES}
    assert {p.parent.name for p in root.glob("*/*.py")} == set(GROUPS)


def test_the_pack_order_is_by_catalogue_rule_then_name() -> None:
    assert list(POLICIES) == sorted(POLICIES, key=lambda p: (p.rule, p.name))
    assert [p.name for p in POLICIES[:2]] == ["cdc-enforce-mode-allowlist", "cdc-require-incremental-capture"]
    assert POLICIES[-1].name == "crossresource-require-ml-private-outbound"


def test_a_policy_module_without_its_policy_fails_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "zzconcern"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_helpers.py").write_text("HELPER = 1\n")
    (package / "zzconcern_enforce_nothing.py").write_text("zzconcern_enforce_something = None\n")
    monkeypatch.setattr(cdcml.policies, "__path__", [*cdcml.policies.__path__, str(tmp_path)])
    try:
        with pytest.raises(ImportError, match=r"cdcml\.policies\.zzconcern\.zzconcern_enforce_nothing must define"):
            discover()
    finally:
        for name in [m for m in sys.modules if m.startswith("cdcml.policies.zzconcern")]:
            del sys.modules[name]
