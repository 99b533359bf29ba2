"""`cdcml report merge`: join the JSON reports of the shards of a sharded audit
(`policy analyze --all --shard K/N --json`) into the verdict and reports one run over all
the stacks would give."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from cdcml.cli.base import report
from cdcml.cli.limits import input_limit_option
from cdcml.cli.options import Output, emit, output_options


@report.command("merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE…")
@output_options
@input_limit_option
def merge(files: Sequence[Path], output: Output) -> None:
    """Merge the --json reports of every shard of one sharded `policy analyze --all` run.

    The shards must be of one run (cdcml version, backend, packs and policies, waivers, the
    backend's stacks, number of shards), complete and disjoint. The text, JSON, SARIF, JUnit
    and Markdown reports are those the run over all the stacks gives. Exit code 0: clean or
    advisory only; 1: a mandatory violation or an expired waiver; 2: shards that can't be
    merged.
    """
    from cdcml.model import RunInput
    from cdcml.report.json_report import schema_problem
    from cdcml.runs.merge import load_shard, merge_shards

    output.check([RunInput("a shard report", Path(f)) for f in files])
    shards = [load_shard(f, schema_problem) for f in files]
    emit(merge_shards(shards), output)
