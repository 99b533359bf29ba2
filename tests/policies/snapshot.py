"""The committed snapshot of what every guardrail does: the proof that restructuring the
policy library changes no behaviour.

For every policy test module (``tests/policies/<group>/test_<policy>.py``) it runs every
named case of ``CASES`` the way ``assert_case``/``assert_stack_case`` do (same props,
config, resource type and preview mode; ``unknown_…`` cases in preview) and records the
full outcome: each finding's kind, enforcement level, severity, URN and exact message.
Resource cases run a second time with the policy at ``remediate``, which records the
remediated properties (or "Policy does not implement remediate"). The generated probes
of :mod:`tests.policies.probes` (wrong types, nulls, secrets, unknowns, odd case, missing
parents) are recorded the same way, grouped by outcome. Every policy's metadata is
recorded as ``cdcml policy ls --json`` prints it, with the pack's ``GetAnalyzerInfo``
and its default config.

``tests/policies/test_snapshot.py`` regenerates all of it in memory and compares it with
``tests/policies/golden/``. Regenerate only deliberately::

    python -m tests.policies.snapshot --write
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pulumi_policy import StackValidationPolicy

from cdcml.model import EnforcementLevel, Finding, Findings
from cdcml.policies.catalogue import PACK_NAME, POLICIES
from cdcml.testing import harness
from cdcml.testing.harness import DELETE, Case, expectation, graph_from_spec, merged, secret, unknown
from tests.policies.probes import PROBES, Probe

__all__ = ["GOLDEN", "GROUPS", "build", "build_metadata", "golden_path", "main"]

GOLDEN = Path(__file__).with_name("golden")
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
_URN_PREFIX = f"urn:pulumi:{harness.STACK}::{harness.PROJECT}::"


def golden_path(name: str) -> Path:
    return GOLDEN / f"{name}.json"


def case_module(policy: Any) -> ModuleType:
    group = policy.name.split("-", 1)[0]
    return importlib.import_module(f"tests.policies.{group}.test_{policy.name.replace('-', '_')}")


# ---- outcomes


def _finding(f: Finding, policy: Any) -> list[Any]:
    """A finding as ``[kind, level, severity, urn, message]``; the URN without the test
    stack's prefix, the message without the policy's description when it starts with it."""
    message = f.message
    prefix = f"{policy.description}\n"
    if f.kind.value == "violation" and message.startswith(prefix):
        message = "…" + message[len(policy.description) :]
    return [f.kind.value, f.enforcement_level.value, f.severity.value, f.urn.removeprefix(_URN_PREFIX), message]


def _outcome(found: Findings, policy: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"findings": [_finding(f, policy) for f in found.findings]}
    if found.remediations:
        out["remediations"] = [
            {
                "policy": r.policy,
                "urn": r.urn.removeprefix(_URN_PREFIX),
                "changed": list(r.changed),
                "properties": _plain(r.properties),
            }
            for r in found.remediations
        ]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _as_case(case: Case | Mapping[str, Any]) -> Case:
    return case if isinstance(case, Case) else Case(patch=case)


def _resource_case(policy: Any, module: ModuleType, name: str, case: Case | Mapping[str, Any]) -> dict[str, Any]:
    c = _as_case(case)
    kind = expectation(name, c)
    props = merged(module.BASE, c.patch)
    rtype = c.resource_type or module.RESOURCE_TYPE
    preview = c.preview or kind == "unknown"
    found = harness.run_policy(policy, rtype, props, config=c.config, preview=preview)
    remediated = harness.run_policy(
        policy, rtype, props, config=c.config, preview=preview, enforcement_level=EnforcementLevel.REMEDIATE
    )
    return {"expect": kind, **_outcome(found, policy), "atRemediate": _outcome(remediated, policy)}


def _stack_case(policy: Any, module: ModuleType, name: str, case: Case | Mapping[str, Any]) -> dict[str, Any]:
    c = _as_case(case)
    kind = expectation(name, c)
    graph = graph_from_spec(merged(module.BASE, c.patch), preview=c.preview)
    found = harness.run_stack_policy(policy, graph, config=c.config)
    return {"expect": kind, **_outcome(found, policy)}


def case_outcomes(policy: Any) -> dict[str, Any]:
    """The outcome of every named case of *policy*'s test table."""
    module = case_module(policy)
    run = _stack_case if isinstance(policy, StackValidationPolicy) else _resource_case
    return {name: run(policy, module, name, case) for name, case in module.CASES.items()}


