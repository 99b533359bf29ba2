"""A clean terminal (issue 11, item 7): control characters in names and messages are shown
escaped, never sent raw; markup in them is not interpreted. And the data formats stay
data: a Markdown cell can't add structure, JUnit stays well-formed XML."""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET

import pytest
from rich.console import Console

from cdcml.cli.base import fail, one_line, print_warnings
from cdcml.model import (
    Artifact,
    Finding,
    LockInfo,
    PackRef,
    Remediation,
    SourceLocation,
    StackReport,
    Verdict,
    Waiver,
    WaiverMatch,
)
from cdcml.report.junit import verdict_to_junit
from cdcml.report.markdown import _cell, _code, verdict_to_markdown
from cdcml.report.terminal import printable
from cdcml.report.text import render_text
from tests.report.conftest import MakeAudit
from tests.report.test_formats import ACTIVE, EXPIRED

EVIL = "\x1b[2K\rPASS"
"""Erase the line, back to its start, and claim a pass."""
SHOWN = "\\x1b[2K\\rPASS"
MARKUP = "[bold red]x[/]"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def test_printable_escapes_every_control_character() -> None:
    assert printable(EVIL) == SHOWN
    assert printable("a\tb\nc\x00\x07\x7f\x85\x9b") == "a\\tb\\nc\\x00\\x07\\x7f\\x85\\x9b"
    assert printable("a\tb\nc\r", lines=True) == "a\tb\nc\\r"
    assert printable("\u202etxt.exe\u2066\u2028\ud800") == "\\u202etxt.exe\\u2066\\u2028\\ud800"
    assert printable("ordinary — text… with ünïcode [brackets] and \\ backslash") == (
        "ordinary — text… with ünïcode [brackets] and \\ backslash"
    )


def _hostile_urn(urn: str) -> str:
    return f"{urn}{EVIL}" if urn else urn


def _hostile_finding(f: Finding) -> Finding:
    return dataclasses.replace(
        f,
        pack=f.pack + EVIL,
        policy=f.policy + EVIL,
        urn=_hostile_urn(f.urn),
        resource_type=f.resource_type + EVIL,
        message=f"{f.message}{EVIL}\n{MARKUP}\x1b]0;retitled\x07",
    )


def _hostile_report(report: StackReport) -> StackReport:
    fs = report.findings
    findings = dataclasses.replace(
        fs,
        project=fs.project + EVIL,
        stack=fs.stack + MARKUP,
        source=fs.source,
        packs=tuple(PackRef(p.name + EVIL, p.version + MARKUP) for p in fs.packs),
        findings=tuple(_hostile_finding(f) for f in fs.findings),
        remediations=(Remediation("p", "1", EVIL, "urn:x::y" + EVIL, "t", "d", {}, (EVIL,)),),
        evaluated=tuple(dataclasses.replace(r, urn=_hostile_urn(r.urn), type=r.type + EVIL) for r in fs.evaluated),
    )
    waiver = Waiver("*", "*", EVIL, f"owner{EVIL}", ACTIVE.expires, 1)
    waivers = {
        i: WaiverMatch(waiver, active=i % 2 == 0) for i, f in enumerate(fs.findings) if f.kind.value == "violation"
    }
    graph = dataclasses.replace(report.graph, diagnostics=(f"note {EVIL}",))
    return dataclasses.replace(
        report,
        findings=findings,
        graph=graph,
        location=report.location + EVIL,
        locks=(LockInfo("k", 1, EVIL, MARKUP),),
        waivers=waivers,
        sources={
            _hostile_urn(f.urn): SourceLocation(Artifact(f"stacks/x{EVIL}{MARKUP}.py", "%SRCROOT%", "file:///r/"), 3)
            for f in fs.findings
            if f.urn
        },
    )


