"""The **monotone** law: for a policy whose config has numeric bounds or lists of allowed
values, a stricter config never removes a violation and a looser one never adds one.

:func:`monotone_properties` finds the config properties the law applies to, with the
direction that makes each stricter when the name says it — raising a ``min…`` number,
lowering a ``max…`` number, removing entries from an ``allowed…``/``supported…``/
``approved…``/``offered…`` list — and ``either`` otherwise, where the violations must
still grow or shrink in one direction along the chain. (An empty allow-list means "no
restriction" in most packs, so only non-empty lists are compared.)
:func:`monotonicity` evaluates one chain of values and returns what breaks the law.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from cdcml.engine.config import PackConfig, parse_pack_config, reconcile
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import Pack
from cdcml.model import FindingKind, ResourceGraph

__all__ = ["MonotoneProperty", "chains", "monotone_properties", "monotonicity"]

_ALLOW = ("allowed", "supported", "approved", "offered")


@dataclass(frozen=True)
class MonotoneProperty:
    """A config property of *policy* the law applies to. ``direction``: ``"up"`` (a larger
    number is stricter), ``"down"`` (a smaller number, or a shorter allow-list, is
    stricter) or ``"either"``."""

    policy: str
    name: str
    kind: str  # "number" | "list"
    direction: str
    schema: Mapping[str, Any]


def monotone_properties(pack: Pack) -> list[MonotoneProperty]:
    """Every numeric or list config property of *pack*'s policies, in pack order."""
    found = []
    for policy in pack.policies:
        schema = getattr(policy, "config_schema", None)
        for name, prop in (getattr(schema, "properties", None) or {}).items():
            kind = {"number": "number", "integer": "number", "array": "list"}.get(prop.get("type", ""))
            if kind is None or (kind == "list" and dict(prop.get("items") or {}).get("type") == "object"):
                continue
            lower = name.lower()
            if kind == "number":
                direction = "up" if lower.startswith("min") else "down" if lower.startswith("max") else "either"
            else:
                direction = "down" if lower.startswith(_ALLOW) else "either"
            found.append(MonotoneProperty(policy.name, name, kind, direction, dict(prop)))
    return found


def _numbers(schema: Mapping[str, Any]) -> st.SearchStrategy[float]:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    high = schema.get("maximum", max(low * 4, low + 1000))
    values = st.integers(min_value=int(low) + (1 if "exclusiveMinimum" in schema else 0), max_value=int(high))
    return values.map(float)


def chains(prop: MonotoneProperty, default: Any = None) -> st.SearchStrategy[list[Any]]:
    """Three values of *prop*, from loosest to strictest when the direction is known:
    numbers within the schema's bounds; for lists, nested non-empty lists (the default's
    entries and new ones, each list a subset of the one before)."""
    if prop.kind == "number":
        ordered = st.lists(_numbers(prop.schema), min_size=3, max_size=3, unique=True).map(sorted)
        return ordered.map(lambda v: v if prop.direction != "down" else list(reversed(v)))
    items = dict(prop.schema.get("items") or {})
    pool: st.SearchStrategy[Any]
    if "enum" in items:
        pool = st.sampled_from(list(items["enum"]))
    elif items.get("type") == "number":
        pool = _numbers(items)
    else:
        seeds = [v for v in (default or []) if isinstance(v, str)]
        pool = st.sampled_from(seeds) if seeds else st.text("abcdefgh", min_size=3, max_size=8)
        if seeds:
            pool = st.one_of(pool, st.text("abcdefgh", min_size=3, max_size=8))

    @st.composite
    def nested(draw: st.DrawFn) -> list[Any]:
        widest = draw(st.lists(pool, min_size=3, max_size=6, unique=True))
        middle = widest[: draw(st.integers(2, len(widest) - 1))]
        return [widest, middle, middle[:1]]

    return nested()


def monotonicity(graph: ResourceGraph, pack: Pack, prop: MonotoneProperty, values: Sequence[Any]) -> list[str]:
    """The violations of ``prop.policy`` on *graph* with ``prop`` set to each of *values*
    (loosest first when the direction is known): what breaks the law, none when it holds."""
    found: list[frozenset[str]] = []
    for value in values:
        config: PackConfig = reconcile(pack, parse_pack_config({prop.policy: {prop.name: value}}))
        findings = evaluate(graph, [pack], [config])
        found.append(
            frozenset(f.urn for f in findings.findings if f.kind is FindingKind.VIOLATION and f.policy == prop.policy)
        )
    pairs = list(itertools.pairwise(found))
    growing = all(a <= b for a, b in pairs)
    shrinking = all(a >= b for a, b in pairs)
    if growing or (prop.direction == "either" and shrinking):
        return []
    problems = []
    for (a, b), (va, vb) in zip(pairs, itertools.pairwise(values), strict=True):
        lost = sorted(a - b)
        if lost:
            problems.append(
                f"{prop.policy} {prop.name}: {va!r} → {vb!r} (stricter) no longer flags "
                + ", ".join(u.rsplit("::", 1)[-1] for u in lost)
            )
        if prop.direction == "either":
            gained = sorted(b - a)
            if gained and lost:
                problems.append(f"{prop.policy} {prop.name}: {va!r} → {vb!r} flags and unflags at once")
    return problems or [f"{prop.policy} {prop.name}: violations are not monotone along {list(values)!r}"]
