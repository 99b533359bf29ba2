"""The command groups and the helpers every command shares: exit codes, the one-line
error, warnings and progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any, NoReturn

import click

from cdcml import __version__

__all__ = [
    "EXIT_INPUT",
    "EXIT_MANDATORY",
    "EXIT_OK",
    "fail",
    "main",
    "one_line",
    "policy",
    "print_warnings",
    "progress_display",
    "report",
    "stderr_console",
]

EXIT_OK, EXIT_MANDATORY, EXIT_INPUT = 0, 1, 2


def one_line(text: str) -> str:
    """*text* on one line, its control characters escaped (it may quote a crafted name or path)."""
    from cdcml.report.terminal import printable

    return printable(" ".join(text.split()))


def fail(message: str) -> NoReturn:
    click.echo(f"cdcml: error: {one_line(message)}", err=True)
    sys.exit(EXIT_INPUT)


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def print_warnings(warnings: Iterable[str]) -> None:
    """Each warning as one line on stderr, as plain text (never markup), control characters escaped."""
    from rich.text import Text

    from cdcml.report.terminal import printable

    warn = stderr_console()
    for w in warnings:
        line = Text("warning:", style="yellow")
        line.append(f" {printable(w)}")
        warn.print(line, highlight=False, soft_wrap=True)  # one line each, however long


def progress_display(enabled: bool) -> Any:
    """A transient progress display on stderr, only when stderr is a terminal. Task
    descriptions are plain text (not markup); escape what they quote with ``printable``."""
    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
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
    """Policy packs and the guardrail catalogue: ls, docs, analyze, new, validate-config."""


@main.group()
def report() -> None:
    """Reports of earlier runs: merge the shards of a sharded audit."""
