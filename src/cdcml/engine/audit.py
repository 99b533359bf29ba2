"""Audit: policy packs over what is deployed, as ``pulumi policy analyze`` runs them.

For each stack (one export or checkpoint file, one stack of a self-managed backend, or
every stack of it): load the state (:mod:`cdcml.engine.state`), then evaluate with the
semantics of ``AnalyzeSnapshot`` (``pkg/resource/deploy/analyze_snapshot.go``) —
``delete: true`` resources skipped, Remediate reported and **not applied**, Analyze on the
stored inputs with dry-run on, AnalyzeStack on the stored outputs. A stack without
resources is not analyzed ("nothing to analyze"). Then a baseline removes the findings a
previous report already had, and waivers mark accepted risks
(:mod:`cdcml.engine.waivers`).

The result (:class:`Audit`) is what every report renders, for ``policy analyze`` and for
``preview`` alike (:func:`from_preview`). Nothing here prints, and nothing is written to
a backend.

Reads are done ahead on a small thread pool (network latency overlaps evaluation, which
runs on the calling thread, stack after stack); the first failure stops the run with a
:class:`~cdcml.errors.CdcmlError` and no partial result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cdcml.engine.backends import DEFAULT_TIMEOUT, Backend, BackendStack, LockInfo, StackRef, open_backend
from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import DEFAULT_PACK, Pack, policy_severity
from cdcml.engine.state import load_state, non_finite_numbers
from cdcml.engine.waivers import Baseline, Waiver, WaiverMatch, match_waivers, today_utc
from cdcml.engine.wire import graph_secrets, redact_text
from cdcml.errors import BackendError, PackError, StateError
from cdcml.model import EnforcementLevel, Finding, Findings, FrozenDict, PackRef, ResourceGraph, Severity

__all__ = [
    "DEFAULT_PACK",
    "Artifact",
    "Audit",
    "PolicyInfo",
    "Progress",
    "StackReport",
    "analyze_backend",
    "analyze_file",
    "analyze_graphs",
    "default_pack_dirs",
    "from_preview",
    "policy_infos",
    "scrub_findings",
]

SRCROOT = "%SRCROOT%"
BACKEND_ROOT = "BACKEND"

Progress = Callable[[str, int, int], None]
"""``progress(what, done, total)``: ``what`` names the stack being read or analyzed."""


# --------------------------------------------------------------------------- policy metadata


@dataclass(frozen=True)
class PolicyInfo:
    """A policy's metadata as reports show it, with its effective enforcement level."""

    pack: str
    pack_version: str
    name: str
    policy_type: str  # "resource" | "stack"
    description: str
    level: EnforcementLevel
    severity: Severity
    tags: tuple[str, ...] = ()
    remediation_steps: str = ""
    url: str = ""
    framework: Mapping[str, str] | None = None
    resource_types: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.pack}/{self.name}"


def policy_infos(packs: Sequence[Pack], configs: Sequence[PackConfig | None] = ()) -> tuple[PolicyInfo, ...]:
    """Every policy of *packs*, in pack order, with the level *configs* give it."""
    from pulumi_policy import StackValidationPolicy

    out = []
    for i, pack in enumerate(packs):
        config = configs[i] if i < len(configs) else None
        for p in pack.policies:
            fw = getattr(p, "framework", None)
            framework = (
                {k: str(getattr(fw, k)) for k in ("name", "version", "reference", "specification") if getattr(fw, k)}
                if fw is not None
                else None
            )
            out.append(
                PolicyInfo(
                    pack=pack.name,
                    pack_version=pack.version,
                    name=p.name,
                    policy_type="stack" if isinstance(p, StackValidationPolicy) else "resource",
                    description=p.description or "",
                    level=pack.policy_level(p, config.level(p.name) if config is not None else None),
                    severity=policy_severity(p),
                    tags=tuple(str(t) for t in (getattr(p, "tags", None) or ())),
                    remediation_steps=str(getattr(p, "remediation_steps", None) or ""),
                    url=str(getattr(p, "url", None) or ""),
                    framework=framework or None,
                    resource_types=tuple(getattr(p, "resource_types", ()) or ()),
                )
            )
    return tuple(out)