def _hostile(verdict: Verdict, command: str | None = None) -> Verdict:
    expired = dataclasses.replace(EXPIRED, policy=EVIL, urn=EVIL, owner=MARKUP, reason=EVIL)
    return dataclasses.replace(
        verdict,
        command=command or verdict.command,
        source=verdict.source + EVIL,
        stacks=tuple(_hostile_report(s) for s in verdict.stacks),
        packs=tuple(PackRef(p.name + EVIL, p.version) for p in verdict.packs),
        expired_waivers=(expired,),
        warnings=(EVIL,),
    )


def _text(verdict: Verdict, *, color: bool = False) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=200, force_terminal=color, color_system="standard" if color else None)
    render_text(verdict, console, show_not_applicable=True)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("stacks", "command"),
    [
        ((("cdcml", "seed", False),), "preview"),
        ((("cdcml", "seed", False),), "policy analyze"),
        ((("cdcml", "seed", False), ("cdcml", "prod", True)), "policy analyze"),
    ],
    ids=["preview", "one-stack", "many-stacks"],
)
def test_the_text_report_shows_hostile_strings_escaped(
    make_audit: MakeAudit, stacks: tuple[tuple[str, str, bool], ...], command: str
) -> None:
    verdict = _hostile(make_audit(stacks), command)
    out = _text(verdict)
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert SHOWN in out
    assert MARKUP in out  # shown as typed, not interpreted
    assert not [line for line in out.splitlines() if line.lstrip().startswith("PASS")]
    summaries = [line for line in out.splitlines() if re.search(r" — (PASS|FAIL)", line)]
    assert len(summaries) == (1 if len(stacks) == 1 else len(stacks) + 1)  # one per stack, and the total
    assert summaries[-1] == out.rstrip("\n").splitlines()[-1]


def test_on_a_colour_terminal_the_only_escapes_are_rich_styles(make_audit: MakeAudit) -> None:
    out = _text(_hostile(make_audit([("cdcml", "seed", False)]), "policy analyze"), color=True)
    assert SGR.search(out), "styles are on"
    assert "\x1b" not in SGR.sub("", out)


def test_every_field_of_the_text_report_is_escaped(make_audit: MakeAudit) -> None:
    """Each hostile field shows up escaped where the report shows it."""
    one = _text(_hostile(make_audit([("cdcml", "seed", False)]), "policy analyze"))
    for shown in (
        f"cdcml{SHOWN}/seed{MARKUP}",  # project and stack
        f"owner{SHOWN}",  # a waiver's owner
        f"{SHOWN}@{MARKUP}",  # a lock's owner and host
        f"note {SHOWN}",  # a capture note
        f"would change {SHOWN} of y{SHOWN}",  # a remediation's keys and resource
        f"#2 ({SHOWN} on {SHOWN}, owner {MARKUP})",  # an expired waiver
    ):
        assert shown in one, shown
    preview = _text(_hostile(make_audit([("cdcml", "seed", False)]), "preview"))
    assert f"audit-test{SHOWN}@1.0.0{MARKUP}" in preview  # the pack's name and version
    assert f"  declared at stacks/x{SHOWN}{MARKUP}.py:3" in preview.splitlines()  # where the program declared it


def test_warnings_and_errors_on_stderr_are_escaped_plain_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    print_warnings([f"{EVIL} {MARKUP}"])
    _, err = capsys.readouterr()
    assert err == f"warning: {SHOWN} {MARKUP}\n"
    # One line: whitespace (a carriage return too) is collapsed, other controls escaped.
    assert one_line(f"can't read {EVIL}\nnext") == "can't read \\x1b[2K PASS next"
    with pytest.raises(SystemExit):
        fail(f"bad {EVIL}")
    assert capsys.readouterr().err == "cdcml: error: bad \\x1b[2K PASS\n"


