"""``cdcml policy analyze``: policy packs over what is deployed, as ``pulumi policy
analyze`` runs them.

For each stack (one export or checkpoint file, one stack of a self-managed backend, or
every stack of it): load the state (:mod:`cdcml.state`), then evaluate with the
semantics of ``AnalyzeSnapshot`` (``pkg/resource/deploy/analyze_snapshot.go``) —
``delete: true`` resources skipped, Remediate reported and **not applied**, Analyze on the
stored inputs with dry-run on, AnalyzeStack on the stored outputs. A stack without
resources is not analyzed ("nothing to analyze"). Then a baseline removes the findings a
previous report already had (:mod:`cdcml.runs.baselines`), and waivers mark accepted
risks (:mod:`cdcml.runs.waivers`).

Secrets encrypted with the passphrase secrets manager are decrypted when the passphrase
is given (``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_CONFIG_PASSPHRASE_FILE``, read once per
run and only if a state needs it); the run warns, per stack, about every secret value
policies saw as ``"[secret]"`` (:mod:`cdcml.state.secrets`).

The result is a :class:`~cdcml.model.Verdict`, what every report renders. Nothing here
prints, and nothing is written to a backend.

Reads are done ahead on a small thread pool (network latency overlaps evaluation, which
runs on the calling thread, stack after stack); the first failure stops the run with a
:class:`~cdcml.errors.CdcmlError` and no partial result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from cdcml.engine.config import PackConfig, policy_infos
from cdcml.engine.evaluate import evaluate
from cdcml.engine.isolated import evaluate_isolated
from cdcml.engine.pack import Pack
from cdcml.errors import BackendError, StateError
from cdcml.model import (
    Artifact,
    EnforcementLevel,
    Findings,
    LockInfo,
    PackRef,
    PolicyInfo,
    ResourceGraph,
    Shard,
    StackRef,
    StackReport,
    Verdict,
    Waiver,
)
from cdcml.runs.artifacts import backend_artifact, repo_artifact, urn_lines
from cdcml.runs.baselines import Baseline
from cdcml.runs.packs import default_pack_notes, packs_of_run, start_packs
from cdcml.runs.scrub import remember_graph, scrub_findings
from cdcml.runs.shards import ShardSpec, listing_digest
from cdcml.runs.waivers import match_waivers, today_utc
from cdcml.secrets import PassphraseSource
from cdcml.state.backends import DEFAULT_TIMEOUT, Backend, BackendStack, open_backend
from cdcml.state.decode import load_state, non_finite_numbers, read_state_input
from cdcml.state.secrets import StateSecrets
from cdcml.workers import Timeouts

__all__ = ["Progress", "analyze_backend", "analyze_file", "analyze_graphs"]

Progress = Callable[[str, int, int], None]
"""``progress(what, done, total)``: ``what`` names the stack being read or analyzed."""


# --------------------------------------------------------------------------- pieces


def _stack_policies_enabled(policies: Sequence[PolicyInfo]) -> bool:
    return any(p.policy_type == "stack" and p.level is not EnforcementLevel.DISABLED for p in policies)


def _check_numbers(graph: ResourceGraph, location: str, policies: Sequence[PolicyInfo]) -> None:
    bad = [b for b in non_finite_numbers(graph) if " inputs" in b or _stack_policies_enabled(policies)]
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise StateError(
            f"{location}: {bad[0]}{more} is NaN or infinite; the Python policy SDK can't receive such a "
            "number (`pulumi policy analyze` fails on it too)"
        )


Evaluator = Callable[..., Findings]
"""``evaluator(graph, progress=…)``: the run's packs over one graph, remediations reported, not applied."""


class _Settings(NamedTuple):
    """The arguments of :func:`_prepare`, as a ``--jobs`` process is given them."""

    pack_dirs: tuple[str, ...]
    config_files: tuple[str, ...]
    waivers: tuple[Waiver, ...]
    baseline: Baseline | None
    today: dt.date | None
    timeouts: Timeouts | None
    project: str
    stack: str


