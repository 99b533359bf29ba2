"""The JSON report: every resource evaluated and every finding, in a documented shape —
one stack report, or a ``stacks`` document for a run over a whole backend.

The shape is the JSON Schema in ``findings.schema.json`` (shipped with the package and
reproduced in the README); tests validate every report against it. A captured program's
findings carry the ``sourcePosition`` that declared their resource; waived findings carry
their waiver, baselined ones are left out and counted, locks and expired waivers are listed.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from cdcml import __version__
from cdcml.model import Finding, Findings, LockInfo, ResourceGraph, SourceLocation, StackReport, Verdict
from cdcml.model.codec import artifact_to_plain, finding_to_plain, policy_info_to_plain, waiver_to_plain
from cdcml.model.values import redact

__all__ = [
    "REPORT_SCHEMA",
    "finding_to_json",
    "findings_to_json",
    "lock_to_json",
    "schema_problem",
    "shard_to_json",
    "source_position_to_json",
    "stack_to_json",
    "verdict_to_json",
]

REPORT_SCHEMA: dict[str, Any] = json.loads(
    resources.files("cdcml.report").joinpath("findings.schema.json").read_text(encoding="utf-8")
)


def schema_problem(doc: Any) -> str | None:
    """Why *doc* is not a JSON report of ``findings.schema.json`` (the most relevant error,
    where it is and what it expected, cut short), or ``None``."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(REPORT_SCHEMA)
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "the document"
    message = error.message if len(error.message) <= 120 else error.message[:117] + "…"
    return f"{where.lstrip('.')}: {message}"


def finding_to_json(f: Finding) -> dict[str, Any]:
    """A finding in the report: the model's own plain shape (:func:`cdcml.model.codec.finding_to_plain`)."""
    return finding_to_plain(f)


def findings_to_json(
    findings: Findings,
    *,
    command: str,
    graph: ResourceGraph | None = None,
) -> dict[str, Any]:
    counts = findings.counts()
    return {
        "version": 1,
        "tool": {"name": "cdcml", "version": __version__},
        "command": command,
        "project": findings.project,
        "stack": findings.stack,
        "source": findings.source,
        "packs": [{"name": p.name, "version": p.version} for p in findings.packs],
        "summary": {
            "resources": findings.resource_count,
            "mandatory": counts["mandatory"],
            "advisory": counts["advisory"],
            "unknown": counts["unknown"],
            "notApplicable": counts["not-applicable"],
            "remediations": counts["remediations"],
            "exitCode": findings.exit_code,
        },
        "resources": [
            {"urn": r.urn, "type": r.type, "name": r.name, "policies": list(r.policies)} for r in findings.evaluated
        ],
        "stackPolicies": list(findings.stack_policies),
        "findings": [finding_to_json(f) for f in findings.findings],
        "remediations": [
            {
                "pack": r.pack,
                "packVersion": r.pack_version,
                "policy": r.policy,
                "urn": r.urn,
                "resourceType": r.resource_type,
                "description": r.description,
                "changed": list(r.changed),
                "properties": redact(r.properties),
            }
            for r in findings.remediations
        ],
        "diagnostics": list(graph.diagnostics) if graph is not None else [],
    }


def source_position_to_json(source: SourceLocation) -> dict[str, Any]:
    """Where the program declared a finding's resource: ``path`` (relative to the working
    directory when inside it, else absolute), ``line``, and ``column`` when known."""
    doc: dict[str, Any] = {"path": source.path, "line": source.line}
    if source.column:
        doc["column"] = source.column
    return doc


def lock_to_json(lock: LockInfo) -> dict[str, Any]:
    return {
        "key": lock.key,
        "owner": lock.username,
        "hostname": lock.hostname,
        "pid": lock.pid,
        "timestamp": lock.timestamp,
    }


def stack_to_json(report: StackReport, verdict: Verdict) -> dict[str, Any]:
    """One stack's report: the documented one-stack shape plus waivers, baseline counts,
    where the state came from and any lock."""
    doc = findings_to_json(report.findings, command=verdict.command, graph=report.graph)
    for i, (item, f) in enumerate(zip(doc["findings"], report.findings.findings, strict=True)):
        source = report.sources.get(f.urn) if f.urn else None
        if source is not None:
            item["sourcePosition"] = source_position_to_json(source)
        match = report.waivers.get(i)
        if match is not None:
            item["waiver"] = match.to_json()
    counts = report.counts()
    summary = doc["summary"]
    summary["mandatory"] = counts["mandatory"]
    summary["advisory"] = counts["advisory"]
    if verdict.waivers or counts["waived"]:
        summary["waived"] = counts["waived"]
    if report.baselined:
        summary["baselined"] = report.baselined
    summary["exitCode"] = report.exit_code
    if verdict.command == "policy analyze":
        doc["state"] = {"location": report.location}
        if report.locks:
            doc["locks"] = [lock_to_json(lock) for lock in report.locks]
    return doc


def shard_to_json(verdict: Verdict) -> dict[str, Any] | None:
    """The ``shard`` of a sharded run's report: which shard, the listing it was cut from,
    and what the other formats need that the report doesn't show (policy metadata, where
    findings point, waiver numbers), so that ``cdcml report merge`` rebuilds the verdict
    of the whole run from its shards. ``None`` for a run that is not sharded."""
    shard = verdict.shard
    if shard is None:
        return None
    stacks = []
    for position, report in zip(shard.positions, verdict.stacks, strict=True):
        stacks.append(
            {
                "position": position,
                "organization": report.ref.organization,
                "artifact": artifact_to_plain(report.artifact),
                "waivers": {str(i): m.waiver.index for i, m in sorted(report.waivers.items())},
            }
        )
    return {
        "index": shard.index,
        "count": shard.count,
        "total": shard.total,
        "listing": shard.listing,
        "today": verdict.today.isoformat() if verdict.today is not None else "",
        "policies": [policy_info_to_plain(p) for p in verdict.policies],
        "waivers": [waiver_to_plain(w) for w in verdict.waivers],
        "stacks": stacks,
    }


def verdict_to_json(verdict: Verdict) -> dict[str, Any]:
    """The JSON report of *verdict*: a stack report for one stack, a ``stacks`` document for
    a run over a backend (validated against ``findings.schema.json``)."""
    one = verdict.single
    if one is not None:
        doc = stack_to_json(one, verdict)
        if verdict.expired_waivers:
            doc["expiredWaivers"] = [w.to_json() for w in verdict.expired_waivers]
        if verdict.warnings:
            doc["warnings"] = list(verdict.warnings)
        doc["summary"]["exitCode"] = verdict.exit_code
        return doc
    t = verdict.totals()
    out: dict[str, Any] = {
        "version": 1,
        "tool": {"name": "cdcml", "version": __version__},
        "command": "policy analyze",
        "source": verdict.source,
        "packs": [{"name": p.name, "version": p.version} for p in verdict.packs],
        "summary": {
            "stacks": t["stacks"],
            "locked": t["locked"],
            "resources": t["resources"],
            "mandatory": t["mandatory"],
            "advisory": t["advisory"],
            "unknown": t["unknown"],
            "notApplicable": t["not-applicable"],
            "remediations": t["remediations"],
            "waived": t["waived"],
            "baselined": t["baselined"],
            "exitCode": verdict.exit_code,
        },
        "expiredWaivers": [w.to_json() for w in verdict.expired_waivers],
        "warnings": list(verdict.warnings),
        "stacks": [stack_to_json(s, verdict) for s in verdict.stacks],
    }
    shard = shard_to_json(verdict)
    if shard is not None:
        out["shard"] = shard
    return out