def default_pack_dirs(start: str | os.PathLike[str] = ".") -> list[Path]:
    """``policies/cdc-ml-guardrails`` of the repository *start* is in (searching upwards),
    or ``[]`` outside one."""
    here = Path(start).resolve()
    for d in (here, *here.parents):
        if (d / DEFAULT_PACK / "PulumiPolicy.yaml").is_file():
            return [d / DEFAULT_PACK]
    return []


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Artifact:
    """Where a stack's findings point in the repository or the backend (SARIF's physical
    location): ``uri`` relative to ``base_id`` (whose absolute URI is ``base_uri``), or an
    absolute URI when ``base_id`` is empty; ``lines`` maps URNs to their line in the file."""

    uri: str
    base_id: str = ""
    base_uri: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StackReport:
    """One stack's verdicts: its graph, its findings (baselined ones removed), the waivers
    that matched them (by finding index), and any lock an update holds on it."""

    ref: StackRef
    graph: ResourceGraph
    findings: Findings
    location: str
    artifact: Artifact
    locks: tuple[LockInfo, ...] = ()
    waivers: Mapping[int, WaiverMatch] = field(default_factory=dict)
    baselined: int = 0

    @property
    def name(self) -> str:
        return f"{self.ref.organization}/{self.findings.project}/{self.findings.stack}"

    def waived(self, index: int) -> bool:
        match = self.waivers.get(index)
        return match is not None and match.active

    @property
    def mandatory(self) -> tuple[Finding, ...]:
        """Mandatory violations that no active waiver covers."""
        return tuple(f for i, f in enumerate(self.findings.findings) if f.is_mandatory_violation and not self.waived(i))

    def counts(self) -> dict[str, int]:
        c = self.findings.counts()
        waived = [i for i in self.waivers if self.waived(i)]
        c["waived"] = len(waived)
        for i in waived:
            f = self.findings.findings[i]
            c["mandatory" if f.is_mandatory_violation else "advisory"] -= 1
        c["baselined"] = self.baselined
        return c

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory else 0


@dataclass(frozen=True)
class Audit:
    """The verdicts of one run over one or more stacks."""

    command: str  # "preview" | "policy analyze"
    source: str  # the state file, backend URL or program directory
    stacks: tuple[StackReport, ...]
    packs: tuple[PackRef, ...]
    policies: tuple[PolicyInfo, ...]
    multi: bool = False  # a run over a whole backend (reports are "stacks" documents)
    waivers: tuple[Waiver, ...] = ()
    expired_waivers: tuple[Waiver, ...] = ()
    warnings: tuple[str, ...] = ()
    today: dt.date | None = None

    @property
    def exit_code(self) -> int:
        """1 when any stack has an unwaived mandatory violation or a waiver has expired."""
        if self.expired_waivers or any(s.exit_code for s in self.stacks):
            return 1
        return 0

    def totals(self) -> dict[str, int]:
        keys = ("mandatory", "advisory", "unknown", "not-applicable", "remediations", "waived", "baselined")
        total = dict.fromkeys(keys, 0)
        total["resources"] = 0
        for s in self.stacks:
            for k, v in s.counts().items():
                total[k] = total.get(k, 0) + v
            total["resources"] += len(s.findings.evaluated)
        total["stacks"] = len(self.stacks)
        total["locked"] = sum(1 for s in self.stacks if s.locks)
        return total


# --------------------------------------------------------------------------- pieces


def scrub_findings(findings: Findings, graph: ResourceGraph) -> Findings:
    """*findings* with every secret of *graph* (plaintexts of secret property values and
    of secret config) replaced by ``"[secret]"`` in messages and remediated properties.
    A policy may echo a value it read; reports must never carry a secret."""
    values = graph_secrets(graph)
    if not values:
        return findings

    def clean(text: str) -> str:
        return redact_text(text, values)

    def clean_value(value: Any) -> Any:
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, Mapping):
            return FrozenDict({k: clean_value(v) for k, v in value.items()})
        if isinstance(value, (list, tuple)):
            return tuple(clean_value(v) for v in value)
        return value

    changed = [
        dataclasses.replace(f, message=clean(f.message), description=clean(f.description)) for f in findings.findings
    ]
    remediations = [dataclasses.replace(r, properties=clean_value(r.properties)) for r in findings.remediations]
    return dataclasses.replace(findings, findings=tuple(changed), remediations=tuple(remediations))


