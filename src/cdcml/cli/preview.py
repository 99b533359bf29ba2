"""`cdcml preview`: capture a program offline and run policy packs on it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from cdcml.cli.base import main, progress_display
from cdcml.cli.limits import input_limit_option
from cdcml.cli.options import Output, acceptance_options, answers_options, emit, output_options, pack_options
from cdcml.cli.timeouts import timeout_options
from cdcml.workers import Timeouts


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--stack", "-s", default="dev", show_default=True, help="The stack whose configuration to use.")
@click.option(
    "--config",
    "-c",
    "config_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a configuration value (repeatable), like `pulumi preview --config`.",
)
@pack_options
@click.option(
    "--outputs",
    type=click.Choice(["preview", "resolved"]),
    default="preview",
    show_default=True,
    help="preview: computed outputs are unknown, as in `pulumi preview`; resolved: outputs as the "
    "provider would fill them after `pulumi up`.",
)
@click.option(
    "--engine",
    type=click.Choice(["inprocess", "grpc"]),
    default="inprocess",
    show_default=True,
    help="inprocess: cdcml's evaluator; grpc: each pack in its own process over the analyzer protocol, "
    "as the Pulumi CLI runs it (slower; the reference the evaluator is tested against).",
)
@acceptance_options
@answers_options
@output_options
@timeout_options(program=True)
@input_limit_option
def preview(
    directory: Path,
    stack: str,
    config_pairs: Sequence[str],
    pack_dirs: Sequence[Path],
    config_files: Sequence[Path],
    outputs: str,
    engine: str,
    waiver_file: Path | None,
    baseline: Path | None,
    invokes_file: Path | None,
    stack_references: Sequence[str],
    output: Output,
    timeouts: Timeouts,
) -> None:
    """Capture the Pulumi program in DIRECTORY offline and run the policy packs on it.

    Exit code 0: clean or advisory only; 1: a mandatory violation or an expired waiver;
    2: bad input.
    """
    from cdcml.capture.project import parse_config_overrides
    from cdcml.runs.baselines import load_baseline
    from cdcml.runs.inputs import preview_inputs
    from cdcml.runs.preview import preview as run_preview
    from cdcml.runs.waivers import load_waivers

    output.check(
        preview_inputs(
            directory,
            stack,
            pack_dirs,
            config_files,
            waivers=waiver_file,
            baseline=baseline,
            invokes_file=invokes_file,
            stack_references=stack_references,
        )
    )
    waivers = load_waivers(waiver_file) if waiver_file is not None else ()
    base = load_baseline(baseline) if baseline is not None else None
    show_progress = not output.as_json and sys.stderr.isatty()
    overrides = parse_config_overrides(config_pairs)
    with progress_display(show_progress) as bar:
        task = bar.add_task("Capturing program", total=None) if bar is not None else None

        def on_captured(graph: Any) -> None:
            if bar is not None:
                bar.update(task, description="Evaluating policies", total=len(graph) + 1, completed=0)

        def on_progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(task, completed=done, total=total)

        verdict = run_preview(
            directory,
            stack,
            config=overrides,
            pack_dirs=list(pack_dirs),
            config_files=list(config_files),
            mode=outputs,
            engine=engine,
            on_captured=on_captured,
            progress=on_progress,
            timeouts=timeouts,
            waivers=waivers,
            baseline=base,
            invokes_file=invokes_file,
            stack_references=stack_references,
        )
    emit(verdict, output)
