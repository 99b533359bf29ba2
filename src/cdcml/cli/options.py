"""Options shared by the commands that run packs (``preview``, ``policy analyze``) or
capture programs (``preview``, ``verify``), declared once, and the one way they end:
render the verdict, write the reports, exit.

The report options come from the table of formats (:data:`cdcml.report.formats.FORMATS`):
a new format needs no change here.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from cdcml.cli.base import fail, print_warnings
from cdcml.model import RunInput, Verdict
from cdcml.report.formats import FORMATS

__all__ = ["Output", "acceptance_options", "answers_options", "emit", "output_options", "pack_options"]

F = TypeVar("F", bound=Callable[..., Any])


def pack_options(f: F) -> F:
    """``--policy-pack DIR`` and ``--policy-pack-config FILE``, both repeatable (as
    ``pack_dirs`` and ``config_files``)."""
    f = click.option(
        "--policy-pack-config",
        "config_files",
        multiple=True,
        type=click.Path(path_type=Path),
        metavar="[NAME=]FILE",
        help="JSON config for the --policy-pack at the same position, or with NAME= for the pack named NAME "
        "(repeatable).",
    )(f)
    return click.option(
        "--policy-pack",
        "pack_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        metavar="DIR",
        help="Run this Python CrossGuard pack (repeatable). Default: policies/cdc-ml-guardrails of the project "
        "(or a directory above it), else the guardrails that come with cdcml.",
    )(f)


def acceptance_options(f: F) -> F:
    """``--waivers FILE`` and ``--baseline FILE`` (as ``waiver_file`` and ``baseline``):
    the findings a team has accepted or already knows about."""
    f = click.option(
        "--baseline",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="A previous --json report: report only findings it doesn't have.",
    )(f)
    return click.option(
        "--waivers",
        "waiver_file",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="Accepted risks (YAML or JSON): waived findings are shown, not counted; an expired waiver fails the run.",
    )(f)


def answers_options(f: F) -> F:
    """``--invokes FILE`` and ``--stack-reference NAME=SOURCE`` (repeatable), as
    ``invokes_file`` and ``stack_references``: what a capture can't learn offline
    (:mod:`cdcml.runs.answers`)."""
    f = click.option(
        "--stack-reference",
        "stack_references",
        multiple=True,
        metavar="NAME=SOURCE",
        help="The outputs of the stack a StackReference NAME (org/project/stack) reads: a `pulumi stack export` "
        "file, or a backend URL (file://, s3://, azblob://) holding stack NAME (repeatable).",
    )(f)
    return click.option(
        "--invokes",
        "invokes_file",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="Answers to provider functions (invokes) the program calls, in YAML or JSON (format in the README); "
        "an invoke nothing answers is unknown.",
    )(f)


@dataclass(frozen=True)
class Output:
    """What a command prints (text or JSON) and which report files it writes."""

    as_json: bool
    reports: Mapping[str, Path | None]
    show_not_applicable: bool

    def check(self, inputs: Sequence[RunInput] = ()) -> None:
        """Exit 2 before any work when a report file can't be written where it is asked
        for: it can't be written there, or it would overwrite one of the run's *inputs* or
        another report."""
        from cdcml.report.files import report_paths_problem

        problem = report_paths_problem(self.reports, inputs)
        if problem:
            fail(problem)


def output_options(f: F) -> F:
    """``--json``, one ``--<format> FILE`` per report format, ``--show-not-applicable``;
    the command receives them as one ``output: Output`` argument."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        output = Output(
            as_json=kwargs.pop("as_json"),
            reports={fmt.name: kwargs.pop(fmt.name) for fmt in FORMATS},
            show_not_applicable=kwargs.pop("show_not_applicable"),
        )
        return f(*args, output=output, **kwargs)

    decorated: Any = click.option(
        "--show-not-applicable", is_flag=True, help="Also list policies that declared themselves n/a."
    )(command)
    for fmt in reversed(FORMATS):
        decorated = click.option(
            fmt.option, type=click.Path(path_type=Path), metavar="FILE", help=f"Write {fmt.title}."
        )(decorated)
    decorated = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print the JSON report instead of text (shape documented in the README).",
    )(decorated)
    return decorated


def emit(verdict: Verdict, output: Output) -> NoReturn:
    """Render and write every report before anything is printed (a failure leaves no
    output that looks complete), print the warnings and the report, exit with the verdict's code."""
    from rich.console import Console

    from cdcml.report.files import write_reports
    from cdcml.report.json_report import verdict_to_json
    from cdcml.report.terminal import without_trailing_spaces
    from cdcml.report.text import render_text

    doc: Any = verdict_to_json(verdict) if output.as_json else None
    write_reports(verdict, output.reports)
    print_warnings(verdict.warnings)
    if doc is not None:
        click.echo(json.dumps(doc, indent=2))
    else:
        console = Console(highlight=False)
        with console.capture() as text:
            render_text(verdict, console, show_not_applicable=output.show_not_applicable)
        sys.stdout.write(without_trailing_spaces(text.get()))
        if any(s.mandatory for s in verdict.stacks):
            click.echo(TUNING_HINT, err=True)
    sys.exit(verdict.exit_code)


TUNING_HINT = (
    "hint: --waivers FILE accepts a finding; --policy-pack-config FILE changes a policy's level or settings "
    "(see cdcml policy docs)"
)
"""Printed on stderr after a text report that fails on a mandatory violation."""
