"""`cdcml preview`: capture a program offline and run policy packs on it."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from cdcml.cli import check_report_paths, main, print_warnings, progress_display


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
@click.option(
    "--policy-pack",
    "pack_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Run this Python CrossGuard pack (repeatable). Default: policies/cdc-ml-guardrails.",
)
@click.option(
    "--policy-pack-config",
    "config_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="JSON config for the --policy-pack at the same position (repeatable).",
)
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
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report (shape documented in the README).")
@click.option("--sarif", type=click.Path(path_type=Path), metavar="FILE", help="Also write a SARIF 2.1.0 report.")
@click.option("--junit", type=click.Path(path_type=Path), metavar="FILE", help="Also write a JUnit XML report.")
@click.option("--markdown", type=click.Path(path_type=Path), metavar="FILE", help="Also write a Markdown summary.")
@click.option("--show-not-applicable", is_flag=True, help="Also list policies that declared themselves n/a.")
def preview(
    directory: Path,
    stack: str,
    config_pairs: Sequence[str],
    pack_dirs: Sequence[Path],
    config_files: Sequence[Path],
    outputs: str,
    engine: str,
    as_json: bool,
    sarif: Path | None,
    junit: Path | None,
    markdown: Path | None,
    show_not_applicable: bool,
) -> None:
    """Capture the Pulumi program in DIRECTORY offline and run the policy packs on it."""
    from rich.console import Console

    from cdcml.engine.project import parse_config_overrides
    from cdcml.engine.run import preview as run_preview
    from cdcml.report import findings_to_json, render_text

    check_report_paths(sarif=sarif, junit=junit, markdown=markdown)
    show_progress = not as_json and sys.stderr.isatty()
    overrides = parse_config_overrides(config_pairs)
    with progress_display(show_progress) as bar:
        task = bar.add_task("Capturing program", total=None) if bar is not None else None

        def on_captured(graph: Any) -> None:
            if bar is not None:
                bar.update(task, description="Evaluating policies", total=len(graph) + 1, completed=0)

        def on_progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(task, completed=done, total=total)

        result = run_preview(
            directory,
            stack,
            config=overrides,
            pack_dirs=list(pack_dirs),
            config_files=list(config_files),
            mode=outputs,
            engine=engine,
            on_captured=on_captured,
            progress=on_progress,
        )
    if sarif or junit or markdown:
        from cdcml.engine.audit import from_preview
        from cdcml.report.audit import write_reports

        audit = from_preview(result.graph, result.findings, result.packs, result.configs, directory=directory)
        write_reports(audit, sarif=sarif, junit=junit, markdown=markdown)
    print_warnings(result.warnings)
    if as_json:
        doc = findings_to_json(result.findings, command="preview", graph=result.graph)
        click.echo(json.dumps(doc, indent=2))
    else:
        render_text(
            result.findings,
            Console(highlight=False),
            command="preview",
            diagnostics=result.graph.diagnostics,
            show_not_applicable=show_not_applicable,
        )
    sys.exit(result.findings.exit_code)
