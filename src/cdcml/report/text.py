"""The human report: findings grouped by resource, then by policy, then a summary.

The pieces shared with the audit renderer (:mod:`cdcml.report.audit`) live here: the
marks, a finding's head line, the grouped body of one stack's findings and the counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from cdcml.model import EnforcementLevel, Finding, FindingKind, Findings

__all__ = ["render_text"]

MARKS = {
    "mandatory": ("✖ mandatory", "bold red"),
    "advisory": ("▲ advisory ", "yellow"),
    "unknown": ("? unknown  ", "cyan"),
    "not-applicable": ("· n/a      ", "dim"),
}

_MARK = {
    ("violation", "mandatory"): MARKS["mandatory"],
    ("violation", "advisory"): MARKS["advisory"],
    ("violation", "remediate"): MARKS["mandatory"],
    ("unknown", "advisory"): MARKS["unknown"],
}

Numbered = tuple[int, Finding]
"""A finding with its index in ``Findings.findings`` (what waivers are keyed by)."""


def _mark(f: Finding) -> tuple[str, str]:
    if f.kind is FindingKind.NOT_APPLICABLE:
        return MARKS["not-applicable"]
    key = (str(f.kind), str(f.enforcement_level))
    return _MARK.get(key, (f"{f.kind} {f.enforcement_level}", ""))


def _never(_index: int) -> bool:
    return False


def finding_head(f: Finding, mark: tuple[str, str]) -> Text:
    """``<mark>  <policy>  [<severity>]``: the first line of a finding."""
    label, style = mark
    head = Text()
    head.append(label, style=style)
    head.append("  ")
    head.append(f.policy, style="bold")
    if f.severity:
        head.append(f"  [{f.severity}]", style="dim")
    return head


def _finding_lines(f: Finding) -> list[RenderableType]:
    # The first line of a violation is the policy's description; show the specific part.
    lines = f.message.split("\n", 1)
    detail = lines[1] if f.kind is FindingKind.VIOLATION and len(lines) > 1 else f.message
    if f.kind is FindingKind.VIOLATION and len(lines) == 1:
        detail = f.description
    return [
        Padding(finding_head(f, _mark(f)), (0, 0, 0, 2), expand=False),
        Padding(Text(detail), (0, 0, 0, 17), expand=False),
    ]


def sort_findings(items: Iterable[Numbered], waived: Callable[[int], bool] = _never) -> list[Numbered]:
    """Violations first, unwaived before waived, mandatory before the rest, then by policy."""
    return sorted(
        items,
        key=lambda it: (
            it[1].kind is not FindingKind.VIOLATION,
            waived(it[0]),
            it[1].enforcement_level is not EnforcementLevel.MANDATORY,
            it[1].policy,
        ),
    )


def render_findings(
    findings: Findings,
    console: Console,
    lines: Callable[[int, Finding], Iterable[RenderableType]],
    *,
    diagnostics: Sequence[str] = (),
    show_not_applicable: bool = False,
    waived: Callable[[int], bool] = _never,
) -> None:
    """The body of a one-stack report: the findings grouped by resource (in evaluation
    order, stack policies last), each rendered by *lines*; then remediations and notes."""
    by_urn: dict[str, list[Numbered]] = {}
    for i, f in enumerate(findings.findings):
        if show_not_applicable or f.kind is not FindingKind.NOT_APPLICABLE:
            by_urn.setdefault(f.urn, []).append((i, f))

    types = {r.urn: r.type for r in findings.evaluated}
    order = [r.urn for r in findings.evaluated if r.urn in by_urn]
    order += [u for u in by_urn if u not in order and u]
    if "" in by_urn:
        order.append("")
    for urn in order:
        items = sort_findings(by_urn[urn], waived)
        console.print()
        header = Text()
        if urn:
            header.append(urn.rsplit("::", 1)[-1], style="bold")
            header.append(f"  {types.get(urn) or items[0][1].resource_type}", style="dim")
        else:
            header.append("stack", style="bold")
            header.append("  (stack policies)", style="dim")
        console.print(header)
        for i, f in items:
            for line in lines(i, f):
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


def counts_text(lead: str, c: Mapping[str, int]) -> Text:
    """*lead*, then the mandatory, advisory and unknown counts of *c*, and its waived and
    baselined counts when there are any."""
    t = Text(lead)
    t.append(f"{c['mandatory']} mandatory", style="bold red" if c["mandatory"] else "green")
    t.append(f", {c['advisory']} advisory", style="yellow" if c["advisory"] else "")
    t.append(f", {c['unknown']} unknown")
    if c.get("waived"):
        t.append(f", {c['waived']} waived", style="magenta")
    if c.get("baselined"):
        t.append(f", {c['baselined']} in the baseline")
    return t


def summary_text(resources: int, c: Mapping[str, int], exit_code: int) -> Text:
    """The summary line of one stack: ``N resources, <counts> — PASS|FAIL``."""
    t = counts_text(f"{resources} resources, ", c)
    if c["remediations"]:
        t.append(f", {c['remediations']} remediations")
    t.append(" — ")
    t.append("FAIL" if exit_code else "PASS", style="bold red" if exit_code else "bold green")
    return t


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

    render_findings(
        findings,
        console,
        lambda _i, f: _finding_lines(f),
        diagnostics=diagnostics,
        show_not_applicable=show_not_applicable,
    )

    console.print()
    console.print(Rule(style="dim"))
    console.print(summary_text(len(findings.evaluated), findings.counts(), findings.exit_code))