# ---- generated probes


@dataclass(frozen=True)
class Variant:
    label: str
    patch: Mapping[str, Any]
    preview: bool


PLAINTEXT = "hunter2-Pl41ntext"
"""A string no documented vocabulary holds: messages must never echo it."""

_SCALARS: tuple[tuple[str, Any], ...] = (
    ("DELETE", DELETE),
    ("null", None),
    ("true", True),
    ("false", False),
    ("0", 0),
    ("3", 3),
    ("2048", 2048),
    ("-1.5", -1.5),
    ('""', ""),
    ('"   "', "   "),
    ('"true"', "true"),
    ('" FALSE "', " FALSE "),
    ("plaintext", PLAINTEXT),
    ("secret(plaintext)", None),  # filled in below: a secret wrapping PLAINTEXT
    ("[]", []),
    ('["x"]', ["x"]),
    ("{}", {}),
    ('{"x": 1}', {"x": 1}),
)
_PAIR_VALUES: tuple[tuple[str, Any], ...] = (
    ("unknown", None),  # filled in below
    ("DELETE", DELETE),
    ("plaintext", PLAINTEXT),
    ("false", False),
    ("true", True),
)


def _patch(*assignments: tuple[str, Any]) -> dict[str, Any]:
    """One patch setting each path to its value (a later path under an earlier one's value
    replaces it); :data:`DELETE` stays a marker for :func:`merged` to apply."""
    patch: dict[str, Any] = {}
    for path, value in assignments:
        *parents, leaf = path.split(".")
        node = patch
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[leaf] = value
    return patch


def _apply(base: Mapping[str, Any], patch: Mapping[str, Any]) -> Any:
    """*base* patched; unlike :func:`merged`, also drops :data:`DELETE` markers under keys
    *base* doesn't have (a deleted property of a missing parent stays missing)."""

    def clean(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: clean(v) for k, v in value.items() if v is not DELETE}
        return value

    return clean(merged(base, patch))


def _spellings(value: Any) -> list[tuple[str, Any]]:
    """*value* and its odd-case and padded spellings."""
    if not isinstance(value, str):
        return [(json.dumps(value), value)]
    forms = [value, value.upper(), value.lower(), value.swapcase(), f" {value} ", f"{value}x"]
    return [(json.dumps(f), f) for f in dict.fromkeys(forms)]


def _ancestors(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for path in paths:
        parts = path.split(".")
        out.extend(".".join(parts[:i]) for i in range(1, len(parts)))
    return [a for a in dict.fromkeys(out) if a not in paths]


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_unknown(v) for v in value)
    return bool(value == unknown())


def _scalar_variants(original: Any, values: Sequence[Any]) -> Iterator[tuple[str, Any, bool]]:
    yield "unknown", unknown(), True
    for label, value in _SCALARS:
        if label == "secret(plaintext)":
            yield label, secret(PLAINTEXT), False
        else:
            yield label, value, False
    if original is not DELETE:
        yield "secret(original)", secret(original), False
        for label, value in _spellings(original):
            yield f"original:{label}", value, False
    for v in values:
        for label, value in _spellings(v):
            yield f"value:{label}", value, _has_unknown(value)


