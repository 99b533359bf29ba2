"""Differential: cdcml's in-process evaluator against the pack run as a separate process
over the analyzer protocol, driven exactly like the Pulumi engine drives it.

Findings must be equal field by field (policy, pack, level, severity, URN, message,
kind — violation, unknown or not-applicable — and remediations)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from cdcml.capture.project import load_project
from cdcml.engine.config import PackConfig, load_pack_config_file, reconcile
from cdcml.engine.evaluate import PolicyCrashError, evaluate
from cdcml.engine.grpc_pack import PackProcess, analyze_graph_grpc
from cdcml.engine.pack import Pack, load_pack
from cdcml.engine.reference import PackSession, analyze_graph
from cdcml.errors import PackError
from cdcml.model import ResourceGraph
from cdcml.report import findings_to_json
from cdcml.testing.graphs import resource_graphs
from conftest import examples
from contract_tests.agreement import assert_same_findings, finding_key

ROOT = Path(__file__).resolve().parent.parent
GUARDRAILS = ROOT / "policies" / "cdc-ml-guardrails"
STACKS = load_project(ROOT).stacks()
CONFIGS = sorted((GUARDRAILS / "config").glob("*.json"))


@pytest.fixture(scope="module")
def guardrails() -> Pack:
    return load_pack(GUARDRAILS, project="cdcml")


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("config_file", [None, *CONFIGS], ids=lambda p: p.stem if p else "defaults")
def test_reference_stacks_give_the_same_findings_in_process_and_over_grpc(
    guardrails, stack_captures, stack, config_file
):
    graph = stack_captures(stack, "preview")
    cfg = reconcile(guardrails, load_pack_config_file(config_file) if config_file else None)
    ours = evaluate(graph, [guardrails], [cfg])
    ref = analyze_graph_grpc(graph, [guardrails], [cfg])
    assert_same_findings(ours, ref)
    assert ref.findings, "the reference stacks always produce some finding (at least n/a or advisory)"


@pytest.mark.parametrize("source", ["preview", "resolved", "state"])
def test_the_semantics_pack_gives_the_same_findings_over_grpc(semantics_pack, source):
    from contract_tests.semantics_graph import semantics_graph

    graph = semantics_graph(source=source, dry_run=source != "resolved")
    assert_same_findings(evaluate(graph, [semantics_pack]), analyze_graph_grpc(graph, [semantics_pack]))


GEN_PROJECT, GEN_STACK = "gen", "dev"


@pytest.fixture(scope="module")
def grpc_sessions(guardrails, semantics_pack) -> Iterator[tuple[list[Pack], list[PackConfig], list[PackSession]]]:
    """One process per pack for all generated graphs (what the engine would do per run)."""
    probe = ResourceGraph(project=GEN_PROJECT, stack=GEN_STACK, resources=())
    packs = [guardrails, load_pack(semantics_pack.directory, project=GEN_PROJECT, stack=GEN_STACK)]
    configs = [reconcile(p) for p in packs]
    with PackProcess(packs[0].directory, probe) as a, PackProcess(packs[1].directory, probe) as b:
        sessions = [
            PackSession(call=proc.call, name=p.name, version=p.version, config=c, stack_configured=False)
            for proc, p, c in zip((a, b), packs, configs, strict=True)
        ]
        yield packs, configs, sessions


@settings(max_examples=examples(dev=30, ci=200, long=1000))
@given(graph=resource_graphs(project=GEN_PROJECT, stack=GEN_STACK))
def test_generated_graphs_give_the_same_findings_in_process_and_over_grpc(grpc_sessions, graph):
    """For any well-formed graph, the in-process Findings equal the gRPC Findings — or
    both fail the run because a policy raised."""
    packs, configs, sessions = grpc_sessions
    try:
        ours = evaluate(graph, packs, configs)
    except PolicyCrashError:
        ours = None
    try:
        ref = analyze_graph(graph, sessions)
    except PackError:
        ref = None
    assert (ours is None) == (ref is None), "a policy crashed on one side only"
    if ours is not None and ref is not None:
        assert_same_findings(ours, ref)


def test_the_json_report_is_the_same_in_process_and_over_grpc(guardrails, stack_captures):
    """The documented JSON report of the seed stack (findings, resources, stack policies,
    remediations, summary) serializes identically from both evaluators."""
    graph = stack_captures("seed", "preview")
    ours = evaluate(graph, [guardrails])
    ref = analyze_graph_grpc(graph, [guardrails])
    dump = lambda f: sorted(json.dumps(finding_key(x)) for x in f.findings)  # noqa: E731
    assert dump(ours) == dump(ref)
    docs = [findings_to_json(f, command="preview", graph=graph) for f in (ours, ref)]
    for doc in docs:
        doc["findings"].sort(key=lambda f: json.dumps(f, sort_keys=True))
    assert docs[0] == docs[1]
    assert docs[0]["findings"] and docs[0]["summary"]["exitCode"] == 1
