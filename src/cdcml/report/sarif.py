"""SARIF 2.1.0: the report code-scanning services read (GitHub code scanning, Azure DevOps).

One run for the whole audit (GitHub accepts one run per tool and category):

* ``tool.driver.rules`` — one rule per policy of the packs, with the policy's metadata:
  description, help (remediation steps, URL, compliance framework), default level from
  the effective enforcement level, ``security-severity`` from the severity (GitHub's
  scale: critical 9.5, high 8.0, medium 5.5, low 2.0) and the policy's tags;
* ``results`` — one per violation (``error`` mandatory, ``warning`` advisory) and per
  policy that could not run (``note``, kind ``review``). Waived violations carry an
  ``external`` suppression with the waiver's reason, owner and expiry; with a baseline,
  results are ``new``. Each result is located by stack and URN: a logical location
  (the resource, under its stack) and a physical one GitHub can show — for a captured
  program the file and line that declared the resource (relative to ``%SRCROOT%``, the
  working directory), else the stack's ``Pulumi.<stack>.yaml``, the state file (at the
  resource's line when it is plain JSON), or the state object in the backend (relative
  to ``originalUriBaseIds``);
* ``invocations`` — the exit code, and notifications for updates in progress, expired
  waivers and loading notes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from cdcml import __version__
from cdcml.model import Artifact, EnforcementLevel, Finding, FindingKind, PolicyInfo, Severity, StackReport, Verdict

__all__ = ["SARIF_SCHEMA_URI", "SARIF_VERSION", "rule_id_map", "verdict_to_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
_LEVEL = {
    EnforcementLevel.MANDATORY: "error",
    EnforcementLevel.REMEDIATE: "error",
    EnforcementLevel.ADVISORY: "warning",
    EnforcementLevel.DISABLED: "none",
}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation", "none": "recommendation"}


def rule_id_map(policies: tuple[PolicyInfo, ...]) -> dict[tuple[str, str], str]:
    """``(pack, policy) → rule id``: the policy name, or ``<pack>/<policy>`` when two packs
    share a policy name."""
    counts: dict[str, int] = {}
    for p in policies:
        counts[p.name] = counts.get(p.name, 0) + 1
    return {(p.pack, p.name): p.name if counts[p.name] == 1 else p.qualified for p in policies}


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("/", "-").split("-") if part)


def _rule(p: PolicyInfo, rule_id: str) -> dict[str, Any]:
    level = _LEVEL[p.level]
    help_lines = [p.description]
    md_lines = [f"**{p.description}**"]
    if p.remediation_steps:
        help_lines.append(f"Remediation: {p.remediation_steps}")
        md_lines.append(f"**Remediation:** {p.remediation_steps}")
    if p.framework:
        ref = " ".join(v for k, v in p.framework.items() if k in ("name", "version", "reference"))
        help_lines.append(f"Framework: {ref}")
        md_lines.append(f"**Framework:** {ref}")
    if p.resource_types:
        help_lines.append(f"Resource types: {', '.join(p.resource_types)}")
        md_lines.append("**Resource types:** " + ", ".join(f"`{t}`" for t in p.resource_types))
    if p.url:
        help_lines.append(f"More: {p.url}")
        md_lines.append(f"[Documentation]({p.url})")
    tags = list(dict.fromkeys([*p.tags, p.pack, p.policy_type]))
    properties: dict[str, Any] = {
        "tags": tags,
        "precision": "very-high",
        "problem.severity": _PROBLEM_SEVERITY[level],
        "pack": p.pack,
        "packVersion": p.pack_version,
        "enforcementLevel": str(p.level),
        "policyType": p.policy_type,
    }
    sec = _SECURITY_SEVERITY.get(p.severity)
    if sec is not None:
        properties["security-severity"] = sec
        properties["severity"] = str(p.severity)
        if "security" not in tags:
            tags.append("security")
    if p.framework:
        properties["framework"] = dict(p.framework)
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": _camel(rule_id),
        "shortDescription": {"text": p.description or p.name},
        "fullDescription": {"text": p.description or p.name},
        "help": {"text": "\n\n".join(help_lines), "markdown": "\n\n".join(md_lines)},
        "defaultConfiguration": {
            "enabled": p.level is not EnforcementLevel.DISABLED,
            "level": "note" if level == "none" else level,
        },
        "properties": properties,
    }
    if p.url:
        rule["helpUri"] = p.url
    return rule


def _fingerprint(report: StackReport, f: Finding) -> str:
    key = "\x1f".join((report.name, f.pack, f.policy, f.policy_type, f.urn, str(f.kind)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class _Locations:
    """The run's logical locations: each stack, and each resource with a result under it."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.index: dict[tuple[str, str], int] = {}

    def stack(self, report: StackReport) -> int:
        key = (report.name, "")
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(
                {
                    "name": report.findings.stack,
                    "fullyQualifiedName": report.name,
                    "kind": "namespace",
                    "properties": {"project": report.findings.project, "source": report.findings.source},
                }
            )
        return self.index[key]

    def resource(self, report: StackReport, urn: str, rtype: str) -> int:
        parent = self.stack(report)
        if not urn:
            return parent
        key = (report.name, urn)
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(
                {
                    "name": urn.rsplit("::", 1)[-1],
                    "fullyQualifiedName": urn,
                    "kind": "resource",
                    "parentIndex": parent,
                    "properties": {"type": rtype} if rtype else {},
                }
            )
        return self.index[key]


def _artifact_location(art: Artifact) -> dict[str, Any]:
    location: dict[str, Any] = {"uri": art.uri}
    if art.base_id:
        location["uriBaseId"] = art.base_id
    return location


