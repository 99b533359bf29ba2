"""The ``cdcml`` command line. Thin: it parses flags, calls a run, renders its verdict.

Exit codes: 0 clean or advisory only; 1 a mandatory violation; 2 bad input or usage
(one line on stderr, never a traceback).

Each command lives in its own module and attaches itself to the ``main`` or ``policy``
group of :mod:`cdcml.cli.base`; importing them here registers them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from cdcml.cli import policy_analyze, policy_catalogue, policy_pack, preview, report_merge, verify
from cdcml.cli.base import EXIT_INPUT, EXIT_MANDATORY, EXIT_OK, fail, main, one_line, policy
from cdcml.cli.scrubbing import scrubbed_output
from cdcml.errors import CdcmlError

__all__ = ["EXIT_INPUT", "EXIT_MANDATORY", "EXIT_OK", "entry", "fail", "main", "policy", "run"]

_COMMANDS = (policy_analyze, policy_catalogue, policy_pack, preview, report_merge, verify)


def run(argv: Sequence[str] | None = None) -> int:
    """Entry point with the exit-code contract, usable from tests. Everything the command
    prints passes through the run's secret scrubber."""
    with scrubbed_output():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    try:
        main.main(args=list(argv) if argv is not None else None, prog_name="cdcml", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as e:
        click.echo(e.ctx.get_help() if e.ctx else str(e))
        return EXIT_INPUT
    except click.UsageError as e:
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx is not None else ""
        click.echo(f"cdcml: error: {one_line(e.format_message())}{hint}", err=True)
        return EXIT_INPUT
    except click.Abort:
        click.echo("cdcml: aborted", err=True)
        return 130
    except SystemExit as e:
        return int(e.code or 0) if not isinstance(e.code, str) else EXIT_INPUT
    except CdcmlError as e:
        # Every command lets its input errors come here: one line, exit code 2.
        click.echo(f"cdcml: error: {one_line(e.message)}", err=True)
        return EXIT_INPUT
    except Exception as e:
        if os.environ.get("CDCML_DEBUG"):
            raise
        click.echo(
            f"cdcml: internal error: {type(e).__name__}: {one_line(str(e))} (set CDCML_DEBUG=1 for the traceback)",
            err=True,
        )
        return EXIT_INPUT
    return EXIT_OK


def entry() -> None:
    sys.exit(run())
