"""Renderers of an :class:`~cdcml.engine.audit.Audit`: the JSON report (one stack report,
or a ``stacks`` document for a whole backend) and the human report of ``policy analyze``.

Both know what the one-stack renderers don't: waived findings (shown, not counted),
baselined findings (left out, counted), locks of an update in progress, expired waivers.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from cdcml import __version__
from cdcml.engine.audit import Audit, StackReport
from cdcml.engine.backends import LockInfo
from cdcml.errors import CdcmlError
from cdcml.model import Finding, FindingKind
from cdcml.report.json_report import findings_to_json
from cdcml.report.text import MARKS, counts_text, finding_head, render_findings, sort_findings, summary_text

__all__ = [
    "audit_to_json",
    "finding_detail",
    "lock_to_json",
    "render_audit_text",
    "report_path_problem",
    "stack_to_json",
    "write_reports",
]


def finding_detail(f: Finding) -> str:
    """The policy-specific part of a finding's message (a violation's message is
    ``description + "\\n" + message``)."""
    lines = f.message.split("\n", 1)
    if f.kind is FindingKind.VIOLATION:
        return lines[1] if len(lines) > 1 and lines[1].strip() else f.description
    return f.message


def lock_to_json(lock: LockInfo) -> dict[str, Any]:
    return {
        "key": lock.key,
        "owner": lock.username,
        "hostname": lock.hostname,
        "pid": lock.pid,
        "timestamp": lock.timestamp,
    }


def _one_stack(audit: Audit) -> StackReport | None:
    """The stack of a one-stack report; ``None`` when the report is a ``stacks`` report."""
    return audit.stacks[0] if not audit.multi and len(audit.stacks) == 1 else None


def stack_to_json(report: StackReport, audit: Audit) -> dict[str, Any]:
    """One stack's report: the documented one-stack shape plus waivers, baseline counts,
    where the state came from and any lock."""
    doc = findings_to_json(report.findings, command=audit.command, graph=report.graph)
    for i, item in enumerate(doc["findings"]):
        match = report.waivers.get(i)
        if match is not None:
            item["waiver"] = match.to_json()
    counts = report.counts()
    summary = doc["summary"]
    summary["mandatory"] = counts["mandatory"]
    summary["advisory"] = counts["advisory"]
    if audit.waivers or counts["waived"]:
        summary["waived"] = counts["waived"]
    if report.baselined:
        summary["baselined"] = report.baselined
    summary["exitCode"] = report.exit_code
    if audit.command == "policy analyze":
        doc["state"] = {"location": report.location}
        if report.locks:
            doc["locks"] = [lock_to_json(lock) for lock in report.locks]
    return doc


def audit_to_json(audit: Audit) -> dict[str, Any]:
    """The JSON report of *audit*: a stack report for one stack, a ``stacks`` document for
    a run over a backend (validated against ``findings.schema.json``)."""
    one = _one_stack(audit)
    if one is not None:
        doc = stack_to_json(one, audit)
        if audit.expired_waivers:
            doc["expiredWaivers"] = [w.to_json() for w in audit.expired_waivers]
        if audit.warnings:
            doc["warnings"] = list(audit.warnings)
        doc["summary"]["exitCode"] = audit.exit_code
        return doc
    t = audit.totals()
    return {
        "version": 1,
        "tool": {"name": "cdcml", "version": __version__},
        "command": "policy analyze",
        "source": audit.source,
        "packs": [{"name": p.name, "version": p.version} for p in audit.packs],
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
            "exitCode": audit.exit_code,
        },
        "expiredWaivers": [w.to_json() for w in audit.expired_waivers],
        "warnings": list(audit.warnings),
        "stacks": [stack_to_json(s, audit) for s in audit.stacks],
    }


# --------------------------------------------------------------------------- text

_WAIVED = ("◌ waived   ", "magenta")


def _mark(report: StackReport, i: int, f: Finding) -> tuple[str, str]:
    if f.kind is FindingKind.VIOLATION:
        if report.waived(i):
            return _WAIVED
        return MARKS["mandatory" if f.is_mandatory_violation else "advisory"]
    return MARKS[str(f.kind)]


def _summary_text(report: StackReport) -> Text:
    return summary_text(len(report.findings.evaluated), report.counts(), report.exit_code)


def _lock_text(locks: Sequence[LockInfo]) -> Text:
    t = Text("update in progress: ", style="bold yellow")
    t.append("; ".join(lock.describe() for lock in locks))
    t.append(" — the findings are for the last saved checkpoint", style="dim")
    return t


def _finding_block(report: StackReport, i: int, f: Finding) -> RenderableType:
    body: list[RenderableType] = [finding_head(f, _mark(report, i, f)), Padding(Text(finding_detail(f)), (0, 0, 0, 15))]
    match = report.waivers.get(i)
    if match is not None:
        w = match.waiver
        note = (
            f"waived by {w.owner} until {w.expires}: {w.reason}"
            if match.active
            else f"waiver #{w.index} of {w.owner} expired on {w.expires}: not waived"
        )
        body.append(Padding(Text(note, style="magenta" if match.active else "bold red"), (0, 0, 0, 15)))
    return Group(*body)


def _render_one(audit: Audit, report: StackReport, console: Console, show_not_applicable: bool) -> None:
    title = Text()
    title.append(f"cdcml {audit.command} ", style="bold")
    title.append(report.name)
    title.append(f"  ({report.findings.source}: {report.location})  ", style="dim")
    title.append(", ".join(f"{p.name}@{p.version}" for p in audit.packs))
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
    )


def _render_many(audit: Audit, console: Console) -> None:
    title = Text()
    title.append(f"cdcml {audit.command} ", style="bold")
    title.append(audit.source)
    title.append("  ")
    title.append(", ".join(f"{p.name}@{p.version}" for p in audit.packs))
    console.print(title)
    width = max((len(s.name) for s in audit.stacks), default=0)
    for report in audit.stacks:
        console.print()
        line = Text()
        line.append(report.name.ljust(width), style="bold")
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
            label, style = _mark(report, i, f)
            item = Text("  ")
            item.append(label, style=style)
            item.append("  ")
            item.append(f.policy, style="bold")
            item.append("  ")
            item.append(f.urn.rsplit("::", 1)[-1] if f.urn else "stack")
            item.append(": ")
            item.append(finding_detail(f).split("\n", 1)[0])
            console.print(item, soft_wrap=True)


def render_audit_text(audit: Audit, console: Console, *, show_not_applicable: bool = False) -> None:
    """The human report: every finding of one stack, or one summary line per stack (with
    its violations) for many; then expired waivers and the total."""
    one = _one_stack(audit)
    if one is not None:
        _render_one(audit, one, console, show_not_applicable)
    else:
        _render_many(audit, console)

    if audit.expired_waivers:
        console.print()
        for w in audit.expired_waivers:
            note = Text("✖ expired waiver ", style="bold red")
            note.append(f"#{w.index} ({w.policy} on {w.urn}, owner {w.owner}) expired on {w.expires}: ")
            note.append("renew it or remove it from the waiver file")
            console.print(note, soft_wrap=True)

    console.print()
    console.print(Rule(style="dim"))
    if one is not None:
        summary = _summary_text(one)
        if audit.expired_waivers and not one.exit_code:
            summary = Text(summary.plain.rsplit(" — ", 1)[0] + " — ")
            summary.append("FAIL (expired waivers)", style="bold red")
        console.print(summary, soft_wrap=True)
        return
    t = audit.totals()
    locked = f" ({t['locked']} with an update in progress)" if t["locked"] else ""
    total = counts_text(f"{t['stacks']} stacks{locked}, {t['resources']} resources, ", t)
    failing = sum(1 for s in audit.stacks if s.exit_code)
    total.append(" — ")
    if audit.exit_code:
        why = f"{failing} stack(s) failing" if failing else "expired waivers"
        total.append(f"FAIL ({why})", style="bold red")
    else:
        total.append("PASS", style="bold green")
    console.print(total, soft_wrap=True)


# --------------------------------------------------------------------------- report files


def report_path_problem(option: str, path: Path | None) -> str | None:
    """Why a report can't be written at *path* (checked before any work), or ``None``."""
    if path is None:
        return None
    if path.is_dir():
        return f"{option} {path}: is a directory"
    parent = path.parent
    if not parent.is_dir():
        return f"{option} {path}: directory {parent} does not exist"
    return None


def _atomic_write(path: Path, data: bytes, option: str) -> None:
    """Write *data* to *path* through a temporary file: a reader never sees half a report."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise CdcmlError(f"can't write the {option} report {path}: {e.strerror}") from None


def write_reports(
    audit: Audit,
    *,
    sarif: Path | None = None,
    junit: Path | None = None,
    markdown: Path | None = None,
) -> None:
    """Render every requested report in memory, then write each file atomically."""
    from cdcml.report.junit import audit_to_junit
    from cdcml.report.markdown import audit_to_markdown
    from cdcml.report.sarif import audit_to_sarif

    rendered: list[tuple[Path, bytes, str]] = []
    if sarif is not None:
        rendered.append((sarif, (json.dumps(audit_to_sarif(audit), indent=2) + "\n").encode("utf-8"), "--sarif"))
    if junit is not None:
        rendered.append((junit, audit_to_junit(audit), "--junit"))
    if markdown is not None:
        rendered.append((markdown, audit_to_markdown(audit).encode("utf-8"), "--markdown"))
    for path, data, option in rendered:
        _atomic_write(path, data, option)
