"""Each pack in its own process gives the verdicts of the in-process evaluator: the same
:class:`~cdcml.model.Findings`, finding for finding and in the same order, or the same
first error.

``evaluate_isolated`` runs cdcml's evaluator inside each pack's worker in two stages
(remediations pack after pack, then every pack's analysis at once) and joins what they
found; ``evaluate`` walks the resources once in this process. They must not differ on
the reference stacks, the semantics pack (remediations chained across packs, applied or
not), generated graphs, or which error a run stops at."""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from cdcml.engine.config import PackConfig, load_pack_config_file, policy_infos, reconcile
from cdcml.engine.evaluate import evaluate
from cdcml.engine.isolated import evaluate_isolated
from cdcml.engine.pack import Pack, load_pack
from cdcml.engine.worker import PackHandle, start_load
from cdcml.errors import CdcmlError
from cdcml.model import Findings, Resource, ResourceGraph, freeze
from cdcml.testing.graphs import resource_graphs
from conftest import examples
from contract_tests.semantics_graph import semantics_graph

ROOT = Path(__file__).resolve().parent.parent
GUARDRAILS = ROOT / "policies" / "cdc-ml-guardrails"
SEMANTICS = Path(__file__).resolve().parent / "packs" / "semantics"
CONFIGS = sorted((GUARDRAILS / "config").glob("*.json"))


def load_isolated(directory: Path, project: str, stack: str) -> PackHandle:
    return start_load(
        directory, project=project, stack=stack, organization="organization", dry_run=True, timeout=120
    ).result()


@pytest.fixture(scope="module")
def isolated() -> Iterator[dict[str, PackHandle]]:
    handles = {
        "guardrails": load_isolated(GUARDRAILS, "cdcml", "stack"),
        "semantics": load_isolated(SEMANTICS, "proj", "dev"),
        "semantics-again": load_isolated(SEMANTICS, "proj", "dev"),
        "gen-guardrails": load_isolated(GUARDRAILS, "gen", "dev"),
        "gen-semantics": load_isolated(SEMANTICS, "gen", "dev"),
    }
    yield handles
    for h in handles.values():
        h.release()


@pytest.fixture(scope="module")
def in_process() -> dict[str, Pack]:
    return {
        "guardrails": load_pack(GUARDRAILS, project="cdcml"),
        "semantics": load_pack(SEMANTICS, project="proj", stack="dev"),
        "gen-guardrails": load_pack(GUARDRAILS, project="gen", stack="dev"),
        "gen-semantics": load_pack(SEMANTICS, project="gen", stack="dev"),
    }


def both(
    graph: ResourceGraph,
    handles: list[PackHandle],
    packs: list[Pack],
    configs: list[PackConfig] | None = None,
    apply: bool | None = None,
) -> tuple[Findings | str, Findings | str]:
    """(isolated, in process): the Findings, or the message of the error the run stopped at."""
    cfgs = configs if configs is not None else [reconcile(p) for p in packs]
    try:
        ours: Findings | str = evaluate_isolated(graph, handles, cfgs, apply_remediations=apply, policy_timeout=60)
    except CdcmlError as e:
        ours = f"{type(e).__name__}: {e.message}"
    try:
        ref: Findings | str = evaluate(graph, packs, cfgs, apply_remediations=apply)
    except CdcmlError as e:
        ref = f"{type(e).__name__}: {e.message}"
    return ours, ref


def test_a_pack_loaded_in_its_own_process_describes_itself_as_in_process(isolated, in_process) -> None:
    for name in ("guardrails", "semantics"):
        handle, pack = isolated[name], in_process[name]
        assert handle.pack.metas() == pack.metas()
        assert (handle.pack.name, handle.pack.version, handle.pack.enforcement_level) == (
            pack.name,
            pack.version,
            pack.enforcement_level,
        )
        assert handle.pack.policy_names() == pack.policy_names()
        assert reconcile(handle.pack) == reconcile(pack)
        assert policy_infos([handle.pack]) == policy_infos([pack])
    for f in CONFIGS:
        file_config = load_pack_config_file(f)
        assert reconcile(isolated["guardrails"].pack, file_config) == reconcile(in_process["guardrails"], file_config)


@pytest.mark.parametrize("stack", ["seed", "dev", "prod", "fanin"])
@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_the_reference_stacks_get_the_same_findings(isolated, in_process, stack_captures, stack, mode) -> None:
    graph = stack_captures(stack, mode)
    ours, ref = both(graph, [isolated["guardrails"]], [in_process["guardrails"]])
    assert ours == ref


@pytest.mark.parametrize("config_file", CONFIGS, ids=lambda p: p.stem)
def test_a_config_file_gives_the_same_findings(isolated, in_process, stack_captures, config_file) -> None:
    cfg = reconcile(in_process["guardrails"], load_pack_config_file(config_file))
    graph = stack_captures("seed", "preview")
    ours, ref = both(graph, [isolated["guardrails"]], [in_process["guardrails"]], [cfg])
    assert ours == ref


@pytest.mark.parametrize("source", ["preview", "resolved", "state"])
@pytest.mark.parametrize("apply", [None, True, False])
def test_the_semantics_pack_gets_the_same_findings(isolated, in_process, source, apply) -> None:
    graph = semantics_graph(source=source, dry_run=source != "resolved")
    ours, ref = both(graph, [isolated["semantics"]], [in_process["semantics"]], apply=apply)
    assert ours == ref
    assert isinstance(ours, Findings) and ours.remediations


