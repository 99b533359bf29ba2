"""`cdcml policy analyze`: run policy packs on deployed stack state, as `pulumi policy analyze`
does, for one export file, one stack of a self-managed backend, or all of its stacks."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from cdcml.cli.base import policy, progress_display
from cdcml.cli.limits import input_limit_option
from cdcml.cli.options import Output, acceptance_options, emit, output_options, pack_options
from cdcml.cli.timeouts import timeout_options
from cdcml.workers import Timeouts


@policy.command("analyze")
@click.option(
    "--file",
    "state_file",
    metavar="EXPORT",
    help="A `pulumi stack export` file or a backend checkpoint (.json, .json.gz, .json.zst; - for stdin).",
)
@click.option(
    "--backend",
    metavar="URL",
    help="A self-managed backend: file://DIR, s3://BUCKET[/PREFIX][?…], azblob://CONTAINER[/PREFIX][?…] "
    "(default: $PULUMI_BACKEND_URL when --file is not given).",
)
@click.option("--stack", "-s", metavar="ORG/PROJECT/STACK", help="The backend stack to analyze.")
@click.option("--all", "all_stacks", is_flag=True, help="Analyze every stack of the backend.")
@click.option("--project", metavar="NAME", help="With --all: only the stacks of this project.")
@click.option(
    "--shard",
    metavar="K/N",
    help="With --all: only the K-th of N shards of the stacks (by a hash of each stack's name), for a CI "
    "matrix; `cdcml report merge` joins the shards' --json reports.",
)
@click.option(
    "--jobs",
    "-j",
    metavar="N",
    default="1",
    show_default=True,
    help="With --all: analyze the stacks in N processes (each with its own policy pack processes); "
    "the report is the same as with 1.",
)
@pack_options
@output_options
@acceptance_options
@click.option(
    "--backend-timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Connect and read timeout of backend requests; a whole read may take this plus 1 s per MiB.",
)
@timeout_options(program=False)
@input_limit_option
def analyze(
    state_file: str | None,
    backend: str | None,
    stack: str | None,
    all_stacks: bool,
    project: str | None,
    shard: str | None,
    jobs: str,
    pack_dirs: Sequence[Path],
    config_files: Sequence[Path],
    waiver_file: Path | None,
    baseline: Path | None,
    backend_timeout: float,
    output: Output,
    timeouts: Timeouts,
) -> None:
    """Analyze deployed stack state against policy packs, offline and read-only.

    Mirrors `pulumi policy analyze`: resources marked for deletion are skipped; resource
    policies see the stored inputs (dry-run on), stack policies the stored outputs;
    remediations are reported, never applied. Exit code 0: clean or advisory only;
    1: a mandatory violation or an expired waiver; 2: bad input.
    """
    from cdcml.report.terminal import printable
    from cdcml.runs.analyze import analyze_backend, analyze_file
    from cdcml.runs.baselines import load_baseline
    from cdcml.runs.inputs import analyze_inputs
    from cdcml.runs.shards import parse_shard
    from cdcml.runs.waivers import load_waivers

    if state_file is None and backend is None:
        backend = os.environ.get("PULUMI_BACKEND_URL") or None
    if state_file is not None and backend is not None:
        raise click.UsageError("pass either --file or --backend, not both")
    if state_file is None and backend is None:
        raise click.UsageError("pass --file EXPORT or --backend URL")
    if state_file is not None and (stack or all_stacks or project):
        raise click.UsageError("--stack, --all and --project go with --backend, not --file")
    if backend is not None:
        if stack and all_stacks:
            raise click.UsageError("pass either --stack or --all, not both")
        if not stack and not all_stacks:
            raise click.UsageError("with --backend, pass --stack organization/<project>/<stack> or --all")
        if project and not all_stacks:
            raise click.UsageError("--project goes with --all")
    if shard is not None and not all_stacks:
        raise click.UsageError("--shard goes with --backend URL --all")
    processes = _jobs(jobs)
    if processes > 1 and not all_stacks:
        raise click.UsageError("--jobs goes with --backend URL --all")
    try:
        spec = parse_shard(shard) if shard is not None else None
    except ValueError as e:
        raise click.UsageError(f"--shard {e}") from None
    output.check(analyze_inputs(state_file, backend, pack_dirs, config_files, waivers=waiver_file, baseline=baseline))

    show_progress = sys.stderr.isatty()
    waivers = load_waivers(waiver_file) if waiver_file is not None else ()
    base = load_baseline(baseline) if baseline is not None else None
    with progress_display(show_progress) as bar:
        task = bar.add_task("Reading state", total=None) if bar is not None else None

        def on_progress(what: str, done: int, total: int) -> None:
            if bar is not None:
                bar.update(task, description=f"Analyzing {printable(what)}", completed=done, total=total)

        if state_file is not None:
            verdict = analyze_file(
                state_file,
                pack_dirs=list(pack_dirs),
                config_files=list(config_files),
                waivers=waivers,
                baseline=base,
                progress=on_progress,
                timeouts=timeouts,
            )
        else:
            assert backend is not None
            verdict = analyze_backend(
                backend,
                stack=stack,
                project=project,
                pack_dirs=list(pack_dirs),
                config_files=list(config_files),
                waivers=waivers,
                baseline=base,
                timeout=backend_timeout,
                progress=on_progress,
                timeouts=timeouts,
                shard=spec,
                jobs=processes,
            )
    emit(verdict, output)


def _jobs(value: str) -> int:
    """``--jobs``: a whole number of processes, 1 or more."""
    try:
        n = int(value.strip(), 10)
    except ValueError:
        n = 0
    if n < 1:
        raise click.UsageError(f"--jobs must be a whole number of processes, 1 or more (got {value[:40]!r})")
    return n
