"""Capture and evaluate, side by side with the peers they replace.

capture:  cdcml capture            vs  stock Pulumi mocks (set_mocks + run_in_stack)
          cdcml capture, aliases   (strip_type_aliases=False: what the SDK costs)
evaluate: cdcml evaluator          vs  SDK _PolicyAnalyzerServicer in-process (engine-built requests)
                                   vs  the pack over real gRPC (the reference mode)

Medians of --repeat runs; ratios are peer / cdcml (higher = cdcml faster).
"""

from __future__ import annotations

import argparse
import contextvars
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# CDCML_BENCH_SRC: another tree's src/ (a baseline commit's worktree) to measure before/after.
sys.path.insert(0, os.environ.get("CDCML_BENCH_SRC") or str(ROOT / "src"))
CLOCK = time.perf_counter


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = CLOCK()
        fn()
        times.append(CLOCK() - t)
    return statistics.median(times)


def paired_medians(ours: Callable[[], object], peer: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Medians of *repeat* runs of each, alternated (ours, peer, ours, …) so that a load
    change on a shared machine falls on both."""
    a, b = [], []
    for _ in range(repeat):
        for fn, out in ((ours, a), (peer, b)):
            t = CLOCK()
            fn()
            out.append(CLOCK() - t)
    return statistics.median(a), statistics.median(b)


def stock_mocks_capture(stack: str, config: dict[str, str]) -> None:
    """What a Pulumi unit test does: set_mocks with inputs echoed, run the program."""
    import asyncio
    import runpy

    import pulumi
    from pulumi.runtime.stack import run_in_stack

    class Echo(pulumi.runtime.Mocks):
        def new_resource(self, args):  # type: ignore[no-untyped-def]
            return f"{args.name}_id", args.inputs

        def call(self, args):  # type: ignore[no-untyped-def]
            return {}

    def body() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        pulumi.runtime.settings.ROOT.set(None)
        pulumi.runtime.set_mocks(Echo(), project="cdcml", stack=stack, preview=True)
        pulumi.runtime.settings.ROOT.set(None)
        from pulumi.runtime.config import set_all_config

        set_all_config(dict(config))
        try:
            loop.run_until_complete(run_in_stack(lambda: runpy.run_path(str(ROOT / "stacks"), run_name="__main__")))
        finally:
            loop.close()
            asyncio.set_event_loop(None)

    contextvars.copy_context().run(body)


def servicer_analyze(graph, pack, pcfg):  # type: ignore[no-untyped-def]
    """The SDK's servicer on *graph*, with the runtime settings a pack process has (its
    stack, project and config: ``pulumi.get_stack()`` works in a policy, as under the CLI)."""
    from pulumi.runtime import settings
    from pulumi.runtime.config import set_all_config

    from cdcml.engine.reference import analyze_graph, in_process_session

    def go():  # type: ignore[no-untyped-def]
        settings.configure(
            settings.Settings(
                project=graph.project, stack=graph.stack, dry_run=graph.dry_run, organization=graph.organization
            )
        )
        set_all_config(dict(graph.config), list(graph.config_secret_keys))
        return analyze_graph(graph, [in_process_session(pack, pcfg)])

    return contextvars.copy_context().run(go)


def synthetic_graph(n: int):  # type: ignore[no-untyped-def]
    """n resources cycling through the CDC→ML types of a captured seed stack."""
    from cdcml.capture.program import capture
    from cdcml.model import Resource, ResourceGraph

    seed = capture(ROOT, "seed")
    base = [r for r in seed.resources if r.custom and not r.is_provider]
    others = [r for r in seed.resources if r not in base]
    out = list(others)
    for i in range(n):
        r = base[i % len(base)]
        urn = f"{r.urn}-{i}"
        out.append(
            Resource(
                urn=urn,
                type=r.type,
                name=f"{r.name}-{i}",
                custom=True,
                id=r.id,
                inputs=r.inputs,
                outputs=r.outputs,
                parent=r.parent,
                provider=r.provider,
                options=r.options,
            )
        )
    return ResourceGraph(
        project=seed.project, stack=seed.stack, resources=tuple(out), source=seed.source, dry_run=seed.dry_run
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", default="seed")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, default=1000, help="resources in the synthetic graph")
    ap.add_argument("--evaluate-only", action="store_true", help="skip capture and the gRPC figures")
    ap.add_argument("--cpu", action="store_true", help="CPU time of this process instead of wall-clock")
    ap.add_argument("--capture-only", action="store_true", help="only the capture row")
    args = ap.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time

    from cdcml.capture.program import CaptureOptions, _capture, capture
    from cdcml.capture.project import load_project, load_stack_config
    from cdcml.engine.config import reconcile
    from cdcml.engine.evaluate import evaluate
    from cdcml.engine.grpc_pack import analyze_graph_grpc
    from cdcml.engine.pack import load_pack

    project = load_project(ROOT)
    graph = capture(ROOT, args.stack)  # warm imports
    n = len(graph)
    cfg = load_stack_config(project, args.stack)
    import runpy

    def cdcml_capture(strip: bool) -> Callable[[], object]:
        return lambda: _capture(
            project,
            cfg,
            lambda: runpy.run_path(str(project.main), run_name="__main__"),
            CaptureOptions(strip_type_aliases=strip),
        )

    rows = []
    if not args.evaluate_only:
        rows.append(capture_row(args, cdcml_capture, n, cfg))
    if args.capture_only:
        print_rows(rows)
        return
    pack = load_pack(ROOT / "policies" / "cdc-ml-guardrails", project="cdcml", stack=args.stack)
    pcfg = reconcile(pack)
    for label, g in (
        (f"{args.stack} ({n} resources)", graph),
        (f"synthetic ({args.scale} resources)", synthetic_graph(args.scale)),
    ):
        t_eval, t_servicer = paired_medians(
            lambda g=g: evaluate(g, [pack], [pcfg]), lambda g=g: servicer_analyze(g, pack, pcfg), args.repeat
        )
        ours, theirs = evaluate(g, [pack], [pcfg]), servicer_analyze(g, pack, pcfg)
        same = "same findings" if sorted(map(repr, ours.findings)) == sorted(map(repr, theirs.findings)) else "DIFFER"
        peers = [("SDK servicer in-process", t_servicer)]
        if not args.evaluate_only:
            peers.append(("pack over gRPC", median_time(lambda g=g: analyze_graph_grpc(g, [pack], [pcfg]), 1)))
        rows.append((f"evaluate ×{len(pack.policies)} policies", label, t_eval, peers))
        print(f"{label}: {len(ours.findings)} findings, {same}", flush=True)
    rows_note = "" if args.evaluate_only else grpc_note(graph, pack, pcfg, args.repeat)
    print_rows(rows)
    if rows_note:
        print(rows_note)


def print_rows(rows):  # type: ignore[no-untyped-def]
    print(f"{'what':<28} {'input':<28} {'cdcml':>10} {'ms/res':>8}   peers (time, ratio peer/cdcml)")
    for what, label, ours_t, peers in rows:
        count = int(label.split("(")[1].split()[0])
        peer_text = "; ".join(f"{name}: {t * 1000:.0f} ms ×{t / ours_t:.1f}" for name, t in peers)
        print(f"{what:<28} {label:<28} {ours_t * 1000:>8.0f}ms {ours_t * 1000 / count:>8.3f}   {peer_text}")


def capture_row(args, cdcml_capture, n, cfg):  # type: ignore[no-untyped-def]
    t_ours = median_time(cdcml_capture(True), args.repeat)
    t_aliases = median_time(cdcml_capture(False), args.repeat)
    t_stock = median_time(lambda: stock_mocks_capture(args.stack, dict(cfg.values)), args.repeat)
    return (
        "capture",
        f"{args.stack} ({n} resources)",
        t_ours,
        [("stock mocks", t_stock), ("cdcml, aliases expanded", t_aliases)],
    )


def grpc_note(graph, pack, pcfg, repeat: int) -> str:  # type: ignore[no-untyped-def]
    from cdcml.engine.evaluate import evaluate

    # Per-call gRPC overhead on a running pack process (start-up excluded): the engine
    # makes Remediate + Analyze per resource, then one AnalyzeStack.
    from cdcml.engine.grpc_pack import PackProcess
    from cdcml.engine.reference import PackSession, analyze_graph

    with PackProcess(pack.directory, graph) as proc:
        session = PackSession(call=proc.call, name=pack.name, version=pack.version, config=pcfg, stack_configured=True)
        analyze_graph(graph, [session])  # warm the process
        t_live = median_time(lambda: analyze_graph(graph, [session]), repeat)
    t_inproc = median_time(lambda: evaluate(graph, [pack], [pcfg]), repeat)
    calls = 2 * len([r for r in graph.resources if not r.delete]) + 3  # + GetAnalyzerInfo, Configure, AnalyzeStack
    overhead_ms = (t_live - t_inproc) * 1000 / calls
    return (
        f"gRPC on a running pack process: {t_live * 1000:.0f} ms for {calls} calls vs {t_inproc * 1000:.0f} ms "
        f"in-process → {overhead_ms:.2f} ms overhead per call"
    )


if __name__ == "__main__":
    main()
