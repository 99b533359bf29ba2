"""`cdcml policy ls` and `cdcml policy docs`: the guardrail catalogue from policy metadata.

Thin: the pack is ``--policy-pack DIR``, else the one a run in the current directory would
use (the repository's, or the guardrails that come with cdcml); the rows and the Markdown
come from :mod:`cdcml.policies.docs`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cdcml.cli.base import EXIT_MANDATORY, fail, policy

_PACK_OPTION = click.option(
    "--policy-pack",
    "pack_dir",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="The Python CrossGuard pack to show. Default: the pack a run here would use (policies/cdc-ml-guardrails "
    "of the project or a directory above it, else the guardrails that come with cdcml).",
)


def _load(pack_dir: Path | None) -> tuple[str, str, str, list[Any]]:
    """(name, version, description, rows) of the pack to show: *pack_dir*, else the run's
    default pack (:func:`cdcml.runs.packs.packs_of_run`)."""
    from cdcml.engine.pack import load_pack
    from cdcml.policies import docs
    from cdcml.runs.packs import packs_of_run

    directory = packs_of_run([pack_dir] if pack_dir is not None else [])[0]
    pack = load_pack(directory)
    return pack.name, pack.version, pack.description, docs.rows(pack.policies, str(pack.enforcement_level))


@policy.command("ls")
@_PACK_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def ls(pack_dir: Path | None, as_json: bool) -> None:
    """List the policies of a pack (default: the guardrails) with their metadata."""
    from cdcml.policies import docs

    name, version, _description, rows = _load(pack_dir)
    if as_json:
        click.echo(json.dumps(docs.json_document(name, version, rows), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from cdcml.report.terminal import printable, without_trailing_spaces

    def cell(value: str, style: str = "") -> Text:  # a pack's metadata: plain text, escaped
        return Text(printable(value), style=style)

    table = Table(title=cell(f"{name}@{version} — {len(rows)} policies"), title_justify="left")
    for column in ("Policy", "Rule", "Type", "Severity", "Enforcement", "Layer", "Concern"):
        table.add_column(column, no_wrap=column == "Policy")
    for r in rows:
        level = cell(r.enforcement_level, "bold red" if r.enforcement_level == "mandatory" else "")
        rest = (r.layer or "—", r.concern or "—")
        table.add_row(cell(r.name), cell(r.rule or "—"), cell(r.kind), cell(r.severity), level, *map(cell, rest))
    console = Console()
    if not console.is_terminal:
        console = Console(width=140)  # piped: don't squeeze the table into 80 columns
    with console.capture() as text:
        console.print(table)
    sys.stdout.write(without_trailing_spaces(text.get()))


@policy.command("docs")
@_PACK_OPTION
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE", help="Write to FILE.")
@click.option("--check", is_flag=True, help="With --output: exit 1 if FILE is not up to date, instead of writing it.")
def docs_command(pack_dir: Path | None, output: Path | None, check: bool) -> None:
    """Render a pack's policy catalogue as Markdown (the guardrails': the repository's docs/policies.md)."""
    from cdcml.policies import docs

    name, version, description, rows = _load(pack_dir)
    text = docs.markdown(name, version, rows, description)
    if output is None:
        if check:
            fail("--check needs --output FILE")
        click.echo(text, nl=False)
        return
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            click.echo(f"cdcml: {output} is out of date; run `cdcml policy docs --output {output}`", err=True)
            raise SystemExit(EXIT_MANDATORY)
        return
    output.write_text(text, encoding="utf-8")