@pytest.mark.parametrize("apply", [True, False])
def test_remediations_chain_across_packs_as_in_process(isolated, in_process, apply) -> None:
    """The second pack remediates what the first one remediated (when applied), and both
    analyze the final inputs: two remediating packs in two processes."""
    graph = semantics_graph()
    handles = [isolated["semantics"], isolated["semantics-again"], isolated["guardrails"]]
    packs = [in_process["semantics"], in_process["semantics"], in_process["guardrails"]]
    ours, ref = both(graph, handles, packs, apply=apply)
    assert ours == ref
    assert isinstance(ours, Findings) and len(ours.remediations) >= 2


def test_progress_rises_to_the_end(isolated, stack_captures) -> None:
    seen: list[tuple[int, int]] = []
    graph = stack_captures("prod", "preview")
    handle = isolated["guardrails"]
    evaluate_isolated(
        graph, [handle], [reconcile(handle.pack)], progress=lambda d, t: seen.append((d, t)), policy_timeout=60
    )
    total = len([r for r in graph.resources if not r.delete]) + 1
    assert seen[-1] == (total, total)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


@settings(max_examples=examples(dev=20, ci=100, long=600))
@given(graph=resource_graphs(project="gen", stack="dev"))
def test_generated_graphs_get_the_same_findings_or_the_same_error(isolated, in_process, graph) -> None:
    ours, ref = both(
        graph,
        [isolated["gen-guardrails"], isolated["gen-semantics"]],
        [in_process["gen-guardrails"], in_process["gen-semantics"]],
    )
    assert ours == ref


def test_a_nan_stops_both_at_the_same_resource(isolated, in_process) -> None:
    graph = semantics_graph()
    bad = [
        r if r.name != "other" else dataclasses.replace(r, inputs=freeze({"x": float("nan")})) for r in graph.resources
    ]
    g = ResourceGraph(project=graph.project, stack=graph.stack, resources=tuple(bad))
    ours, ref = both(g, [isolated["semantics"]], [in_process["semantics"]])
    assert ours == ref
    assert isinstance(ours, str) and "NaN or infinite" in ours


# --------------------------------------------------------------------------- the first error


CRASH_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy

def validate(args, report_violation):
    if args.name in {crash_on_validate!r}:
        raise RuntimeError("validate crashed on " + args.name)
    report_violation("seen " + args.name)

def remediate(args):
    if args.name in {crash_on_remediate!r}:
        raise RuntimeError("remediate crashed on " + args.name)
    return {{**args.props, "fixedBy": {name!r}}}

def stack(args, report_violation):
    if {crash_on_stack!r}:
        raise RuntimeError("the stack check crashed")
    report_violation("stack seen")

PolicyPack({name!r}, [
    ResourceValidationPolicy(name="fix", description="Fixes.", remediate=remediate,
                             enforcement_level=EnforcementLevel.REMEDIATE),
    ResourceValidationPolicy(name="check", description="Checks.", validate=validate,
                             enforcement_level=EnforcementLevel.MANDATORY),
    StackValidationPolicy(name="whole", description="Stack.", validate=stack),
])
"""


def crash_pack(
    tmp: Path, name: str, *, validate: tuple[str, ...] = (), remediate: tuple[str, ...] = (), stack: bool = False
) -> Path:
    d = tmp / name
    d.mkdir()
    (d / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (d / "__main__.py").write_text(
        textwrap.dedent(CRASH_PACK).format(
            name=name, crash_on_validate=set(validate), crash_on_remediate=set(remediate), crash_on_stack=stack
        )
    )
    return d


def three_things() -> ResourceGraph:
    urn = "urn:pulumi:dev::proj::test:index:Thing::"
    return ResourceGraph(
        project="proj",
        stack="dev",
        resources=tuple(
            Resource(urn=urn + n, type="test:index:Thing", name=n, custom=True, inputs=freeze({"n": i}))
            for i, n in enumerate(("r0", "r1", "r2"))
        ),
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({}, {}),
        ({"validate": ("r2",)}, {"remediate": ("r1",)}),  # b's remediation of r1 comes before a's check of r2
        ({"remediate": ("r2",)}, {"validate": ("r1",)}),  # b's check of r1 comes before a's remediation of r2
        ({"validate": ("r1",)}, {"remediate": ("r1",)}),  # at r1: every remediation comes before any check
        ({"remediate": ("r1",)}, {"remediate": ("r1",)}),  # the first pack's remediation comes first
        ({"validate": ("r1",)}, {"validate": ("r1",)}),  # the first pack's check comes first
        ({"stack": True}, {"validate": ("r2",)}),  # every resource comes before the stack
        ({"stack": True}, {"stack": True}),
        ({}, {"remediate": ("r0", "r1", "r2")}),
    ],
    ids=str,
)
def test_a_run_stops_at_the_error_the_sequential_order_meets_first(tmp_path, a, b) -> None:
    dirs = [crash_pack(tmp_path, "pack-a", **a), crash_pack(tmp_path, "pack-b", **b)]
    handles = [load_isolated(d, "proj", "dev") for d in dirs]
    try:
        packs = [load_pack(d, project="proj", stack="dev") for d in dirs]
        for apply in (True, False):
            ours, ref = both(three_things(), handles, packs, apply=apply)
            assert ours == ref
            assert isinstance(ours, str) == bool(a or b), ours
            if a or b:
                assert ours.startswith("PolicyCrashError: policy pack-") and "crashed" in ours
    finally:
        for h in handles:
            h.release()
