"""Laws a stack and its packs must hold, as functions a test (or ``cdcml verify``) calls on
a graph and reports the counterexamples of. Each returns what breaks the law — an empty
list when it holds — so Hypothesis can drive the inputs and shrink a failure:

* :func:`nondeterminism` (**deterministic**): the same graph gives the same findings, and
  an order of the resources that keeps every dependency before its dependents (one
  drawn with :func:`dependency_orders`) changes no resource-policy finding;
* :func:`secret_leaks` (**discreet**): a secret value put where a policy reads never
  appears in a message or remediation *as the policy produced it* — ``pulumi preview``
  prints a policy's message as it is, so a policy quoting a secret leaks it in every CI
  log, whatever cdcml's own reports redact.

The kill matrix (**sensitive**) is :func:`cdcml.testing.kill_matrix.kill_matrix`.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import Pack
from cdcml.model import Finding, Findings, Resource, ResourceGraph, freeze, thaw
from cdcml.model.values import is_unknown, redact, secret
from cdcml.testing.reads import Path, PolicyReads, record_reads

__all__ = ["Leak", "dependency_orders", "nondeterminism", "reorder", "secret_leaks"]


def _needs(r: Resource, known: set[str]) -> set[str]:
    deps = {r.parent, *r.dependencies, *(u for urns in r.property_dependencies.values() for u in urns)}
    return {d for d in deps if d in known}


@st.composite
def dependency_orders(draw: st.DrawFn, graph: ResourceGraph) -> tuple[int, ...]:
    """A permutation of *graph*'s resources (indexes) in which every resource still comes
    after its parent and everything it depends on — an order a program could have
    declared them in."""
    urns = [r.urn for r in graph.resources]
    known = set(urns)
    needs = {r.urn: _needs(r, known) for r in graph.resources}
    placed: set[str] = set()
    order: list[int] = []
    remaining = list(range(len(urns)))
    while remaining:
        ready = [i for i in remaining if needs[urns[i]] <= placed]
        if not ready:  # a cycle (never in a real graph): keep the rest as they are
            ready = remaining[:1]
        pick = draw(st.sampled_from(ready))
        order.append(pick)
        placed.add(urns[pick])
        remaining.remove(pick)
    return tuple(order)


def reorder(graph: ResourceGraph, order: Sequence[int]) -> ResourceGraph:
    """*graph* with its resources in *order* (indexes into ``graph.resources``)."""
    return dataclasses.replace(graph, resources=tuple(graph.resources[i] for i in order))


def _key(f: Finding) -> tuple[str, ...]:
    return (f.kind.value, f.pack, f.policy, f.urn, f.enforcement_level.value, f.message)


def nondeterminism(
    graph: ResourceGraph,
    packs: Sequence[Pack],
    configs: Sequence[PackConfig | None] | None = None,
    order: Sequence[int] | None = None,
) -> list[str]:
    """How two evaluations of *graph* differ (none: the law holds): evaluated twice, the
    findings must be equal; with the resources in *order* (see :func:`dependency_orders`),
    the resource-policy findings must be the same multiset."""
    first = evaluate(graph, packs, configs)
    problems = []
    if evaluate(graph, packs, configs) != first:
        problems.append("two evaluations of the same graph gave different findings")
    if order is not None:
        moved = evaluate(reorder(graph, order), packs, configs)

        def resource_findings(found: Findings) -> Counter[tuple[str, ...]]:
            return Counter(_key(f) for f in found.findings if f.policy_type == "resource")

        before, after = resource_findings(first), resource_findings(moved)
        for key in sorted((before - after) + (after - before)):
            side = "only in the original order" if before[key] > after[key] else "only after reordering"
            problems.append(f"{key[1]}/{key[2]} on {key[3]}: {side}: {key[5]!r}")
    return problems


@dataclass(frozen=True)
class Leak:
    """A policy's message or remediation that quotes a secret placed at *path* of *urn*."""

    pack: str
    policy: str
    urn: str
    path: Path
    where: str  # "message" | "remediation"


def _sentinel(index: int) -> str:
    return f"cdcml-secret-{index:04d}-7f3a"


def _place(value: Any, paths: Set[Path], placed: dict[str, tuple[str, Path]], urn: str, prefix: Path = ()) -> Any:
    """*value* with every string leaf at one of *paths* replaced by a secret holding a new
    sentinel, noted in *placed* (sentinel → resource and path)."""
    if isinstance(value, dict):
        return {k: _place(v, paths, placed, urn, (*prefix, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_place(v, paths, placed, urn, (*prefix, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and prefix in paths and not is_unknown(value):
        sentinel = _sentinel(len(placed))
        placed[sentinel] = (urn, prefix)
        return secret(sentinel)
    return value


def secret_leaks(
    graph: ResourceGraph,
    packs: Sequence[Pack],
    configs: Sequence[PackConfig | None] | None = None,
    reads: Sequence[PolicyReads] | None = None,
) -> list[Leak]:
    """Every string a policy reads (:func:`record_reads`) made a secret with a unique
    plaintext, in inputs and outputs of every resource at once; the findings and
    remediations as the policies produced them must quote none of those plaintexts."""
    if reads is None:
        reads, _ = record_reads(graph, packs, configs)
    wanted: dict[str, set[Path]] = {}
    for r in reads:
        for type_, read in r.paths.items():
            wanted.setdefault(type_, set()).update(read)
    placed: dict[str, tuple[str, Path]] = {}
    resources = []
    for res in graph.resources:
        paths = wanted.get(res.type, set())
        if paths and not res.delete:
            res = dataclasses.replace(
                res,
                inputs=freeze(_place(thaw(res.inputs), paths, placed, res.urn)),
                outputs=freeze(_place(thaw(res.outputs), paths, placed, res.urn)),
            )
        resources.append(res)
    found = evaluate(dataclasses.replace(graph, resources=tuple(resources)), packs, configs)
    leaks: list[Leak] = []
    for f in found.findings:
        leaks.extend(
            Leak(f.pack, f.policy, urn, path, "message") for s, (urn, path) in placed.items() if s in f.message
        )
    for rem in found.remediations:
        shown = json.dumps(redact(rem.properties), default=str)  # a secret still wrapped is no leak
        leaks.extend(
            Leak(rem.pack, rem.policy, urn, path, "remediation") for s, (urn, path) in placed.items() if s in shown
        )
    return leaks