def variants(probe: Probe, base: Mapping[str, Any]) -> Iterator[Variant]:
    """Every probe of *probe* on *base*: each path (and each of its parents) set to each
    odd value; each ordered pair of paths with the first unknown and the second odd."""
    context = _apply(base, probe.patch)

    def original(path: str) -> Any:
        value: Any = context
        for part in path.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return DELETE
            value = value[part]
        return value

    for path in (*probe.paths, *_ancestors(probe.paths)):
        for label, value, preview in _scalar_variants(original(path), probe.values):
            yield Variant(f"{path}={label}", _patch((path, value)), preview)
    for first, second in itertools.permutations(probe.paths, 2):
        pair_values = [(label, unknown() if label == "unknown" else v) for label, v in _PAIR_VALUES]
        pair_values += [(f"value:{json.dumps(v)}", v) for v in probe.values]
        for label, value in pair_values:
            yield Variant(f"{first}=unknown,{second}={label}", _patch((first, unknown()), (second, value)), True)


def probe_outcomes(policy: Any) -> list[dict[str, Any]]:
    """The outcome of every generated probe of *policy*, grouped by outcome (in order of
    first appearance), each group listing its probes."""
    module = case_module(policy)
    groups: dict[str, dict[str, Any]] = {}
    remediates = policy.has_remediation()
    for probe in PROBES.get(policy.name, ()):
        rtype = probe.resource_type or module.RESOURCE_TYPE
        context = _apply(module.BASE, probe.patch)
        for v in variants(probe, module.BASE):
            props = _apply(context, v.patch)
            found = harness.run_policy(policy, rtype, props, config=probe.config, preview=v.preview)
            outcome = _outcome(found, policy)
            if remediates:
                at_remediate = harness.run_policy(
                    policy,
                    rtype,
                    props,
                    config=probe.config,
                    preview=v.preview,
                    enforcement_level=EnforcementLevel.REMEDIATE,
                )
                outcome["atRemediate"] = _outcome(at_remediate, policy)
            key = json.dumps(outcome, sort_keys=True, ensure_ascii=False)
            groups.setdefault(key, {**outcome, "probes": []})["probes"].append(f"{probe.name}: {v.label}")
    return list(groups.values())


def build(group: str) -> dict[str, Any]:
    """The snapshot of one policy group: case and probe outcomes per policy, in pack order."""
    out: dict[str, Any] = {}
    for policy in POLICIES:
        if policy.name.split("-", 1)[0] != group:
            continue
        entry: dict[str, Any] = {"cases": case_outcomes(policy)}
        if policy.name in PROBES:
            entry["probes"] = probe_outcomes(policy)
        out[policy.name] = entry
    return out


# ---- metadata


def build_metadata() -> dict[str, Any]:
    """Every policy's metadata: the ``cdcml policy ls --json`` document, the pack's
    ``GetAnalyzerInfo`` and its default (reconciled) config, and docs/policies.md."""
    from google.protobuf import json_format

    from cdcml import __version__
    from cdcml.engine.config import reconcile
    from cdcml.engine.pack import DEFAULT_PACK, load_pack
    from cdcml.policies import docs

    root = Path(__file__).resolve().parents[2]
    pack = load_pack(root / DEFAULT_PACK)
    info = json_format.MessageToDict(pack.analyzer_info())
    config = reconcile(pack)
    rows = docs.rows(POLICIES)
    return {
        "order": [p.name for p in POLICIES],
        "packOrder": list(pack.policy_names()),
        "ls": docs.json_document(PACK_NAME, __version__, rows),
        "analyzerInfo": info,
        "defaultConfig": {
            name: {"enforcementLevel": str(c.enforcement_level), "properties": c.properties}
            for name, c in config.policies.items()
        },
        "remediates": [p.name for p in POLICIES if getattr(p, "has_remediation", lambda: False)()],
        "docs": docs.markdown(PACK_NAME, __version__, rows).splitlines(),
    }


def render(doc: Any) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def snapshot_names() -> list[str]:
    return [*GROUPS, "metadata"]


def generate(name: str) -> dict[str, Any]:
    return build_metadata() if name == "metadata" else build(name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="Regenerate the golden files (deliberately).")
    parser.add_argument("names", nargs="*", help=f"Snapshots to handle (default: all of {snapshot_names()}).")
    args = parser.parse_args(argv)
    stale = []
    for name in args.names or snapshot_names():
        text = render(generate(name))
        path = golden_path(name)
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        elif not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    if stale:
        print(f"snapshot differs: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
