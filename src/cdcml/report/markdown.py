"""Markdown: a pull-request comment summarising an audit or a preview.

A headline verdict, one table row per stack, then per stack a collapsible table of its
violations (mandatory first), waived findings marked as waived, and a line on
remediations, updates in progress, expired waivers and the baseline. It stays under the
size a GitHub comment allows (65,536 characters): past ``limit`` the rest of the
findings are counted, not listed.
"""

from __future__ import annotations

import re

from cdcml.model import Finding, FindingKind, StackReport, Verdict
from cdcml.report.terminal import printable
from cdcml.report.text import shard_line

__all__ = ["COMMENT_LIMIT", "verdict_to_markdown"]

COMMENT_LIMIT = 60_000


_ESCAPES = {"\\": "\\\\", "|": "\\|", "<": "&lt;", ">": "&gt;", "&": "&amp;"}
_SPECIAL = re.compile(
    r"[\\|<>`*~]"  # escapes, cells, HTML, code spans, emphasis, strikethrough
    r"|&(?=#?\w+;)"  # an entity (shown as typed, not decoded)
    r"|\](?=\()"  # the end of a link's or image's text
    r"|(?<![^\W_])_|_(?![^\W_])"  # an underscore that could open or close emphasis
)


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    return _ESCAPES.get(c) or "\\" + c


def _one_line(text: str) -> str:
    """*text* on one line, control characters shown as escapes (``\\x1b``)."""
    return printable(" ".join(text.split()))


def _cell(text: str, limit: int = 300) -> str:
    """*text* as plain text in a table cell (or HTML): nothing in it is markup, nothing
    ends the cell or the row."""
    text = _one_line(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _SPECIAL.sub(_escape, text)


def _code(text: str) -> str:
    """*text* as a code span in a table cell: a fence longer than any run of backticks in it."""
    text = _one_line(text).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _status(report: StackReport) -> str:
    status = "❌ fail" if report.exit_code else "✅ pass"
    if report.locks:
        status += " · 🔒 update in progress"
    return status


def _label(report: StackReport, i: int, f: Finding) -> str:
    if report.waived(i):
        return "◌ waived"
    if f.is_mandatory_violation:
        return "❌ mandatory"
    return "⚠️ advisory"


def _stack_section(report: StackReport, budget: int) -> list[str]:
    c = report.counts()
    items = [(i, f) for i, f in enumerate(report.findings.findings) if f.kind is FindingKind.VIOLATION]
    items.sort(key=lambda it: (report.waived(it[0]), not it[1].is_mandatory_violation, it[1].policy))
    lines: list[str] = []
    summary = f"{c['mandatory']} mandatory, {c['advisory']} advisory"
    if c["waived"]:
        summary += f", {c['waived']} waived"
    lines.append(f"<details{' open' if report.exit_code else ''}>")
    lines.append(f"<summary><b>{_cell(report.name)}</b>: {summary}</summary>")
    lines.append("")
    for lock in report.locks:
        lines.append(f"> 🔒 Update in progress: {_cell(lock.describe())}. Findings are for the last saved checkpoint.")
        lines.append("")
    if items:
        lines.append("| | Policy | Resource | Severity | Finding |")
        lines.append("|---|---|---|---|---|")
        used = sum(len(x) + 1 for x in lines)
        for n, (i, f) in enumerate(items):
            resource = _code(f.urn.rsplit("::", 1)[-1]) + f"<br>{_code(f.resource_type)}" if f.urn else "_stack_"
            detail = _cell(f.detail)
            match = report.waivers.get(i)
            if match is not None:
                w = match.waiver
                if match.active:
                    detail += f"<br>_waived by {_cell(w.owner, 80)} until {w.expires}: {_cell(w.reason, 200)}_"
                else:
                    detail += f"<br>**waiver #{w.index} expired on {w.expires}**"
            sev = str(f.severity) or "—"
            row = f"| {_label(report, i, f)} | {_code(f.policy)} | {resource} | {sev} | {detail} |"
            if used + len(row) + 200 > budget:
                lines.append(f"| | … {len(items) - n} more | | | see the SARIF or JSON report |")
                break
            used += len(row) + 1
            lines.append(row)
        lines.append("")
    else:
        lines.append("No violations.")
        lines.append("")
    extra = []
    if c["unknown"]:
        extra.append(f"{c['unknown']} polic(ies) could not run (values unknown)")
    if c["remediations"]:
        extra.append(f"{c['remediations']} remediation(s) reported, not applied")
    if report.baselined:
        extra.append(f"{report.baselined} finding(s) already in the baseline are not shown")
    if extra:
        lines.append("_" + "; ".join(extra) + "._")
        lines.append("")
    lines.append("</details>")
    lines.append("")
    return lines


def verdict_to_markdown(verdict: Verdict, *, limit: int = COMMENT_LIMIT) -> str:
    """The Markdown summary of *verdict*, at most about *limit* characters."""
    t = verdict.totals()
    status = "❌ FAIL" if verdict.exit_code else "✅ PASS"
    packs = ", ".join(_code(f"{p.name}@{p.version}") for p in verdict.packs)
    head = [f"### cdcml {verdict.command}: {status}", ""]
    facts = [
        f"**{t['stacks']}** stack{'s' if t['stacks'] != 1 else ''}",
        f"{t['resources']} resources",
        f"**{t['mandatory']}** mandatory",
        f"{t['advisory']} advisory",
        f"{t['unknown']} unknown",
    ]
    if t["waived"]:
        facts.append(f"{t['waived']} waived")
    if t["baselined"]:
        facts.append(f"{t['baselined']} in the baseline")
    head.append(" · ".join(facts) + f" — packs: {packs}")
    head.append("")
    if verdict.shard is not None:
        head.append(f"_{_cell(shard_line(verdict))}._")
        head.append("")
    if verdict.expired_waivers:
        for w in verdict.expired_waivers:
            head.append(
                f"> ❌ **Expired waiver #{w.index}**: {_code(w.policy)} on {_code(w.urn)} "
                f"(owner {_cell(w.owner, 80)}) expired on {w.expires}. Renew it or remove it."
            )
        head.append("")
    head.append("| Stack | Resources | Mandatory | Advisory | Unknown | Waived | Status |")
    head.append("|---|---:|---:|---:|---:|---:|---|")
    for s in verdict.stacks:
        c = s.counts()
        head.append(
            f"| {_code(s.name)} | {s.findings.resource_count} | {c['mandatory']} | {c['advisory']} | "
            f"{c['unknown']} | {c['waived']} | {_status(s)} |"
        )
    head.append("")
    out = "\n".join(head)
    omitted = 0
    for report in verdict.stacks:
        budget = limit - len(out) - 300
        if budget < 1000:
            omitted += 1
            continue
        out += "\n".join(_stack_section(report, budget)) + "\n"
    if omitted:
        out += f"\n_{omitted} stack section(s) omitted to fit a comment; see the SARIF or JSON report._\n"
    src = verdict.source
    out += f"\n<sub>cdcml {verdict.command} of {_code(src)}</sub>\n"
    return out
