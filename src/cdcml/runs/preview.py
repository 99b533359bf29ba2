"""``cdcml preview``: capture a program offline, run the packs on it, and conclude.

Load packs (each in its own process) and reconcile their configs, capture (the program in
its own process and interpreter) → evaluate (cdcml's evaluator inside each pack's
process, or the stock SDK servicer over the analyzer protocol) → scrub secrets → one
:class:`~cdcml.model.Verdict` of one stack, whose findings point at the program's line
that declared their resource (the stack's ``Pulumi.<stack>.yaml`` when there is none).
Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from cdcml.capture.invokes import InvokeTable
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.project import StackConfig, load_project, load_stack_config
from cdcml.capture.worker import ProgramRun, start_capture
from cdcml.engine.config import policy_infos
from cdcml.engine.isolated import evaluate_isolated
from cdcml.errors import CdcmlError, ProgramError
from cdcml.model import Findings, PackRef, ResourceGraph, StackRef, StackReport, Verdict, Waiver
from cdcml.runs.answers import answer_secrets, load_invoke_answers, load_stack_references
from cdcml.runs.artifacts import repo_artifact, source_locations
from cdcml.runs.baselines import Baseline
from cdcml.runs.packs import PackSet, default_pack_notes, packs_of_run, start_packs
from cdcml.runs.scrub import remember_graph, scrub_findings
from cdcml.runs.waivers import match_waivers, today_utc
from cdcml.secrets import PASSPHRASE_HINT, REDACTED
from cdcml.workers import Timeouts

__all__ = ["ENGINES", "preview"]

ENGINES = ("inprocess", "grpc")
"""``inprocess``: cdcml's evaluator, run inside each pack's own process; ``grpc``: the stock
SDK servicer in each pack's process, over the analyzer protocol, as the Pulumi CLI runs it
(the reference the evaluator is tested against). Either way each pack is its own process."""


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
    timeouts: Timeouts | None = None,
    waivers: Sequence[Waiver] = (),
    baseline: Baseline | None = None,
    today: dt.date | None = None,
    invokes_file: str | os.PathLike[str] | None = None,
    stack_references: Sequence[str] = (),
) -> Verdict:
    """What ``cdcml preview`` concludes, without printing. The packs start loading, each in
    its own process, before the program runs in its own (so a missing pack fails fast and
    loading overlaps the capture); the verdict's one stack report carries the captured
    graph and the scrubbed findings; a *baseline* removes the findings it already has and
    *waivers* mark accepted ones, as in ``cdcml policy analyze``. *timeouts* default to
    :meth:`Timeouts.from_env`. *invokes_file* answers provider functions and
    *stack_references* (``NAME=SOURCE``) give other stacks' outputs (:mod:`cdcml.runs.answers`)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be 'inprocess' or 'grpc', not {engine!r}")
    limits = timeouts if timeouts is not None else Timeouts.from_env()
    project = load_project(project_dir)
    dirs = packs_of_run(pack_dirs, project.directory)
    out_mode = OutputMode(mode)
    pending = start_packs(
        dirs,
        config_files,
        project=project.name,
        stack=stack,
        organization=organization,
        dry_run=out_mode is OutputMode.PREVIEW,
        timeout=limits.pack,
    )
    program: ProgramRun | None = None
    try:
        try:
            stack_config = load_stack_config(project, stack, config)
            options, answer_notes = _capture_options(out_mode, organization, invokes_file, stack_references)
            program = start_capture(project, stack_config, options, timeout=limits.program)
            problem: CdcmlError | None = None
        except CdcmlError as e:
            problem = e  # a pack's error comes first, as when the packs loaded before the program ran
        packs = pending.result()
    except BaseException:
        pending.abandon()
        if program is not None:
            program.abandon()
        raise
    try:
        if problem is not None:
            raise problem
        assert program is not None
        graph = _captured(program, stack_config)
        known = remember_graph(graph)
        known.update(answer_secrets(options.invokes.answers, options.stack_references))
        if on_captured is not None:
            on_captured(graph)
        findings = _evaluate(graph, packs, engine, progress, limits)
    finally:
        packs.release()
    # Policies see secrets as plaintext and may echo them; no report may carry one.
    findings = scrub_findings(findings, graph, known)
    day = today or today_utc()
    report = _stack_report(Path(project_dir), project.directory, graph, findings, waivers, baseline, day)
    return Verdict(
        command="preview",
        source=str(Path(project_dir)),
        stacks=(report,),
        packs=tuple(PackRef(p.name, p.version) for p in packs.packs),
        policies=policy_infos(packs.packs, packs.configs),
        waivers=tuple(waivers),
        expired_waivers=tuple(w for w in waivers if w.expired(day)),
        today=day,
        warnings=(
            *stack_config.undecryptable_notes(),
            *answer_notes,
            *default_pack_notes(pack_dirs, dirs, project.directory),
            *packs.warnings,
        ),
    )


def _capture_options(
    mode: OutputMode,
    organization: str,
    invokes_file: str | os.PathLike[str] | None,
    stack_references: Sequence[str],
) -> tuple[CaptureOptions, tuple[str, ...]]:
    """The capture's options, with the user's answers to invokes and stack references, and
    the run's warnings about them."""
    answers = load_invoke_answers(invokes_file) if invokes_file is not None else ()
    references = load_stack_references(stack_references)
    options = CaptureOptions(
        mode=mode,
        organization=organization,
        invokes=InvokeTable(answers=answers),
        stack_references=references.outputs,
    )
    return options, references.notes


def _stack_report(
    project_dir: Path,
    base: Path,
    graph: ResourceGraph,
    findings: Findings,
    waivers: Sequence[Waiver],
    baseline: Baseline | None,
    day: dt.date,
) -> StackReport:
    """The one stack report: findings a *baseline* has removed, *waivers* matched; findings
    point at the program's lines (paths from *base*), else at ``Pulumi.<stack>.yaml``."""
    baselined = 0
    if baseline is not None:
        findings, baselined = baseline.split(findings)
    stack_file = project_dir / f"Pulumi.{graph.stack}.yaml"
    return StackReport(
        StackRef(graph.organization, graph.project, graph.stack),
        graph,
        findings,
        str(stack_file),
        repo_artifact(stack_file),
        waivers=match_waivers(findings.findings, waivers, day),
        baselined=baselined,
        sources=source_locations(graph, base),
    )


def _captured(program: ProgramRun, stack_config: StackConfig) -> ResourceGraph:
    """The program's graph; when it fails and saw placeholders for secure config, its
    error says so (a program that checks a secret's form fails on ``"[secret]"``)."""
    try:
        return program.result()
    except ProgramError as e:
        if not stack_config.undecryptable:
            raise
        keys = ", ".join(stack_config.undecryptable)
        hint = stack_config.undecryptable_hint or PASSPHRASE_HINT
        raise ProgramError(
            f"{e.message} (the program saw the placeholder {REDACTED!r} for secure config {keys}, which could "
            f"not be decrypted: {hint})"
        ) from None


def _evaluate(
    graph: ResourceGraph, packs: PackSet, engine: str, progress: Callable[[int, int], None] | None, limits: Timeouts
) -> Findings:
    if engine == "grpc":
        # The reference mode: the stock SDK servicer in a process started as the CLI starts it.
        from cdcml.engine.grpc_pack import analyze_graph_grpc

        return analyze_graph_grpc(
            graph, packs.packs, packs.configs, start_timeout=limits.pack, call_timeout=limits.policy
        )
    return evaluate_isolated(graph, packs.handles, packs.configs, progress=progress, policy_timeout=limits.policy)