@dataclass
class _Run:
    packs: Sequence[Pack]
    policies: tuple[PolicyInfo, ...]
    waivers: Sequence[Waiver]
    baseline: Baseline | None
    today: dt.date
    evaluator: Evaluator
    settings: _Settings | None = None

    def report(
        self,
        ref: StackRef,
        graph: ResourceGraph,
        location: str,
        artifact: Artifact,
        locks: tuple[LockInfo, ...] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> StackReport:
        known = remember_graph(graph)
        if graph.resources:
            _check_numbers(graph, location, self.policies)
            findings = self.evaluator(graph, progress=progress)
        else:
            # `pulumi policy analyze`: "Stack … has no resources; nothing to analyze."
            findings = Findings(
                graph.project, graph.stack, graph.source, tuple(PackRef(p.name, p.version) for p in self.packs), ()
            )
        findings = scrub_findings(findings, graph, known)
        baselined = 0
        if self.baseline is not None:
            findings, baselined = self.baseline.split(findings)
        matches = match_waivers(findings.findings, self.waivers, self.today)
        return StackReport(ref, graph, findings, location, artifact, locks, matches, baselined)

    def verdict(
        self,
        command: str,
        source: str,
        reports: Sequence[StackReport],
        *,
        multi: bool,
        warnings: Sequence[str],
        shard: Shard | None = None,
    ) -> Verdict:
        expired = tuple(w for w in self.waivers if w.expired(self.today))
        return Verdict(
            command=command,
            source=source,
            stacks=tuple(reports),
            packs=tuple(PackRef(p.name, p.version) for p in self.packs),
            policies=self.policies,
            multi=multi,
            waivers=tuple(self.waivers),
            expired_waivers=expired,
            warnings=tuple(warnings),
            today=self.today,
            shard=shard,
        )


@contextlib.contextmanager
def _prepare(
    pack_dirs: Sequence[str | os.PathLike[str]],
    config_files: Sequence[str | os.PathLike[str]],
    waivers: Sequence[Waiver],
    baseline: Baseline | None,
    today: dt.date | None,
    timeouts: Timeouts | None,
    project: str = "project",
    stack: str = "stack",
) -> Iterator[tuple[_Run, list[str]]]:
    """The run's packs, each loaded in its own process (and handed back at the end)."""
    dirs = packs_of_run(pack_dirs)
    limits = timeouts if timeouts is not None else Timeouts.from_env()
    packs = start_packs(dirs, config_files, project=project, stack=stack, dry_run=True, timeout=limits.pack).result()
    try:
        evaluator = functools.partial(
            evaluate_isolated,
            handles=packs.handles,
            configs=packs.configs,
            apply_remediations=False,
            policy_timeout=limits.policy,
        )
        policies = policy_infos(packs.packs, packs.configs)
        run = _Run(packs.packs, policies, tuple(waivers), baseline, today or today_utc(), evaluator)
        run.settings = _Settings(
            tuple(str(d) for d in pack_dirs),
            tuple(str(c) for c in config_files),
            tuple(waivers),
            baseline,
            run.today,
            timeouts,
            project,
            stack,
        )
        yield run, [*default_pack_notes(pack_dirs, dirs), *packs.warnings]
    finally:
        packs.release()


# --------------------------------------------------------------------------- entry points


def analyze_file(
    path: str | os.PathLike[str],
    *,
    pack_dirs: Sequence[str | os.PathLike[str]] = (),
    config_files: Sequence[str | os.PathLike[str]] = (),
    waivers: Sequence[Waiver] = (),
    baseline: Baseline | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
    timeouts: Timeouts | None = None,
) -> Verdict:
    """Verdict one ``pulumi stack export`` file or checkpoint (``-``: standard input).
    *timeouts* (pack loading, policy calls) default to :meth:`Timeouts.from_env`."""
    p = str(path)
    if p == "-":
        data, location = read_state_input(p), "<stdin>"
        artifact_path: Path | None = None
    else:
        location = p
        artifact_path = Path(p)
        try:
            data = read_state_input(p)
        except FileNotFoundError:
            raise StateError(f"state file {p} does not exist") from None
        except IsADirectoryError:
            raise StateError(f"state file {p} is a directory; for a backend use --backend file://{p}") from None
        except OSError as e:
            raise StateError(f"can't read state file {p}: {e.strerror}") from None
    found = StateSecrets(PassphraseSource(error=StateError))
    graph = load_state(data, source=location, secrets=found)
    prepared = _prepare(pack_dirs, config_files, waivers, baseline, today, timeouts, graph.project, graph.stack)
    with prepared as (run, warnings):
        lines: dict[str, int] = {}
        if artifact_path is not None and data[:1] in (b"{", b" ", b"\n", b"\t", b"\r"):
            lines = urn_lines(data.decode("utf-8", errors="replace"))
        artifact = repo_artifact(artifact_path, lines) if artifact_path is not None else Artifact("stdin")
        ref = StackRef(graph.organization, graph.project, graph.stack)
        on_resource = None
        if progress is not None:
            progress(str(ref), 0, len(graph) + 1)
            on_resource = functools.partial(progress, str(ref))
        report = run.report(ref, graph, location, artifact, progress=on_resource)
        warnings += found.notes(str(ref))
        return run.verdict("policy analyze", location, [report], multi=False, warnings=warnings)


Loaded = tuple[ResourceGraph, StateSecrets]
"""A stack's graph, and what became of its secrets."""


def _read_ahead(
    backend: Backend, stacks: Sequence[BackendStack], workers: int, passphrase: PassphraseSource
) -> Iterator[tuple[BackendStack, Future[Loaded]]]:
    """Read and parse states on a thread pool, yielding them in order."""

    def load(s: BackendStack) -> Loaded:
        data = backend.read(s)
        found = StateSecrets(passphrase)
        graph = load_state(
            data,
            source=s.url,
            project=s.ref.project or None,
            stack=s.ref.stack,
            organization=s.ref.organization,
            secrets=found,
        )
        return graph, found

    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(stacks))), thread_name_prefix="cdcml-read")
    futures: list[Future[Loaded]] = []
    try:
        futures = [pool.submit(load, s) for s in stacks]
        yield from zip(stacks, futures, strict=True)
    finally:
        for f in futures:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def analyze_backend(
    url: str,
    *,
    stack: str | None = None,
    project: str | None = None,
    pack_dirs: Sequence[str | os.PathLike[str]] = (),
    config_files: Sequence[str | os.PathLike[str]] = (),
    waivers: Sequence[Waiver] = (),
    baseline: Baseline | None = None,
    today: dt.date | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = 8,
    progress: Progress | None = None,
    timeouts: Timeouts | None = None,
    shard: ShardSpec | None = None,
    jobs: int = 1,
) -> Verdict:
    """Verdict one stack (*stack*: ``organization/<project>/<stack>``) or every stack (of
    *project*, when given) of the self-managed backend at *url* — with *shard*, only the
    stacks of that shard (:mod:`cdcml.runs.shards`), everything else as for all of them.
    *jobs* > 1 analyzes the stacks in that many processes (each with its own packs'
    processes); the verdict is the one of ``jobs=1``."""
    backend = open_backend(url, timeout=timeout)
    try:
        if stack is not None:
            selected = [backend.find(stack)]
            wanted_project = stack.split("/")[1] if stack.count("/") == 2 else None
        else:
            selected = backend.select(project)
            wanted_project = project
        first = selected[0].ref if selected else StackRef("organization", project or "project", "stack")
        prepared = _prepare(
            pack_dirs, config_files, waivers, baseline, today, timeouts, first.project or "project", first.stack
        )
        with prepared as (run, pack_warnings):
            warnings = [*backend.warnings, *pack_warnings]
            scope = _Scope(stack, wanted_project, project, _sharding(selected, shard))
            return _analyze_stacks(backend, selected, run, warnings, scope, workers, progress, jobs, timeout)
    finally:
        backend.close()


