"""The policy catalogue rendered from the policies' own metadata: rows for ``cdcml policy
ls`` (table and JSON) and the Markdown of ``cdcml policy docs`` (``docs/policies.md``).

Works on any pack's policies: cdcml guardrails add a catalogue rule, layer, concern and
resource types; other CrossGuard policies show what the SDK's Policy carries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RULE_GROUPS", "ConfigRow", "PolicyRow", "json_document", "markdown", "rows"]

RULE_GROUPS = {
    "A": "CDC cadence and mode",
    "B": "Network isolation and private endpoints",
    "C": "Identity and authentication",
    "D": "Encryption",
    "E": "Data protection and retention",
    "F": "Tagging and governance",
    "G": "ML lifecycle",
    "H": "Observability",
    "I": "Cost guardrails",
    "X": "Cross-resource invariants",
}
"""Groups of the 70-rule catalogue (rule-catalogue.md §7), by rule-id letter."""
CATALOGUE_SIZE = 70


@dataclass(frozen=True)
class ConfigRow:
    """One property of a policy's config schema."""

    name: str
    type: str
    default: Any
    description: str


@dataclass(frozen=True)
class PolicyRow:
    """Everything the catalogue shows about one policy."""

    name: str
    kind: str
    description: str
    enforcement_level: str
    severity: str
    rule: str = ""
    layer: str = ""
    concern: str = ""
    tags: tuple[str, ...] = ()
    framework: str = ""
    remediation_steps: str = ""
    url: str = ""
    resource_types: tuple[str, ...] = ()
    config: tuple[ConfigRow, ...] = field(default_factory=tuple)

    @property
    def group(self) -> str:
        return RULE_GROUPS.get(self.rule[:1], "") if self.rule else ""


def _value(enum_or_none: Any, default: str) -> str:
    return str(enum_or_none.value) if enum_or_none is not None else default


def _config(policy: Any) -> tuple[ConfigRow, ...]:
    schema = getattr(policy, "config_schema", None)
    properties: Mapping[str, Any] = getattr(schema, "properties", None) or {}
    out = []
    for name, prop in properties.items():
        prop = dict(prop) if isinstance(prop, Mapping) else {}
        kind = prop.get("type", "")
        if kind == "array" and isinstance(prop.get("items"), Mapping) and prop["items"].get("type"):
            kind = f"array of {prop['items']['type']}"
        out.append(ConfigRow(name, str(kind), prop.get("default"), str(prop.get("description", ""))))
    return tuple(out)


def rows(policies: Sequence[Any], pack_level: str = "advisory") -> list[PolicyRow]:
    """One row per policy, in pack order. A policy without its own enforcement level runs
    at *pack_level*, as the engine runs it."""
    from pulumi_policy import StackValidationPolicy

    out = []
    for p in policies:
        framework = getattr(p, "framework", None)
        out.append(
            PolicyRow(
                name=p.name,
                kind="stack" if isinstance(p, StackValidationPolicy) else "resource",
                description=p.description,
                enforcement_level=_value(p.enforcement_level, pack_level),
                severity=_value(getattr(p, "severity", None), "unspecified"),
                rule=str(getattr(p, "rule", "") or ""),
                layer=str(getattr(p, "layer", "") or ""),
                concern=str(getattr(p, "concern", "") or ""),
                tags=tuple(getattr(p, "tags", None) or ()),
                framework=f"{framework.name} {framework.reference}".strip() if framework is not None else "",
                remediation_steps=str(getattr(p, "remediation_steps", "") or ""),
                url=str(getattr(p, "url", "") or ""),
                resource_types=tuple(getattr(p, "resource_types", ()) or ()),
                config=_config(p),
            )
        )
    return out


def json_document(name: str, version: str, policy_rows: Sequence[PolicyRow]) -> dict[str, Any]:
    """The ``cdcml policy ls --json`` document."""
    return {
        "pack": {"name": name, "version": version},
        "policies": [
            {
                "name": r.name,
                "type": r.kind,
                "rule": r.rule,
                "group": r.group,
                "description": r.description,
                "enforcementLevel": r.enforcement_level,
                "severity": r.severity,
                "layer": r.layer,
                "concern": r.concern,
                "tags": list(r.tags),
                "framework": r.framework,
                "url": r.url,
                "remediationSteps": r.remediation_steps,
                "resourceTypes": list(r.resource_types),
                "config": [
                    {"name": c.name, "type": c.type, "default": c.default, "description": c.description}
                    for c in r.config
                ],
            }
            for r in policy_rows
        ],
    }


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _default(value: Any) -> str:
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def markdown(name: str, version: str, policy_rows: Sequence[PolicyRow], description: str = "") -> str:
    """The Markdown catalogue of a pack (what ``docs/policies.md`` holds)."""
    stack = sum(1 for r in policy_rows if r.kind == "stack")
    rules = sorted({r.rule for r in policy_rows if r.rule})
    lines = [
        f"# `{name}` policy catalogue",
        "",
        "<!-- Generated by `cdcml policy docs` from the policies' metadata. Do not edit by hand: change the "
        "policy and run `cdcml policy docs --output docs/policies.md`. -->",
        "",
    ]
    if description:
        lines += [" ".join(description.split()), ""]
    summary = f"Version {version}: {len(policy_rows)} policies ({len(policy_rows) - stack} resource, {stack} stack)"
    if rules:
        summary += f" implementing {len(rules)} of the {CATALOGUE_SIZE} rules of the CDC→ML rule catalogue"
    lines += [
        summary + ".",
        "",
        "Enforcement levels are the defaults; change them, and each policy's configuration, with "
        '`--policy-pack-config FILE` (`{"<policy>": "advisory" | {"enforcementLevel": …, <property>: …}}`). '
        "Mandatory guards exposure of data and broken CDC→ML flows; advisory covers hygiene and cost. A check "
        "that needs a value unknown during preview reports an advisory instead of a violation.",
        "",
        "| Policy | Rule | Type | Severity | Enforcement | Layer / concern |",
        "|---|---|---|---|---|---|",
    ]
    for r in policy_rows:
        lines.append(
            f"| [`{r.name}`](#{r.name}) | {r.rule or '—'} | {r.kind} | {r.severity} | {r.enforcement_level} | "
            f"{' / '.join(t for t in (r.layer, r.concern) if t) or ', '.join(r.tags) or '—'} |"
        )
    current = None
    for r in policy_rows:
        heading = f"{r.rule[:1]}. {r.group}" if r.group else "Other policies"
        if heading != current:
            current = heading
            lines += ["", f"## {heading}"]
        lines += ["", f"### `{r.name}`", "", _cell(r.description), ""]
        facts = [f"**{r.kind.title()} policy**", f"severity **{r.severity}**", f"**{r.enforcement_level}**"]
        if r.rule:
            facts.append(f"rule **{r.rule}**")
        if r.framework:
            facts.append(r.framework)
        if r.tags:
            facts.append("tags " + ", ".join(f"`{t}`" for t in r.tags))
        lines.append("- " + " · ".join(facts))
        if r.resource_types:
            lines.append("- Resource types: " + ", ".join(f"`{t}`" for t in r.resource_types))
        if r.remediation_steps:
            lines.append(f"- Remediation: {_cell(r.remediation_steps)}")
        if r.url:
            lines.append(f"- Reference: <{r.url}>")
        if r.config:
            lines += ["", "| Config | Type | Default | Description |", "|---|---|---|---|"]
            for c in r.config:
                lines.append(f"| `{c.name}` | {c.type} | {_default(c.default)} | {_cell(c.description)} |")
    return "\n".join(lines) + "\n"
