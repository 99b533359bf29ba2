"""benchmarks/peer_inputs.py: the state, plan and template of the peers benchmark describe
the same resources, each in a form its tool reads, and cdcml finds violations of the
policies the peers restate exactly on the bad units."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from cdcml.runs.analyze import analyze_file
from cdcml.state.decode import load_state

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies" / "cdc-ml-guardrails"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("peer_inputs", ROOT / "benchmarks" / "peer_inputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("peer_inputs", module)
    spec.loader.exec_module(module)
    return module


P = _load()
UNITS = 3


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return P.write_inputs(tmp_path_factory.mktemp("peers"), P.resource_count(UNITS))


def test_the_three_documents_hold_the_same_resources_per_kind(inputs):
    state = json.loads(inputs.state.read_text())
    plan = json.loads(inputs.plan.read_text())
    template = json.loads(inputs.template.read_text())
    expected = Counter({"resource_group": 1, **dict.fromkeys(P.KINDS, UNITS)})
    assert P.kinds_in_state(state) == expected
    assert P.kinds_in_plan(plan) == expected
    assert P.kinds_in_template(template) == expected
    assert inputs.resources == sum(expected.values()) == 1 + 12 * UNITS


def test_sizes_round_up_to_whole_units():
    assert P.units_for(1_000) == 84 and P.resource_count(84) == 1_009
    assert P.units_for(13) == 1 and P.units_for(14) == 2


def test_the_state_loads_with_cdcmls_state_loader(inputs):
    graph = load_state(inputs.state.read_bytes(), source=str(inputs.state))
    types = Counter(r.type for r in graph.resources)
    assert types["pulumi:pulumi:Stack"] == 1 and types["pulumi:providers:azure-native"] == 1
    assert types["azure-native:storage:StorageAccount"] == UNITS
    assert len(graph) == inputs.resources + 2
    factory = next(r for r in graph.resources if r.name == P.logical_name("factory", 0))
    assert factory.inputs["publicNetworkAccess"] == "Disabled"


def test_the_arm_template_has_typed_versioned_resources(inputs):
    template = json.loads(inputs.template.read_text())
    assert template["$schema"].endswith("deploymentTemplate.json#")
    for r in template["resources"]:
        assert r["type"].startswith("Microsoft.") and r["apiVersion"] and r["name"]
    names = [r["name"] for r in template["resources"] if r["type"] == "Microsoft.DataFactory/factories/adfcdcs"]
    assert names == [f"adf-bench-{i:05d}/cdc_{i:05d}" for i in range(UNITS)]


def test_the_terraform_plan_has_what_checkov_reads(inputs):
    plan = json.loads(inputs.plan.read_text())
    planned = plan["planned_values"]["root_module"]["resources"]
    assert plan["format_version"] and plan["terraform_version"]
    for r in planned:
        assert r["address"] == f"{r['type']}.{r['name']}" and r["mode"] == "managed"
        assert isinstance(r["values"], dict) and r["provider_name"].startswith("registry.terraform.io/")
    changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
    assert set(changes) == {r["address"] for r in planned}
    assert all(
        changes[r["address"]] == {**changes[r["address"]], "actions": ["create"], "after": r["values"]} for r in planned
    )
    configured = [r["address"] for r in plan["configuration"]["root_module"]["resources"]]
    assert configured == [r["address"] for r in planned]


def test_half_the_units_violate_in_each_document(inputs):
    state = json.loads(inputs.state.read_text())
    plan = json.loads(inputs.plan.read_text())
    template = json.loads(inputs.template.read_text())
    open_accounts = [
        r["inputs"]["accountName"]
        for r in state["deployment"]["resources"]
        if r["type"] == P.PULUMI_TYPES["storage"] and r["inputs"]["publicNetworkAccess"] == "Enabled"
    ]
    assert open_accounts == ["cdclanding00001"]
    tf = [
        r["values"]["name"]
        for r in plan["planned_values"]["root_module"]["resources"]
        if r["type"] == "azurerm_storage_account" and r["values"]["public_network_access_enabled"]
    ]
    arm = [
        r["name"]
        for r in template["resources"]
        if r["type"] == P.ARM_TYPES["storage"] and r["properties"]["publicNetworkAccess"] == "Enabled"
    ]
    assert tf == arm == open_accounts


def test_cdcml_finds_the_mirrored_policies_violated_on_the_bad_unit_only(inputs):
    """The peers' rules restate P.MIRRORED; cdcml must flag exactly the kinds each one names,
    in the odd unit, so every tool's violation count can be compared."""
    verdict = analyze_file(inputs.state, pack_dirs=[PACK])
    found = {
        (f.policy, f.urn.rsplit("::", 1)[-1]) for f in verdict.stacks[0].findings.violations if f.policy in P.MIRRORED
    }
    expected = {(policy, P.logical_name(kind, 1)) for policy, kinds in P.MIRRORED.items() for kind in kinds}
    assert found == expected
    assert len(expected) == 21
