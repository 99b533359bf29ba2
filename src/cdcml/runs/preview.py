"""``cdcml preview``: capture a program offline, run the packs on it, and conclude.

Capture → load packs and reconcile their configs → evaluate (in process, or each pack in
its own process over the analyzer protocol) → scrub secrets → one
:class:`~cdcml.model.Verdict` of one stack, whose findings point at the stack's
``Pulumi.<stack>.yaml``. Nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from cdcml.capture.program import OutputMode, capture
from cdcml.capture.project import load_project
from cdcml.engine.config import policy_infos
from cdcml.engine.evaluate import evaluate
from cdcml.engine.grpc_pack import analyze_graph_grpc
from cdcml.engine.pack import DEFAULT_PACK
from cdcml.model import PackRef, ResourceGraph, StackRef, StackReport, Verdict
from cdcml.runs.artifacts import repo_artifact
from cdcml.runs.packs import load_packs
from cdcml.runs.scrub import remember_graph, scrub_findings

__all__ = ["ENGINES", "preview"]

ENGINES = ("inprocess", "grpc")
"""``inprocess``: cdcml's evaluator; ``grpc``: each pack in its own process over the
analyzer protocol, as the Pulumi CLI runs it (the reference the evaluator is tested against)."""


def preview(
    project_dir: str | os.PathLike[str],
    stack: str,
    *,
    config: Mapping[str, str] | None = None,
    pack_dirs: Sequence[str | os.PathLike[str]] = (),
    config_files: Sequence[str | os.PathLike[str]] = (),
    mode: OutputMode | str = OutputMode.PREVIEW,
    organization: str = "organization",
    engine: str = "inprocess",
    on_captured: Callable[[ResourceGraph], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Verdict:
    """What ``cdcml preview`` concludes, without printing. Packs are loaded before the
    program runs so a missing pack fails fast. The verdict's one stack report carries the
    captured graph and the scrubbed findings."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be 'inprocess' or 'grpc', not {engine!r}")
    project = load_project(project_dir)
    dirs = list(pack_dirs) or [project.directory / DEFAULT_PACK]
    out_mode = OutputMode(mode)
    packs, configs, warnings = load_packs(
        dirs,
        config_files,
        project=project.name,
        stack=stack,
        organization=organization,
        dry_run=out_mode is OutputMode.PREVIEW,
    )
    graph = capture(project.directory, stack, config=config, mode=out_mode, organization=organization)
    remember_graph(graph)
    if on_captured is not None:
        on_captured(graph)
    if engine == "grpc":
        findings = analyze_graph_grpc(graph, packs, configs)
    else:
        findings = evaluate(graph, packs, configs, progress=progress)
    # Policies see secrets as plaintext and may echo them; no report may carry one.
    findings = scrub_findings(findings, graph)
    stack_file = Path(project_dir) / f"Pulumi.{graph.stack}.yaml"
    report = StackReport(
        StackRef(graph.organization, graph.project, graph.stack),
        graph,
        findings,
        str(stack_file),
        repo_artifact(stack_file),
    )
    return Verdict(
        command="preview",
        source=str(Path(project_dir)),
        stacks=(report,),
        packs=tuple(PackRef(p.name, p.version) for p in packs),
        policies=policy_infos(packs, configs),
        warnings=tuple(warnings),
    )
