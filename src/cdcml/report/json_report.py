"""The JSON report: every resource evaluated and every finding, in a documented shape.

The shape is the JSON Schema in ``findings.schema.json`` (shipped with the package and
reproduced in the README); tests validate every report against it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from cdcml import __version__
from cdcml.engine.wire import redact
from cdcml.model import Finding, Findings, ResourceGraph

__all__ = ["REPORT_SCHEMA", "finding_to_json", "findings_to_json"]

REPORT_SCHEMA: dict[str, Any] = json.loads(
    resources.files("cdcml.report").joinpath("findings.schema.json").read_text(encoding="utf-8")
)


def finding_to_json(f: Finding) -> dict[str, Any]:
    return {
        "kind": str(f.kind),
        "pack": f.pack,
        "packVersion": f.pack_version,
        "policy": f.policy,
        "policyType": f.policy_type,
        "enforcementLevel": str(f.enforcement_level),
        "severity": str(f.severity),
        "urn": f.urn,
        "resourceType": f.resource_type,
        "description": f.description,
        "message": f.message,
    }


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
            "resources": len(findings.evaluated),
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
