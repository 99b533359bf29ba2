"""`cdcml policy new` and `cdcml policy validate-config`: the CrossGuard workflow of the
Pulumi CLI (``pulumi policy new``, ``pulumi policy validate-config``), for local packs.

Thin: the scaffold is :mod:`cdcml.runs.scaffold`, the check :mod:`cdcml.runs.validate_config`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from cdcml.cli.base import EXIT_MANDATORY, one_line, policy


def _warn(warnings: Iterable[str]) -> None:
    """Each warning on one line of stderr (never wrapped: it names files), escaped."""
    for w in warnings:
        click.echo(f"warning: {one_line(w)}", err=True)


@policy.command("new")
@click.argument("directory", type=click.Path(path_type=Path), metavar="DIR")
@click.option("--name", metavar="NAME", help="The pack's name (default: the directory's name).")
@click.option(
    "--force", "-f", is_flag=True, help="Write into a directory that is not empty (changed files are listed)."
)
def new(directory: Path, name: str | None, force: bool) -> None:
    """Create a new Python policy pack in DIR: a policy with a config schema, tests, a README."""
    from cdcml.runs.scaffold import scaffold

    made = scaffold(directory, name, force=force)
    _warn(f"replaced {made.directory / path}" for path in made.replaced)
    d = made.directory
    click.echo(f"Created Policy Pack {made.name} in {d}:")
    for path in made.written:
        click.echo(f"  {path}")
    click.echo("")
    click.echo("Next:")
    click.echo(f"  pip install -r {d / 'requirements.txt'} pytest   # pulumi-policy and cdcml")
    click.echo(f"  pytest {d / 'tests'}")
    click.echo(f"  cdcml policy ls --policy-pack {d}")
    click.echo(f"  cdcml preview PROJECT_DIR --policy-pack {d}")
    click.echo(f"  pulumi policy publish [org-name]   # from {d}")


@policy.command("validate-config")
@click.argument("pack_dir", type=click.Path(path_type=Path), metavar="DIR", required=False)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    required=True,
    help="The policy pack config file (the --policy-pack-config JSON).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def validate_config_command(pack_dir: Path | None, config_file: Path, as_json: bool) -> None:
    """Validate a policy pack config file against the pack in DIR (default: the run's pack).

    Exit 0 when the config is valid, 1 when it is not (each problem on its own line,
    with the policy it concerns), 2 on bad input (a missing file, a pack that doesn't load).
    """
    from cdcml.runs.packs import packs_of_run
    from cdcml.runs.validate_config import validate_config

    directory = packs_of_run([pack_dir] if pack_dir is not None else [])[0]
    check = validate_config(directory, config_file)
    _warn(check.warnings)
    if as_json:
        doc = {
            "pack": {"name": check.pack, "version": check.version},
            "config": str(check.config),
            "valid": check.valid,
            "problems": [{"policy": p.policy, "message": p.message} for p in check.problems],
            "warnings": list(check.warnings),
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    elif check.valid:
        click.echo(f"Policy Pack configuration is valid ({check.pack} {check.version}, {one_line(str(check.config))}).")
    else:
        click.echo(
            f"Policy Pack configuration is invalid ({check.pack} {check.version}, {one_line(str(check.config))}):"
        )
        for p in check.problems:
            click.echo(f"  {one_line(p.policy)}: {one_line(p.message)}")
    if not check.valid:
        sys.exit(EXIT_MANDATORY)