_URN_KEY = re.compile(r'"urn"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _urn_lines(text: str) -> dict[str, int]:
    """The line of each resource's ``"urn"`` key in a state file (its first occurrence)."""
    lines: dict[str, int] = {}
    line, pos = 1, 0
    for m in _URN_KEY.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        try:
            urn = json.loads(f'"{m.group(1)}"')
        except ValueError:
            continue
        lines.setdefault(urn, line)
    return lines


def _file_uri(path: Path) -> str:
    return path.resolve().as_uri()


def _repo_artifact(path: Path, lines: Mapping[str, int] | None = None) -> Artifact:
    """A file as SARIF wants it: relative to the working directory when inside it."""
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    try:
        rel = resolved.relative_to(cwd)
    except ValueError:
        return Artifact(_file_uri(resolved), lines=lines or {})
    return Artifact(rel.as_posix(), SRCROOT, cwd.as_uri() + "/", lines or {})


def _local_stack_file(project: str, stack: str) -> Path | None:
    """``Pulumi.<stack>.yaml`` in the working directory, when it is that project's."""
    project_file = Path("Pulumi.yaml")
    stack_file = Path(f"Pulumi.{stack}.yaml")
    if not project_file.is_file() or not stack_file.is_file():
        return None
    try:
        doc = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    return stack_file if isinstance(doc, Mapping) and doc.get("name") == project else None


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


@dataclass
class _Run:
    packs: Sequence[Pack]
    configs: Sequence[PackConfig]
    policies: tuple[PolicyInfo, ...]
    waivers: Sequence[Waiver]
    baseline: Baseline | None
    today: dt.date

    def report(
        self,
        ref: StackRef,
        graph: ResourceGraph,
        location: str,
        artifact: Artifact,
        locks: tuple[LockInfo, ...] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> StackReport:
        if graph.resources:
            _check_numbers(graph, location, self.policies)
            findings = evaluate(graph, self.packs, self.configs, apply_remediations=False, progress=progress)
        else:
            # `pulumi policy analyze`: "Stack … has no resources; nothing to analyze."
            findings = Findings(
                graph.project, graph.stack, graph.source, tuple(PackRef(p.name, p.version) for p in self.packs), ()
            )
        findings = scrub_findings(findings, graph)
        baselined = 0
        if self.baseline is not None:
            findings, baselined = self.baseline.split(findings)
        matches = match_waivers(findings.findings, self.waivers, self.today)
        return StackReport(ref, graph, findings, location, artifact, locks, matches, baselined)

    def audit(
        self, command: str, source: str, reports: Sequence[StackReport], *, multi: bool, warnings: Sequence[str]
    ) -> Audit:
        expired = tuple(w for w in self.waivers if w.expired(self.today))
        return Audit(
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
        )


def _prepare(
    pack_dirs: Sequence[str | os.PathLike[str]],
    config_files: Sequence[str | os.PathLike[str]],
    waivers: Sequence[Waiver],
    baseline: Baseline | None,
    today: dt.date | None,
    project: str = "project",
    stack: str = "stack",
) -> tuple[_Run, list[str]]:
    from cdcml.engine.run import load_packs

    dirs = list(pack_dirs) or default_pack_dirs()
    if not dirs:
        raise PackError(
            f"no policy pack: pass --policy-pack DIR (there is no {DEFAULT_PACK} in this directory or its parents)"
        )
    packs, configs, warnings = load_packs(dirs, config_files, project=project, stack=stack, dry_run=True)
    run = _Run(packs, configs, policy_infos(packs, configs), tuple(waivers), baseline, today or today_utc())
    return run, warnings


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
) -> Audit:
    """Audit one ``pulumi stack export`` file or checkpoint (``-``: standard input)."""
    import sys

    p = str(path)
    if p == "-":
        data, location = sys.stdin.buffer.read(), "<stdin>"
        artifact_path: Path | None = None
    else:
        location = p
        artifact_path = Path(p)
        try:
            data = artifact_path.read_bytes()
        except FileNotFoundError:
            raise StateError(f"state file {p} does not exist") from None
        except IsADirectoryError:
            raise StateError(f"state file {p} is a directory; for a backend use --backend file://{p}") from None
        except OSError as e:
            raise StateError(f"can't read state file {p}: {e.strerror}") from None
    graph = load_state(data, source=location)
    run, warnings = _prepare(pack_dirs, config_files, waivers, baseline, today, graph.project, graph.stack)
    lines: dict[str, int] = {}
    if artifact_path is not None and data[:1] in (b"{", b" ", b"\n", b"\t", b"\r"):
        lines = _urn_lines(data.decode("utf-8", errors="replace"))
    artifact = _repo_artifact(artifact_path, lines) if artifact_path is not None else Artifact("stdin")
    ref = StackRef(graph.organization, graph.project, graph.stack)
    on_resource = None
    if progress is not None:
        progress(str(ref), 0, len(graph) + 1)
        on_resource = functools.partial(progress, str(ref))
    report = run.report(ref, graph, location, artifact, progress=on_resource)
    return run.audit("policy analyze", location, [report], multi=False, warnings=warnings)


def _backend_artifact(backend: Backend, stack: BackendStack, project: str, name: str) -> Artifact:
    local = _local_stack_file(project, name)
    if local is not None:
        return _repo_artifact(local)
    return Artifact(stack.key, BACKEND_ROOT, backend.url.rstrip("/") + "/")


def _read_ahead(
    backend: Backend, stacks: Sequence[BackendStack], workers: int
) -> Iterator[tuple[BackendStack, Future[ResourceGraph]]]:
    """Read and parse states on a thread pool, yielding them in order."""

    def load(s: BackendStack) -> ResourceGraph:
        data = backend.read(s)
        return load_state(
            data,
            source=s.url,
            project=s.ref.project or None,
            stack=s.ref.stack,
            organization=s.ref.organization,
        )

    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(stacks))), thread_name_prefix="cdcml-read")
    futures: list[Future[ResourceGraph]] = []
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
) -> Audit:
    """Audit one stack (*stack*: ``organization/<project>/<stack>``) or every stack (of
    *project*, when given) of the self-managed backend at *url*."""
    backend = open_backend(url, timeout=timeout)
    try:
        if stack is not None:
            selected = [backend.find(stack)]
            wanted_project = stack.split("/")[1] if stack.count("/") == 2 else None
        else:
            selected = backend.select(project)
            wanted_project = project
        first = selected[0].ref if selected else StackRef("organization", project or "project", "stack")
        run, warnings = _prepare(
            pack_dirs, config_files, waivers, baseline, today, first.project or "project", first.stack
        )
        warnings = [*backend.warnings, *warnings]
        reports: list[StackReport] = []
        total = len(selected)
        for i, (s, future) in enumerate(_read_ahead(backend, selected, workers)):
            if progress is not None:
                progress(str(s.ref), i, total)
            try:
                graph = future.result()
            except StateError as e:
                raise StateError(f"stack {s.ref}: {e.message}") from None
            if s.legacy and wanted_project is not None and graph.project != wanted_project:
                if stack is not None:
                    raise BackendError(
                        f"{backend.url}: stack {s.ref.stack!r} (legacy layout) belongs to project "
                        f"{graph.project!r}, not {wanted_project!r}"
                    )
                continue
            ref = StackRef(s.ref.organization, graph.project, graph.stack)
            artifact = _backend_artifact(backend, s, graph.project, graph.stack)
            reports.append(run.report(ref, graph, s.url, artifact, s.locks))
        if progress is not None:
            progress(f"{total} stacks", total, total)
        if stack is None and not reports:
            where = f" of project {project!r}" if project else ""
            raise BackendError(f"{backend.url}: no stacks{where} to analyze")
        return run.audit("policy analyze", backend.url, reports, multi=stack is None, warnings=warnings)
    finally:
        backend.close()


