"""Stack policies at scale: the time each stack policy of cdc-ml-guardrails spends in its
own validate function on replicated stacks of about 1k, 3k and 10k resources, next to the
times measured before the stack index (``cdcml.policies.stack.StackIndex``) existed.

graphs:   the prod profile captured with resolved outputs, replicated (as bench_audit's
          large state file) to at least each --sizes count and loaded back from its state
          export, so the policies see what `cdcml policy analyze` gives them for a big state.
policies: one pack per stack policy (pack_from_policies), evaluated with cdcml's evaluator;
          the time is the policy's validate only (wrapped), the median of --repeat runs, after
          a gc.collect(). The evaluator's own work per run (Remediate + Analyze of every
          resource, and building each policy's PolicyResource objects) is printed apart.
--full:   also the whole pack on the largest graph, split as bench_audit splits it.
--distinct-names: each copy gets its own names, as many pipelines in one big stack would.

BEFORE holds the validate times of the same measurement (one run per size) at commit
234f109, before the index, on a 2-core AMD EPYC with Python 3.11; ratios are before / now
(higher = faster now). "growth" is the exponent k of time ~ resources^k between the two
largest sizes: ~1 is linear. The replicas keep the profile's names, so every by-name join
(a storage account, a SQL server, a datastore named in a URL or id) finds all the copies:
the policies that make such joins have results that grow with copies², and so does their
time. Not a timed test.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

# Seconds in validate at 1,091 / 3,071 / 10,001 resources, before the stack index (234f109).
BEFORE: dict[str, tuple[float, float, float]] = {
    "cdc-disallow-self-hosted-runtime": (0.0005, 0.0015, 0.0063),
    "cdc-configure-declared-status": (0.0003, 0.0009, 0.0034),
    "cdc-require-source-prerequisites": (0.0009, 0.0044, 0.0529),
    "network-require-managed-private-endpoints": (0.0037, 0.0289, 0.2844),
    "network-require-private-dns-zones": (0.0408, 0.6555, 20.7966),
    "protection-enforce-eventhub-retention": (0.0002, 0.0010, 0.0034),
    "protection-configure-capture-destination": (0.0004, 0.0011, 0.0047),
    "governance-require-colocated-pipeline": (0.0003, 0.0011, 0.0039),
    "ml-require-hardened-dependencies": (0.0003, 0.0012, 0.0058),
    "observability-require-diagnostic-settings": (0.0067, 0.0594, 1.0510),
    "observability-enable-database-auditing": (0.0004, 0.0020, 0.0292),
    "cost-require-realtime-approval": (0.0002, 0.0006, 0.0032),
    "cost-enforce-eventhub-sizing": (0.0005, 0.0034, 0.0529),
    "cost-require-landing-lifecycle": (0.0061, 0.1239, 8.8713),
    "crossresource-require-ml-asset-for-cdc-target": (0.0090, 0.1207, 2.4911),
    "crossresource-require-dedicated-consumer-group": (0.0005, 0.0019, 0.0064),
    "crossresource-require-private-endpoint": (0.0014, 0.0066, 0.0359),
    "crossresource-require-cmk-vault-prerequisites": (0.0006, 0.0024, 0.0069),
    "crossresource-enforce-least-privilege": (0.1709, 8.8661, 1100.1265),
    "crossresource-require-ml-private-outbound": (0.0045, 0.0336, 0.3641),
}
BEFORE_SIZES = (1_091, 3_071, 10_001)
# The whole pack on the 10,001-resource state file (bench_audit.py's large state), before:
# Remediate + Analyze per resource 4.63 s, AnalyzeStack 1034.07 s.
BEFORE_FULL_PACK_S = 4.63 + 1034.07


def distinct_names(graph: Any, base: Any) -> Any:
    """*graph* (replicas of *base*) with each copy's names made its own: every ``name``
    output of *base* (6 characters or more) is suffixed with the copy's number wherever it
    occurs in that copy's outputs (ids, URLs, references), keeping storage account names
    within 24 characters."""
    import dataclasses
    import json
    import re

    from cdcml.model import freeze, thaw

    names = {r.outputs.get("name") for r in base.resources}
    words = sorted((n for n in names if isinstance(n, str) and len(n) >= 6), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words))

    out = []
    for r in graph.resources:
        copy = re.search(r"-c(\d+)$", r.urn)
        if copy is None:
            out.append(r)
            continue
        suffix = format(int(copy.group(1)), "02x")[-2:]
        text = pattern.sub(lambda m, s=suffix: m.group(0)[:22] + s, json.dumps(thaw(r.outputs)))
        out.append(dataclasses.replace(r, outputs=freeze(json.loads(text))))
    return dataclasses.replace(graph, resources=tuple(out))


def large_graph(base: Any, at_least: int, distinct: bool = False) -> Any:
    """*base* replicated to at least *at_least* resources (with :func:`distinct_names` when
    *distinct*), through its state export."""
    from bench_audit import replicate

    from cdcml.state.decode import load_state
    from cdcml.state.export import dumps, export_stack

    graph = replicate(base, at_least)
    if distinct:
        graph = distinct_names(graph, base)
    return load_state(dumps(export_stack(graph)), source="bench_stack_policies")


def time_policy(policy: Any, graph: Any, repeat: int) -> tuple[float, float, int]:
    """Median seconds in *policy*'s validate and in the whole evaluation, and the findings."""
    from cdcml.engine.evaluate import evaluate
    from cdcml.engine.pack import pack_from_policies

    pack = pack_from_policies("bench", [policy])
    original = policy.validate
    spent: list[float] = []

    def timed(args: Any, report: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(args, report)
        finally:
            spent.append(time.perf_counter() - start)

    policy.validate = timed
    totals: list[float] = []
    findings = 0
    try:
        for _ in range(repeat):
            gc.collect()
            start = time.perf_counter()
            found = evaluate(graph, [pack], apply_remediations=False)
            totals.append(time.perf_counter() - start)
            findings = len(found.findings)
    finally:
        policy.validate = original
    return statistics.median(spent), statistics.median(totals), findings


def full_pack(graph: Any) -> tuple[float, float, int]:
    """Seconds of Remediate + Analyze per resource and of AnalyzeStack for the whole pack."""
    from cdcml.engine.evaluate import evaluate
    from cdcml.runs.packs import load_packs

    packs, configs, _ = load_packs([ROOT / "policies" / "cdc-ml-guardrails"], project=graph.project, stack=graph.stack)
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        if done == total - 1:
            marks["resources"] = time.perf_counter()

    gc.collect()
    start = time.perf_counter()
    found = evaluate(graph, packs, configs, apply_remediations=False, progress=progress)
    end = time.perf_counter()
    return marks["resources"] - start, end - marks["resources"], len(found.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 3_000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also run the whole pack on the largest graph")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument(
        "--distinct-names",
        action="store_true",
        help="give each copy its own names (no by-name join across copies; BEFORE doesn't apply)",
    )
    args = parser.parse_args()

    from bench_audit import profile_graph
    from pulumi_policy import StackValidationPolicy

    from cdcml.policies.catalogue import POLICIES

    base = profile_graph()
    policies = [p for p in POLICIES if isinstance(p, StackValidationPolicy)]
    print(f"profile: {base.stack} ({len(base)} resources) replicated; {len(policies)} stack policies")
    sizes: list[int] = []
    now: dict[str, list[float]] = {p.name: [] for p in policies}
    overhead: list[float] = []
    for at_least in sorted(args.sizes):
        graph = large_graph(base, at_least, args.distinct_names)
        sizes.append(len(graph))
        spent_total, evaluate_total = 0.0, 0.0
        for policy in policies:
            spent, total, _ = time_policy(policy, graph, args.repeat)
            now[policy.name].append(spent)
            spent_total += spent
            evaluate_total += total
        overhead.append((evaluate_total - spent_total) / len(policies))
        print(f"  {len(graph)} resources: {spent_total:.3f} s in the stack policies", flush=True)

    before_at = {n: i for i, n in enumerate(BEFORE_SIZES)}
    header = "".join(f"{n:>10} res    before  ×faster" for n in sizes)
    print(f"\n{'policy (seconds in validate)':<48}{header}   growth")
    for policy in policies:
        row = ""
        for i, n in enumerate(sizes):
            t = now[policy.name][i]
            j = before_at.get(n)
            was = BEFORE[policy.name][j] if j is not None and not args.distinct_names else None
            row += f"{t:>14.4f}" + (f"{was:>10.4f}{was / t:>8.1f}×" if was is not None and t > 0 else f"{'':>19}")
        growth = ""
        if len(sizes) > 1 and now[policy.name][-2] > 0:
            k = math.log(now[policy.name][-1] / now[policy.name][-2]) / math.log(sizes[-1] / sizes[-2])
            growth = f"{k:>9.2f}"
        print(f"{policy.name:<48}{row}{growth}")
    totals = [sum(now[p.name][i] for p in policies) for i in range(len(sizes))]
    row = ""
    for i, n in enumerate(sizes):
        j = before_at.get(n)
        was = sum(v[j] for v in BEFORE.values()) if j is not None and not args.distinct_names else None
        row += f"{totals[i]:>14.4f}" + (f"{was:>10.2f}{was / totals[i]:>8.1f}×" if was is not None else f"{'':>19}")
    print(f"{'all stack policies':<48}{row}")
    print(
        "evaluator per single-policy run (not policy time): "
        + ", ".join(f"{n} res {t:.2f} s" for n, t in zip(sizes, overhead, strict=True))
    )
    top = sorted(policies, key=lambda p: now[p.name][-1], reverse=True)[: args.top]
    print(f"\ntop {args.top} at {sizes[-1]} resources:")
    for policy in top:
        print(f"  {policy.name:<48}{now[policy.name][-1] * 1000:>9.1f} ms")

    if args.full:
        graph = large_graph(base, max(args.sizes), args.distinct_names)
        analyze, stack, findings = full_pack(graph)
        print(
            f"\nwhole pack on {len(graph)} resources: analyze (Remediate + Analyze per resource) {analyze:.2f} s, "
            f"AnalyzeStack {stack:.2f} s, total {analyze + stack:.2f} s ({findings} findings); "
            f"before: {BEFORE_FULL_PACK_S:.0f} s on the 10,001-resource state"
        )


if __name__ == "__main__":
    main()