def _physical(report: StackReport, urn: str) -> dict[str, Any]:
    """Where a result about *urn* points: the program's line that declared the resource,
    else the stack's artifact (at the resource's line in a state file)."""
    source = report.sources.get(urn) if urn else None
    if source is not None:
        region = {"startLine": source.line}
        if source.column:
            region["startColumn"] = source.column
        return {"artifactLocation": _artifact_location(source.file), "region": region}
    art = report.artifact
    line = art.lines.get(urn, 1) if urn else 1
    return {"artifactLocation": _artifact_location(art), "region": {"startLine": line}}


def _result(
    report: StackReport,
    i: int,
    f: Finding,
    rule_ids: Mapping[tuple[str, str], str],
    rule_index: Mapping[str, int],
    locations: _Locations,
    with_baseline: bool,
) -> dict[str, Any] | None:
    rule_id = rule_ids.get((f.pack, f.policy))
    if rule_id is None:
        return None
    if f.kind is FindingKind.VIOLATION:
        level, kind = _LEVEL.get(f.enforcement_level, "warning"), "fail"
    elif f.kind is FindingKind.UNKNOWN:
        level, kind = "note", "review"
    else:
        return None
    name = f.urn.rsplit("::", 1)[-1] if f.urn else "the stack"
    what = f"{name} ({f.resource_type})" if f.urn and f.resource_type else name
    text = f"{what} in {report.name}: {f.detail}"
    logical = locations.resource(report, f.urn, f.resource_type)
    location = {
        "physicalLocation": _physical(report, f.urn),
        "logicalLocations": [
            {
                "index": logical,
                "fullyQualifiedName": f.urn or report.name,
                "kind": "resource" if f.urn else "namespace",
            }
        ],
    }
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index[rule_id],
        "kind": kind,
        "level": level,
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"cdcmlFinding/v1": _fingerprint(report, f)},
        "properties": {
            "stack": report.name,
            "urn": f.urn,
            "resourceType": f.resource_type,
            "pack": f.pack,
            "packVersion": f.pack_version,
            "enforcementLevel": str(f.enforcement_level),
            "severity": str(f.severity),
        },
    }
    match = report.waivers.get(i)
    if match is not None:
        w = match.waiver
        result["properties"]["waiver"] = match.to_json()
        if match.active:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": w.reason,
                    "properties": {"owner": w.owner, "expires": w.expires.isoformat(), "waiver": w.index},
                }
            ]
    if with_baseline:
        result["baselineState"] = "new"
    return result


def _notifications(verdict: Verdict) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for report in verdict.stacks:
        for lock in report.locks:
            out.append(
                {
                    "level": "warning",
                    "message": {
                        "text": f"{report.name}: update in progress, {lock.describe()}; the results are for the last "
                        "saved checkpoint"
                    },
                    "descriptor": {"id": "update-in-progress"},
                }
            )
        for note in report.graph.diagnostics:
            out.append({"level": "note", "message": {"text": f"{report.name}: {note}"}})
    for w in verdict.expired_waivers:
        out.append(
            {
                "level": "error",
                "message": {"text": f"{w.describe()} has expired: renew it or remove it"},
                "descriptor": {"id": "expired-waiver"},
            }
        )
    for warning in verdict.warnings:
        out.append({"level": "warning", "message": {"text": warning}})
    return out


def verdict_to_sarif(verdict: Verdict) -> dict[str, Any]:
    """The SARIF log of *verdict* (one run)."""
    rule_ids = rule_id_map(verdict.policies)
    rules = [_rule(p, rule_ids[(p.pack, p.name)]) for p in verdict.policies]
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    locations = _Locations()
    with_baseline = any(s.baselined for s in verdict.stacks)
    results: list[dict[str, Any]] = []
    base_ids: dict[str, dict[str, Any]] = {}
    for report in verdict.stacks:
        locations.stack(report)
        for art in (report.artifact, *(loc.file for loc in report.sources.values())):
            if art.base_id and art.base_uri:
                base_ids.setdefault(art.base_id, {"uri": art.base_uri})
        for i, f in enumerate(report.findings.findings):
            r = _result(report, i, f, rule_ids, rule_index, locations, with_baseline)
            if r is not None:
                results.append(r)
    slug = verdict.command.replace(" ", "-")
    if len(verdict.stacks) == 1:  # its own code-scanning category, so stacks don't replace each other
        one = verdict.stacks[0]
        slug = f"{slug}/{one.findings.project}/{one.findings.stack}"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "cdcml",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"cdcml/{slug}/"},
        "invocations": [
            {
                "executionSuccessful": True,
                "exitCode": verdict.exit_code,
                "toolExecutionNotifications": _notifications(verdict),
            }
        ],
        "logicalLocations": locations.items,
        "results": results,
        "columnKind": "utf16CodeUnits",
        "properties": {
            "command": verdict.command,
            "source": verdict.source,
            "packs": [{"name": p.name, "version": p.version} for p in verdict.packs],
            "stacks": [
                {
                    "name": s.name,
                    "location": s.location,
                    "resources": s.findings.resource_count,
                    "exitCode": s.exit_code,
                    "updateInProgress": bool(s.locks),
                }
                for s in verdict.stacks
            ],
        },
    }
    if verdict.shard is not None:
        shard = verdict.shard
        run["properties"]["shard"] = {"index": shard.index, "count": shard.count, "total": shard.total}
    if base_ids:
        run["originalUriBaseIds"] = base_ids
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
