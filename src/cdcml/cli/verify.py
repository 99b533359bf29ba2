"""`cdcml verify`: the laws of a Pulumi project and its packs, checked with Hypothesis."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from cdcml.cli.base import main
from cdcml.cli.options import pack_options
from cdcml.errors import CdcmlError

LAW_NAMES = ("conforms", "sensitive", "robust", "discreet", "deterministic", "monotone", "well-typed")


def _laws(value: str | None) -> list[str]:
    if not value:
        return list(LAW_NAMES)
    laws = [v.strip() for v in value.split(",") if v.strip()]
    for law in laws:
        if law not in LAW_NAMES:
            raise click.BadParameter(f"unknown law {law!r} (laws: {', '.join(LAW_NAMES)})", param_hint="'--laws'")
    return laws


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--stack", "-s", default="dev", show_default=True, help="The stack whose configuration to centre on.")
@click.option(
    "--config", "-c", "config_pairs", multiple=True, metavar="KEY=VALUE", help="Override a value (repeatable)."
)
@pack_options
@click.option("--examples", type=click.IntRange(min=1), default=25, show_default=True, help="Examples per law.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Replay a run exactly (printed by every run).")
@click.option(
    "--laws", "laws_value", metavar="LAW[,LAW…]", help=f"The laws to check (default: all: {', '.join(LAW_NAMES)})."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of the table.")
@click.option(
    "--junit",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write a JUnit XML file (a test case per law).",
)
def verify(
    directory: Path,
    stack: str,
    config_pairs: Sequence[str],
    pack_dirs: Sequence[Path],
    config_files: Sequence[Path],
    examples: int,
    seed: int | None,
    laws_value: str | None,
    as_json: bool,
    junit: Path | None,
) -> None:
    """Check the laws of a project's stack and its policy packs: conforms, sensitive (the
    kill matrix), robust, discreet, deterministic, monotone and well-typed. Exit 0 when
    every law holds, 1 when one fails, 2 on bad input."""
    try:
        import hypothesis  # noqa: F401 - the laws run with it
    except ImportError:
        raise CdcmlError(
            "cdcml verify needs Hypothesis, which is not installed: pip install 'cdcml-guard[testing]'"
        ) from None
    from cdcml.capture.project import load_project, load_stack_config, parse_config_overrides
    from cdcml.report.files import report_path_problem, write_files
    from cdcml.runs.packs import default_pack_dirs, load_packs
    from cdcml.testing.verify import Subject
    from cdcml.testing.verify import verify as run_verify
    from cdcml.testing.verify_report import dumps, verification_json, verification_junit, verification_text

    laws = _laws(laws_value)
    if junit is not None:
        problem = report_path_problem("--junit", junit)
        if problem:
            raise click.UsageError(problem)
    project = load_project(directory)
    config = load_stack_config(project, stack, parse_config_overrides(config_pairs))
    dirs = list(pack_dirs) or default_pack_dirs(directory)
    if not dirs:
        raise click.UsageError("no policy pack: give --policy-pack DIR")
    packs, configs, warnings = load_packs(dirs, config_files, project=project.name, stack=stack)
    for w in warnings:
        click.echo(f"cdcml: warning: {w}", err=True)
    subject = Subject(project, config, packs, configs)
    progress = None if as_json or not sys.stderr.isatty() else (lambda law: click.echo(f"checking {law}…", err=True))
    result = run_verify(subject, laws=laws, examples=examples, seed=seed, on_law=progress)
    if junit is not None:
        write_files([("--junit", junit, verification_junit(result))])
    click.echo(dumps(verification_json(result)) if as_json else verification_text(result), nl=False)
    sys.exit(0 if result.holds else 1)
