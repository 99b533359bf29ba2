"""The human report: findings grouped by resource, then by policy, then a summary.

One renderer for both runs: a program's findings (``cdcml preview``: each resource under
the ``file:line`` that declared it, relative to the working directory), and stored state
(``cdcml policy analyze``), which adds waived findings (shown, not counted), baselined
findings (left out, counted), locks of an update in progress and expired waivers. They
share the marks, a finding's head line, the grouped body of one stack's findings and the
counts.

Every string that comes from the input (names, URNs, types, messages, paths, lock owners)
goes through :func:`~cdcml.report.terminal.printable` and into a ``Text``, never markup: a
crafted name can't move the cursor or print a line of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from cdcml.model import (
    EnforcementLevel,
    Finding,
    FindingKind,
    Findings,
    LockInfo,
    PackRef,
    SourceLocation,
    StackReport,
    Verdict,
)
from cdcml.report.terminal import printable

__all__ = ["render_text", "shard_line"]

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
    head.append(printable(f.policy), style="bold")
    if f.severity:
        head.append(f"  [{printable(str(f.severity))}]", style="dim")
    return head


def _finding_lines(f: Finding) -> list[RenderableType]:
    # The first line of a violation is the policy's description; show the specific part.
    lines = f.message.split("\n", 1)
    detail = lines[1] if f.kind is FindingKind.VIOLATION and len(lines) > 1 else f.message
    if f.kind is FindingKind.VIOLATION and len(lines) == 1:
        detail = f.description
    return [
        Padding(finding_head(f, _mark(f)), (0, 0, 0, 2), expand=False),
        Padding(Text(printable(detail, lines=True)), (0, 0, 0, 17), expand=False),
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
    sources: Mapping[str, SourceLocation] | None = None,
) -> None:
    """The body of a one-stack report: the findings grouped by resource (in evaluation
    order, stack policies last) — each resource with the program's ``file:line`` that
    declared it, when *sources* has it — each finding rendered by *lines*; then
    remediations and notes."""
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
            header.append(printable(urn.rsplit("::", 1)[-1]), style="bold")
            header.append(f"  {printable(types.get(urn) or items[0][1].resource_type)}", style="dim")
        else:
            header.append("stack", style="bold")
            header.append("  (stack policies)", style="dim")
        console.print(header)
        source = sources.get(urn) if sources and urn else None
        if source is not None:
            console.print(Text(f"  declared at {printable(str(source))}", style="dim"), soft_wrap=True)
        for i, f in items:
            for line in lines(i, f):
                console.print(line)

    if findings.remediations:
        console.print()
        console.print(Text("Remediations (reported, not applied):", style="bold"))
        for rem in findings.remediations:
            line = Text("  ")
            line.append(printable(rem.policy), style="bold")
            changed = printable(", ".join(rem.changed)) or "nothing"
            line.append(f" would change {changed} of {printable(rem.urn.rsplit('::', 1)[-1])}")
            console.print(line)

    if diagnostics:
        console.print()
        for d in diagnostics:
            console.print(Text(f"note: {printable(d)}", style="dim"))


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


def _render_preview(verdict: Verdict, report: StackReport, console: Console, show_not_applicable: bool) -> None:
    """A program's findings: the title, the grouped body (waived findings marked, with
    their waiver), expired waivers, the summary line."""
    findings = report.findings
    title = Text()
    title.append("cdcml preview ", style="bold")
    title.append(printable(f"{findings.project}/{findings.stack}"))
    title.append(f"  ({printable(findings.source)})  ", style="dim")
    title.append(_packs(findings.packs))
    console.print(title)

    def lines(i: int, f: Finding) -> list[RenderableType]:
        if report.waivers.get(i) is None:
            return _finding_lines(f)
        return [Padding(_finding_block(report, i, f), (0, 0, 0, 2))]

    render_findings(
        findings,
        console,
        lines,
        diagnostics=report.graph.diagnostics,
        show_not_applicable=show_not_applicable,
        waived=report.waived,
        sources=report.sources,
    )
    _render_tail(verdict, report, console)


_WAIVED = ("◌ waived   ", "magenta")


def _packs(packs: Sequence[PackRef]) -> str:
    return printable(", ".join(f"{p.name}@{p.version}" for p in packs))


def _state_mark(report: StackReport, i: int, f: Finding) -> tuple[str, str]:
    if f.kind is FindingKind.VIOLATION:
        if report.waived(i):
            return _WAIVED
        return MARKS["mandatory" if f.is_mandatory_violation else "advisory"]
    return MARKS[str(f.kind)]


def _summary_text(report: StackReport) -> Text:
    return summary_text(report.findings.resource_count, report.counts(), report.exit_code)


def _lock_text(locks: Sequence[LockInfo]) -> Text:
    t = Text("update in progress: ", style="bold yellow")
    t.append(printable("; ".join(lock.describe() for lock in locks)))
    t.append(" — the findings are for the last saved checkpoint", style="dim")
    return t


def _finding_block(report: StackReport, i: int, f: Finding) -> RenderableType:
    body: list[RenderableType] = [
        finding_head(f, _state_mark(report, i, f)),
        Padding(Text(printable(f.detail, lines=True)), (0, 0, 0, 15)),
    ]
    match = report.waivers.get(i)
    if match is not None:
        w = match.waiver
        note = (
            f"waived by {w.owner} until {w.expires}: {w.reason}"
            if match.active
            else f"waiver #{w.index} of {w.owner} expired on {w.expires}: not waived"
        )
        body.append(Padding(Text(printable(note), style="magenta" if match.active else "bold red"), (0, 0, 0, 15)))
    return Group(*body)


def _render_one(verdict: Verdict, report: StackReport, console: Console, show_not_applicable: bool) -> None:
    title = Text()
    title.append(f"cdcml {verdict.command} ", style="bold")
    title.append(printable(report.name))
    title.append(f"  ({report.findings.source}: {printable(report.location)})  ", style="dim")
    title.append(_packs(verdict.packs))
    console.print(title)
    if report.locks:
        console.print(_lock_text(report.locks), soft_wrap=True)
    render_findings(
        report.findings,
        console,
        lambda i, f: [Padding(_finding_block(report, i, f), (0, 0, 0, 2))],
        diagnostics=report.graph.diagnostics,
        show_not_applicable=show_not_applicable,
        waived=report.waived,
        sources=report.sources,
    )


def _render_many(verdict: Verdict, console: Console) -> None:
    title = Text()
    title.append(f"cdcml {verdict.command} ", style="bold")
    title.append(printable(verdict.source))
    title.append("  ")
    title.append(_packs(verdict.packs))
    console.print(title)
    if verdict.shard is not None:
        console.print(Text(shard_line(verdict), style="dim"), soft_wrap=True)
    width = max((len(printable(s.name)) for s in verdict.stacks), default=0)
    for report in verdict.stacks:
        console.print()
        line = Text()
        line.append(printable(report.name).ljust(width), style="bold")
        line.append("  ")
        line.append_text(_summary_text(report))
        console.print(line, soft_wrap=True)
        if report.locks:
            lock = Text("  ")
            lock.append_text(_lock_text(report.locks))
            console.print(lock, soft_wrap=True)
        shown = [
            (i, f)
            for i, f in enumerate(report.findings.findings)
            if f.kind is FindingKind.VIOLATION or report.waivers.get(i) is not None
        ]
        for i, f in sort_findings(shown, report.waived):
            label, style = _state_mark(report, i, f)
            item = Text("  ")
            item.append(label, style=style)
            item.append("  ")
            item.append(printable(f.policy), style="bold")
            item.append("  ")
            item.append(printable(f.urn.rsplit("::", 1)[-1]) if f.urn else "stack")
            item.append(": ")
            item.append(printable(f.detail.split("\n", 1)[0]))
            console.print(item, soft_wrap=True)


def shard_line(verdict: Verdict) -> str:
    """What part of the backend a sharded run audited (``""`` for a whole run)."""
    shard = verdict.shard
    if shard is None:
        return ""
    of = f"shard {shard.index}/{shard.count} of the backend's {shard.total} stack{'s' if shard.total != 1 else ''}"
    if not verdict.stacks:
        return f"{of}: no stack falls in this shard — an empty verdict"
    return f"{of}: {len(verdict.stacks)} in this shard (cdcml report merge joins the shards' JSON reports)"


def _render_state(verdict: Verdict, console: Console, show_not_applicable: bool) -> None:
    """The human report: every finding of one stack, or one summary line per stack (with
    its violations) for many; then expired waivers and the total."""
    one = verdict.single
    if one is not None:
        _render_one(verdict, one, console, show_not_applicable)
    else:
        _render_many(verdict, console)

    _render_tail(verdict, one, console)


def _render_tail(verdict: Verdict, one: StackReport | None, console: Console) -> None:
    """Expired waivers, the rule, and the summary of one stack or the total of many."""
    if verdict.expired_waivers:
        console.print()
        for w in verdict.expired_waivers:
            note = Text("✖ expired waiver ", style="bold red")
            note.append(printable(f"#{w.index} ({w.policy} on {w.urn}, owner {w.owner}) expired on {w.expires}: "))
            note.append("renew it or remove it from the waiver file")
            console.print(note, soft_wrap=True)

    console.print()
    console.print(Rule(style="dim"))
    if one is not None:
        summary = _summary_text(one)
        if verdict.expired_waivers and not one.exit_code:
            summary = Text(summary.plain.rsplit(" — ", 1)[0] + " — ")
            summary.append("FAIL (expired waivers)", style="bold red")
        console.print(summary, soft_wrap=True)
        return
    t = verdict.totals()
    locked = f" ({t['locked']} with an update in progress)" if t["locked"] else ""
    total = counts_text(f"{t['stacks']} stacks{locked}, {t['resources']} resources, ", t)
    failing = sum(1 for s in verdict.stacks if s.exit_code)
    total.append(" — ")
    if verdict.exit_code:
        why = f"{failing} stack(s) failing" if failing else "expired waivers"
        total.append(f"FAIL ({why})", style="bold red")
    else:
        total.append("PASS", style="bold green")
    console.print(total, soft_wrap=True)


def render_text(verdict: Verdict, console: Console, *, show_not_applicable: bool = False) -> None:
    """The human report of *verdict*: a program's findings grouped by resource (``cdcml
    preview``); for stored state the same per stack with waivers, baselines and locks, or
    one summary line per stack for a whole backend; then expired waivers and the total."""
    one = verdict.single
    if verdict.command == "preview" and one is not None:
        _render_preview(verdict, one, console, show_not_applicable)
    else:
        _render_state(verdict, console, show_not_applicable)