# --------------------------------------------------------------------------- Markdown


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("a|b\nc <x>", "a\\|b c &lt;x&gt;"),
        ("[click](https://evil.example)", "[click\\](https://evil.example)"),
        ("![pixel](https://evil.example/p.png)", "![pixel\\](https://evil.example/p.png)"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("&lt;script&gt; &#60; R&D", "&amp;lt;script&amp;gt; &amp;#60; R&D"),
        ("**bold** ~~gone~~ `code` _em_", "\\*\\*bold\\*\\* \\~\\~gone\\~\\~ \\`code\\` \\_em\\_"),
        ("SNAKE_CASE_NAME and x[0].y", "SNAKE_CASE_NAME and x[0].y"),
        ("back\\slash \\| escape", "back\\\\slash \\\\\\| escape"),
        (f"{EVIL}\ud800", "\\\\x1b[2K PASS\\\\ud800"),
    ],
)
def test_a_markdown_cell_is_plain_text(text: str, cell: str) -> None:
    assert _cell(text) == cell


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("orders-cdc", "`orders-cdc`"),
        ("a|b", "`a\\|b`"),
        ("a`b", "``a`b``"),
        ("a``b`", "``` a``b` ```"),
        ("`x", "`` `x ``"),
        (f"n\n{EVIL}", "`n \\x1b[2K PASS`"),
    ],
)
def test_a_markdown_code_span_holds_any_name(text: str, code: str) -> None:
    assert _code(text) == code


def test_a_hostile_verdict_is_a_well_formed_markdown_comment(make_audit: MakeAudit) -> None:
    md = verdict_to_markdown(_hostile(make_audit()))
    md.encode("utf-8")  # no lone surrogate, nothing unencodable
    assert "\x1b" not in md and "\r" not in md
    rows = [line for line in md.splitlines() if line.startswith("|")]

    def columns(row: str) -> int:  # pipes GFM splits the row at (not those escaped)
        return sum(token == "|" for token in re.findall(r"\\.|\|", row)) - 1

    assert {columns(r) for r in rows} == {7, 5}  # the stacks table, the findings tables
    assert "`audit-test\\x1b[2K PASS@1.0.0`" in md  # the pack, in a code span


# --------------------------------------------------------------------------- JUnit


def test_a_hostile_verdict_is_well_formed_junit(make_audit: MakeAudit) -> None:
    verdict = _hostile(make_audit())
    verdict = dataclasses.replace(
        verdict,
        expired_waivers=(dataclasses.replace(EXPIRED, policy="p\x00\ud800\x1b", reason="r\udfff"),),
        stacks=tuple(
            dataclasses.replace(s, findings=dataclasses.replace(s.findings, project="proj\ud800", stack="st\x0c"))
            for s in verdict.stacks
        ),
    )
    data = verdict_to_junit(verdict)
    root = ET.fromstring(data)
    names = [s.get("name") for s in root.findall("testsuite")]
    assert "organization/proj\ufffd/st\ufffd" in names
    case = root.find("testsuite[@name='waivers']/testcase")
    assert case is not None and case.get("name") == "waiver #2 p\ufffd\ufffd\ufffd"


def test_rendered_lines_lose_the_padding_rich_adds_and_keep_their_styles():
    """No trailing spaces in text output (issue 15, item 7), plain or styled: the padding
    goes, the closing style codes stay, spaces inside a line stay."""
    from cdcml.report.terminal import without_trailing_spaces

    assert without_trailing_spaces("a  b   \nc\t \n\n  d") == "a  b\nc\n\n  d"
    assert without_trailing_spaces("\x1b[1mbold \x1b[0m   \x1b[0m\n") == "\x1b[1mbold\x1b[0m\x1b[0m\n"
    console = Console(file=io.StringIO(), width=40, force_terminal=True, color_system="standard")
    with console.capture() as text:
        console.print(padded("a long policy message that rich wraps and pads to width"))
    rendered = text.get()
    assert SGR.search(rendered) and re.search(r" +(\x1b\[[0-9;]*m)*$", rendered, re.MULTILINE)
    trimmed = without_trailing_spaces(rendered)
    assert not re.search(r" (\x1b\[[0-9;]*m)*$", trimmed, re.MULTILINE)
    assert SGR.sub("", trimmed).split() == SGR.sub("", rendered).split()


def padded(message: str):
    from rich.padding import Padding
    from rich.text import Text

    return Padding(Text(message, style="bold red"), (0, 0, 0, 4))
