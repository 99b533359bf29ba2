"""The ``cdcml`` command line. Thin: it parses flags, calls the engine, renders a report.

Exit codes: 0 clean or advisory only; 1 a mandatory violation; 2 bad input or usage
(one line on stderr, never a traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, NoReturn

import click

from cdcml import __version__
from cdcml.errors import CdcmlError

__all__ = ["EXIT_INPUT", "EXIT_MANDATORY", "EXIT_OK", "entry", "fail", "main", "policy", "run"]

EXIT_OK, EXIT_MANDATORY, EXIT_INPUT = 0, 1, 2


def _one_line(text: str) -> str:
    return " ".join(text.split())


def fail(message: str) -> NoReturn:
    click.echo(f"cdcml: error: {_one_line(message)}", err=True)
    sys.exit(EXIT_INPUT)


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def check_report_paths(*, sarif: Path | None, junit: Path | None, markdown: Path | None) -> None:
    """Exit 2 before any work when a report file can't be written where it is asked for."""
    from cdcml.report.audit import report_path_problem

    for option, path in (("--sarif", sarif), ("--junit", junit), ("--markdown", markdown)):
        problem = report_path_problem(option, path)
        if problem:
            fail(problem)


def print_warnings(warnings: Iterable[str]) -> None:
    warn = stderr_console()
    for w in warnings:
        warn.print(f"[yellow]warning:[/] {w}", markup=True, highlight=False)


def progress_display(enabled: bool) -> Any:
    """A transient progress display on stderr, only when stderr is a terminal."""
    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cdcml")
def main() -> None:
    """Policy-and-testing framework for Azure CDC → ML stacks written with Pulumi.

    Runs CrossGuard policy packs on Pulumi programs and stack state offline, with the
    verdicts `pulumi preview --policy-pack` would give.
    """


@main.group()
def policy() -> None:
    """Policy packs and the guardrail catalogue: ls, docs, analyze."""


def _register_commands() -> None:
    # Each command lives in its own module and attaches itself to `main` or `policy`.
    from cdcml.cli import policy_analyze, policy_catalogue, preview  # noqa: F401


def run(argv: Sequence[str] | None = None) -> int:
    """Entry point with the exit-code contract, usable from tests."""
    _register_commands()
    try:
        main.main(args=list(argv) if argv is not None else None, prog_name="cdcml", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as e:
        click.echo(e.ctx.get_help() if e.ctx else str(e))
        return EXIT_INPUT
    except click.UsageError as e:
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx is not None else ""
        click.echo(f"cdcml: error: {_one_line(e.format_message())}{hint}", err=True)
        return EXIT_INPUT
    except click.Abort:
        click.echo("cdcml: aborted", err=True)
        return 130
    except SystemExit as e:
        return int(e.code or 0) if not isinstance(e.code, str) else EXIT_INPUT
    except CdcmlError as e:
        # Every command lets its input errors come here: one line, exit code 2.
        click.echo(f"cdcml: error: {_one_line(e.message)}", err=True)
        return EXIT_INPUT
    except Exception as e:
        if os.environ.get("CDCML_DEBUG"):
            raise
        click.echo(
            f"cdcml: internal error: {type(e).__name__}: {_one_line(str(e))} (set CDCML_DEBUG=1 for the traceback)",
            err=True,
        )
        return EXIT_INPUT
    return EXIT_OK


def entry() -> None:
    sys.exit(run())
