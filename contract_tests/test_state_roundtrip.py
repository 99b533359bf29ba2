"""Acceptance: a reference stack exported as `pulumi stack export` JSON and analyzed with
`cdcml policy analyze` gets the findings `cdcml preview` gives that stack in resolved-output
mode — for every stack of the repository — and the SARIF of both validates against the
SARIF 2.1.0 schema.

Preview applies remediations in memory before Analyze (as `pulumi preview` does) while
analyze reports them without applying them (as `pulumi policy analyze` does), so the
comparison either evaluates both with the same ``apply_remediations``, or runs both
commands with a pack config in which no policy is at ``remediate``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from cdcml.capture.project import load_project
from cdcml.cli import run
from cdcml.engine.evaluate import evaluate
from cdcml.model import EnforcementLevel, Findings
from cdcml.model.values import contains_secret
from cdcml.runs.packs import load_packs
from cdcml.state.decode import load_state
from cdcml.state.export import dumps, export_stack

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "policies" / "cdc-ml-guardrails"
SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
STACKS = load_project(ROOT).stacks()


@pytest.fixture(scope="module")
def packs():
    return load_packs([PACK], project="cdcml", stack="seed")[:2]


def unordered(items: list) -> list[str]:
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def comparable(findings: Findings) -> Findings:
    """Everything but where the graph came from (``resolved`` vs ``state``)."""
    return dataclasses.replace(findings, source="")


def test_the_repository_has_reference_stacks():
    assert "seed" in STACKS


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("apply_remediations", [False, True])
def test_exported_stack_state_gets_the_findings_of_its_resolved_preview(
    stack, apply_remediations, packs, stack_captures
):
    """Capture → evaluate, and capture → export (--show-secrets) → load → evaluate, agree."""
    pack_list, configs = packs
    graph = stack_captures(stack, "resolved")
    expected = evaluate(graph, pack_list, configs, apply_remediations=apply_remediations)
    state = load_state(dumps(export_stack(graph)), source=f"{stack}.json")
    assert [r.urn for r in state] == [r.urn for r in graph]
    assert (state.project, state.stack, state.source, state.dry_run) == (graph.project, graph.stack, "state", True)
    got = evaluate(state, pack_list, configs, apply_remediations=apply_remediations)
    assert comparable(got) == comparable(expected)
    if not any(contains_secret(r.inputs) or contains_secret(r.outputs) for r in graph):
        # Without secrets, an encrypted export (never decrypted) analyzes the same.
        encrypted = load_state(dumps(export_stack(graph, secrets="b64")), source=f"{stack}.json")
        assert comparable(evaluate(encrypted, pack_list, configs, apply_remediations=apply_remediations)) == (
            comparable(expected)
        )


@pytest.mark.parametrize("stack", STACKS)
def test_policy_analyze_of_the_export_matches_preview_resolved_from_the_command_line(
    stack, packs, stack_captures, tmp_path, capsys, monkeypatch
):
    pack_list, _ = packs
    # No policy at remediate: preview's in-memory remediation then changes nothing.
    config = {
        p.name: "mandatory"
        for p in pack_list[0].policies
        if p.enforcement_level is not None and EnforcementLevel(p.enforcement_level.value) is EnforcementLevel.REMEDIATE
    }
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    state_file = tmp_path / f"{stack}.json"
    state_file.write_bytes(dumps(export_stack(stack_captures(stack, "resolved"))))
    monkeypatch.chdir(ROOT)
    common = ["--policy-pack", str(PACK), "--policy-pack-config", str(config_file), "--json"]
    preview_code = run(
        ["preview", "--stack", stack, "--outputs", "resolved", *common, "--sarif", str(tmp_path / "p.sarif")]
    )
    preview_doc = json.loads(capsys.readouterr().out)
    analyze_code = run(["policy", "analyze", "--file", str(state_file), *common, "--sarif", str(tmp_path / "a.sarif")])
    analyze_doc = json.loads(capsys.readouterr().out)
    # Two captures may register resources in different orders (the program runs
    # concurrently), so the documents are compared as sets of entries.
    assert analyze_code == preview_code
    # Only a captured program knows where it declared a resource; state has no positions.
    positions = [f.pop("sourcePosition", None) for f in preview_doc["findings"]]
    assert all(p is not None for p, f in zip(positions, preview_doc["findings"], strict=True) if f["urn"])
    assert not any("sourcePosition" in f for f in analyze_doc["findings"])
    for key in ("findings", "resources", "stackPolicies", "remediations"):
        assert unordered(analyze_doc[key]) == unordered(preview_doc[key]), key
    assert analyze_doc["summary"] == preview_doc["summary"]
    schema = json.loads(SARIF_SCHEMA.read_text())
    for name in ("p.sarif", "a.sarif"):
        log = json.loads((tmp_path / name).read_text())
        jsonschema.Draft4Validator(schema).validate(log)
    a, p = (json.loads((tmp_path / n).read_text())["runs"][0]["results"] for n in ("a.sarif", "p.sarif"))
    assert unordered([(r["ruleId"], r["properties"]["urn"], r["level"]) for r in a]) == unordered(
        [(r["ruleId"], r["properties"]["urn"], r["level"]) for r in p]
    )