def analyze_graphs(
    graphs: Sequence[ResourceGraph],
    packs: Sequence[Pack],
    configs: Sequence[PackConfig],
    *,
    source: str = "graphs",
    waivers: Sequence[Waiver] = (),
    baseline: Baseline | None = None,
    today: dt.date | None = None,
) -> Audit:
    """Audit in-memory state graphs with already loaded packs (tests, benchmarks)."""
    run = _Run(packs, configs, policy_infos(packs, configs), tuple(waivers), baseline, today or today_utc())
    reports = [
        run.report(StackRef(g.organization, g.project, g.stack), g, source, Artifact(f"{g.project}/{g.stack}"))
        for g in graphs
    ]
    return run.audit("policy analyze", source, reports, multi=len(graphs) != 1, warnings=())


def from_preview(
    graph: ResourceGraph,
    findings: Findings,
    packs: Sequence[Pack],
    configs: Sequence[PackConfig],
    *,
    directory: str | os.PathLike[str] = ".",
) -> Audit:
    """A preview's verdicts as an :class:`Audit` of one stack (for SARIF, JUnit and
    Markdown); findings point at ``Pulumi.<stack>.yaml``."""
    stack_file = Path(directory) / f"Pulumi.{graph.stack}.yaml"
    artifact = _repo_artifact(stack_file)
    ref = StackRef(graph.organization, graph.project, graph.stack)
    report = StackReport(ref, graph, scrub_findings(findings, graph), str(stack_file), artifact)
    return Audit(
        command="preview",
        source=str(Path(directory)),
        stacks=(report,),
        packs=tuple(PackRef(p.name, p.version) for p in packs),
        policies=policy_infos(packs, configs),
    )