@dataclass(frozen=True)
class _Scope:
    """What a backend run audits: one stack, every stack (of a project), or a shard of them."""

    stack: str | None
    wanted_project: str | None
    project: str | None
    shard: Shard | None  # positions: the listing positions of the shard's stacks


def _sharding(selected: Sequence[BackendStack], spec: ShardSpec | None) -> Shard | None:
    if spec is None:
        return None
    names = [str(s.ref) for s in selected]
    mine = tuple(i for i, name in enumerate(names) if spec.holds(name))
    return Shard(spec.index, spec.count, len(names), listing_digest(names), mine)


def _analyze_stacks(
    backend: Backend,
    selected: Sequence[BackendStack],
    run: _Run,
    warnings: list[str],
    scope: _Scope,
    workers: int,
    progress: Progress | None,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
) -> Verdict:
    stack, project, shard = scope.stack, scope.project, scope.shard
    if not selected and stack is None:
        where = f" of project {project!r}" if project else ""
        raise BackendError(f"{backend.url}: no stacks{where} to analyze")
    positions = shard.positions if shard is not None else tuple(range(len(selected)))
    reports: list[StackReport] = []
    kept: list[int] = []
    mine = [selected[p] for p in positions]
    total = len(mine)
    if jobs > 1 and total > 1:
        found = _in_jobs(_Chunk.of(backend, run, scope, workers, timeout), mine, jobs)
    else:
        found = _reports(backend, mine, run, scope, workers, progress)
    for i, report, notes in found:
        reports.append(report)
        warnings += notes
        kept.append(positions[i])
    if progress is not None:
        progress(f"{total} stacks", total, total)
    if stack is None and not reports and shard is None:
        where = f" of project {project!r}" if project else ""
        raise BackendError(f"{backend.url}: no stacks{where} to analyze")
    if shard is not None:
        shard = dataclasses.replace(shard, positions=tuple(kept))
    return run.verdict("policy analyze", backend.url, reports, multi=stack is None, warnings=warnings, shard=shard)


