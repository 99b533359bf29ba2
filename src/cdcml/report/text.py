"""The human report: findings grouped by resource, then by policy, then a summary."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from cdcml.model import EnforcementLevel, Finding, FindingKind, Findings

__all__ = ["render_text"]

_MARK = {
    ("violation", "mandatory"): ("✖ mandatory", "bold red"),
    ("violation", "advisory"): ("▲ advisory ", "yellow"),
    ("violation", "remediate"): ("✖ mandatory", "bold red"),
    ("unknown", "advisory"): ("? unknown  ", "cyan"),
    ("not-applicable", ""): ("· n/a      ", "dim"),
}


def _mark(f: Finding) -> tuple[str, str]:
    if f.kind is FindingKind.NOT_APPLICABLE:
        return _MARK[("not-applicable", "")]
    key = (str(f.kind), str(f.enforcement_level))
    return _MARK.get(key, (f"{f.kind} {f.enforcement_level}", ""))


def _finding_lines(f: Finding) -> list[RenderableType]:
    label, style = _mark(f)
    head = Text()
    head.append(label, style=style)
    head.append("  ")
    head.append(f.policy, style="bold")
    if f.severity:
        head.append(f"  [{f.severity}]", style="dim")
    # The first line of a violation is the policy's description; show the specific part.
    lines = f.message.split("\n", 1)
    detail = lines[1] if f.kind is FindingKind.VIOLATION and len(lines) > 1 else f.message
    if f.kind is FindingKind.VIOLATION and len(lines) == 1:
        detail = f.description
    return [Padding(head, (0, 0, 0, 2), expand=False), Padding(Text(detail), (0, 0, 0, 17), expand=False)]


def render_text(
    findings: Findings,
    console: Console,
    *,
    command: str = "preview",
    diagnostics: Sequence[str] = (),
    show_not_applicable: bool = False,
) -> None:
    packs = ", ".join(f"{p.name}@{p.version}" for p in findings.packs)
    title = Text()
    title.append(f"cdcml {command} ", style="bold")
    title.append(f"{findings.project}/{findings.stack}")
    title.append(f"  ({findings.source})  ", style="dim")
    title.append(packs)
    console.print(title)

    shown = [f for f in findings.findings if show_not_applicable or f.kind is not FindingKind.NOT_APPLICABLE]
    by_urn: dict[str, list[Finding]] = {}
    for f in shown:
        by_urn.setdefault(f.urn, []).append(f)

    types = {r.urn: r.type for r in findings.evaluated}
    order = [r.urn for r in findings.evaluated if r.urn in by_urn]
    order += [u for u in by_urn if u not in order and u]
    if "" in by_urn:
        order.append("")
    for urn in order:
        items = sorted(
            by_urn[urn],
            key=lambda f: (
                f.kind is not FindingKind.VIOLATION,
                f.enforcement_level is not EnforcementLevel.MANDATORY,
                f.policy,
            ),
        )
        console.print()
        header = Text()
        if urn:
            header.append(urn.rsplit("::", 1)[-1], style="bold")
            header.append(f"  {types.get(urn) or items[0].resource_type}", style="dim")
        else:
            header.append("stack", style="bold")
            header.append("  (stack policies)", style="dim")
        console.print(header)
        for f in items:
            for line in _finding_lines(f):
                console.print(line)

    if findings.remediations:
        console.print()
        console.print(Text("Remediations (reported, not applied):", style="bold"))
        for rem in findings.remediations:
            line = Text("  ")
            line.append(rem.policy, style="bold")
            line.append(f" would change {', '.join(rem.changed) or 'nothing'} of {rem.urn.rsplit('::', 1)[-1]}")
            console.print(line)

    if diagnostics:
        console.print()
        for d in diagnostics:
            console.print(Text(f"note: {d}", style="dim"))

    c = findings.counts()
    console.print()
    console.print(Rule(style="dim"))
    summary = Text()
    summary.append(f"{len(findings.evaluated)} resources, ")
    summary.append(f"{c['mandatory']} mandatory", style="bold red" if c["mandatory"] else "green")
    summary.append(f", {c['advisory']} advisory", style="yellow" if c["advisory"] else "")
    summary.append(f", {c['unknown']} unknown")
    if c["remediations"]:
        summary.append(f", {c['remediations']} remediations")
    summary.append(" — ")
    summary.append("FAIL" if findings.exit_code else "PASS", style="bold red" if findings.exit_code else "bold green")
    console.print(summary)