Found = Iterable[tuple[int, StackReport, list[str]]]
"""Each analyzed stack: its position among the stacks of the run, its report, its notes."""


def _reports(
    backend: Backend,
    mine: Sequence[BackendStack],
    run: _Run,
    scope: _Scope,
    workers: int,
    progress: Progress | None,
) -> Found:
    """Read (ahead, on threads) and analyze *mine*, stack after stack, in this process."""
    passphrase = PassphraseSource(error=StateError)
    for i, (s, future) in enumerate(_read_ahead(backend, mine, workers, passphrase)):
        if progress is not None:
            progress(str(s.ref), i, len(mine))
        try:
            graph, found = future.result()
        except StateError as e:
            raise StateError(f"stack {s.ref}: {e.message}") from None
        if s.legacy and scope.wanted_project is not None and graph.project != scope.wanted_project:
            if scope.stack is not None:
                raise BackendError(
                    f"{backend.url}: stack {s.ref.stack!r} (legacy layout) belongs to project "
                    f"{graph.project!r}, not {scope.wanted_project!r}"
                )
            continue
        ref = StackRef(s.ref.organization, graph.project, graph.stack)
        artifact = backend_artifact(backend, s, graph.project, graph.stack)
        yield i, run.report(ref, graph, s.url, artifact, s.locks), found.notes(str(ref))


@dataclass(frozen=True)
class _Chunk:
    """What one job process of ``--jobs N`` is given: the run's settings and its stacks."""

    url: str
    timeout: float
    settings: _Settings
    scope: _Scope
    workers: int
    stacks: tuple[BackendStack, ...] = ()

    @staticmethod
    def of(backend: Backend, run: _Run, scope: _Scope, workers: int, timeout: float) -> _Chunk:
        assert run.settings is not None
        return _Chunk(backend.url, timeout, run.settings, scope, workers)


def _analyze_chunk(chunk: _Chunk) -> list[tuple[int, StackReport, list[str]]]:
    """In a job process: open the backend, load the packs (their own processes), analyze
    the chunk's stacks as one process would."""
    backend = open_backend(chunk.url, timeout=chunk.timeout)
    try:
        with _prepare(*chunk.settings) as (run, _warnings):
            return list(_reports(backend, chunk.stacks, run, chunk.scope, chunk.workers, None))
    finally:
        backend.close()


def _in_jobs(base: _Chunk, mine: Sequence[BackendStack], jobs: int) -> Found:
    """*mine* in up to *jobs* processes, each a consecutive run of stacks; what they found
    in the stacks' order (the first error in that order wins, as in one process). The
    reports' secrets become secrets of this run, for everything it prints."""
    size = -(-len(mine) // min(jobs, len(mine)))
    chunks = [tuple(mine[k : k + size]) for k in range(0, len(mine), size)]
    out: list[tuple[int, StackReport, list[str]]] = []
    pool = ProcessPoolExecutor(max_workers=len(chunks), mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = [pool.submit(_analyze_chunk, dataclasses.replace(base, stacks=c)) for c in chunks]
        for k, future in enumerate(futures):
            out += [(k * size + i, report, notes) for i, report, notes in future.result()]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for _i, report, _notes in out:
        remember_graph(report.graph)
    return out


def analyze_graphs(
    graphs: Sequence[ResourceGraph],
    packs: Sequence[Pack],
    configs: Sequence[PackConfig],
    *,
    source: str = "graphs",
    waivers: Sequence[Waiver] = (),
    baseline: Baseline | None = None,
    today: dt.date | None = None,
) -> Verdict:
    """Verdict in-memory state graphs with packs already loaded in this process (tests,
    benchmarks): evaluated here, not in the packs' own processes."""
    evaluator = functools.partial(evaluate, packs=packs, configs=configs, apply_remediations=False)
    run = _Run(packs, policy_infos(packs, configs), tuple(waivers), baseline, today or today_utc(), evaluator)
    reports = [
        run.report(StackRef(g.organization, g.project, g.stack), g, source, Artifact(f"{g.project}/{g.stack}"))
        for g in graphs
    ]
    return run.verdict("policy analyze", source, reports, multi=len(graphs) != 1, warnings=())
