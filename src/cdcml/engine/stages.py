"""One pack's share of an evaluation, stage by stage: what a pack's own process runs.

:func:`~cdcml.engine.evaluate.evaluate` walks the resources once and, for each, runs every
pack's ``Remediate`` (in pack order, each seeing the previous one's output when
remediations are applied) and then every pack's ``Analyze``; ``AnalyzeStack`` comes last.
With each pack in its own process, the same order is kept in two stages
(:mod:`cdcml.engine.isolated` joins them):

1. ``remediate``: only packs with a policy at ``remediate`` level, one after the other,
   each given the inputs the previous packs' remediations produced;
2. ``analyze``: every pack at once, on the final inputs, then its stack policies.

Each stage runs the evaluator of :mod:`cdcml.engine.evaluate` on one pack, so the
semantics are that module's, and tags what it finds with the resource's position (its
index among the live resources; the stack is the position after the last). A stage stops
at its first error and says where: the run's error is then the one the sequential order
meets first (:attr:`Stage.error`), as in process.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cdcml.collector import old_objects_frozen
from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import PolicyCrashError, Watch, _Evaluator, _PackRun
from cdcml.engine.pack import Pack
from cdcml.errors import CdcmlError
from cdcml.model import EnforcementLevel, Finding, PackRef, Remediation, ResourceGraph

__all__ = ["ANALYZE", "CONVERT", "REMEDIATE", "Stage", "StageError", "run_stage"]

CONVERT, REMEDIATE, ANALYZE = 0, 1, 2
"""The steps at one position, in the order the evaluator takes them (the key of an error)."""


@dataclass(frozen=True)
class StageError:
    """Where a stage stopped: (position, step) orders errors as the sequential run meets
    them; *crash* says a policy raised (else the graph can't reach a pack: a NaN)."""

    position: int
    step: int
    crash: bool
    message: str

    @property
    def key(self) -> tuple[int, int]:
        return (self.position, self.step)

    def exception(self) -> CdcmlError:
        return PolicyCrashError(self.message) if self.crash else CdcmlError(self.message)


@dataclass
class Stage:
    """What one pack's stage found, by position."""

    findings: list[tuple[int, Finding]] = field(default_factory=list)
    remediations: list[tuple[int, Remediation]] = field(default_factory=list)
    wires: dict[int, dict[str, Any]] = field(default_factory=dict)
    """``remediate``: the inputs after this pack's remediations, where they changed."""
    ran: tuple[str, ...] = ()
    """``analyze``: the resource policies that run on every resource (``pack/policy``)."""
    stack_ran: tuple[str, ...] = ()
    error: StageError | None = None


class _Stages(_Evaluator):
    def __init__(self, graph: ResourceGraph, run: _PackRun, watch: Watch | None) -> None:
        super().__init__(graph, [run], True, None, watch)
        self.stage = Stage()
        self.live = [r for r in graph.resources if not r.delete]

    def _take(self, position: int) -> None:
        """Move what the evaluator found at *position* into the stage."""
        self.stage.findings.extend((position, f) for f in self.findings)
        self.stage.remediations.extend((position, r) for r in self.remediations)
        self.findings.clear()
        self.remediations.clear()

    def _stop(self, position: int, step: int, e: CdcmlError) -> None:
        crash = isinstance(e, PolicyCrashError)
        self.stage.error = StageError(position, step if crash else CONVERT, crash, e.message)

    def remediate(self, wires: Mapping[int, dict[str, Any]], limit: int) -> Stage:
        run = self.runs[0]
        for i, r in enumerate(self.live[:limit]):
            self.position = i
            try:
                wire, opts, provider = self._prepare(r)
                remediated = self._remediate(run, r, dict(wires.get(i, wire)), opts, provider)
            except CdcmlError as e:
                self._stop(i, REMEDIATE, e)
                return self.stage
            self._take(i)
            if remediated is not None:
                self.stage.wires[i] = remediated
        return self.stage

    def analyze(self, wires: Mapping[int, dict[str, Any]], limit: int, progress: Callable[[int], None]) -> Stage:
        from pulumi_policy.deserialize import deserialize_properties

        run = self.runs[0]
        for i, r in enumerate(self.live[:limit]):
            self.position = i
            try:
                wire, opts, provider = self._prepare(r)
                self._analyze(run, r, deserialize_properties(dict(wires.get(i, wire))), opts, provider, [])
            except CdcmlError as e:
                self._stop(i, ANALYZE, e)
                return self.stage
            self._take(i)
            progress(i + 1)
        self.stage.ran = self._resource_policies()
        if limit >= len(self.live):
            self.position = -1
            try:
                self.stage.stack_ran = tuple(self._stack(self.live))
            except CdcmlError as e:
                self._stop(len(self.live), ANALYZE, e)
                return self.stage
            self._take(len(self.live))
        return self.stage

    def _resource_policies(self) -> tuple[str, ...]:
        """The policies ``_analyze`` runs on every resource (it skips the same ones for each)."""
        run = self.runs[0]
        return tuple(
            f"{run.pack.name}/{p.name}"
            for p, level in run.levels
            if isinstance(p, self.sdk.ResourceValidationPolicy)
            and level is not EnforcementLevel.DISABLED
            and p.has_validation()
        )


def run_stage(
    graph: ResourceGraph,
    pack: Pack,
    config: PackConfig,
    stage: str,
    *,
    wires: Mapping[int, dict[str, Any]] | None = None,
    limit: int | None = None,
    watch: Watch | None = None,
    progress: Callable[[int], None] | None = None,
) -> Stage:
    """Run *stage* (``remediate`` or ``analyze``) of *pack* over *graph*'s first *limit*
    live resources (all by default), with *wires* replacing the inputs of the positions it
    names (the output of earlier packs' remediations)."""
    run = _PackRun(pack, config, PackRef(pack.name, pack.version))
    evaluator = _Stages(graph, run, watch)
    end = len(evaluator.live) if limit is None else limit

    def go() -> Stage:
        evaluator._configure_runtime()
        if stage == "remediate":
            return evaluator.remediate(wires or {}, end)
        if stage == "analyze":
            return evaluator.analyze(wires or {}, end, progress or (lambda _done: None))
        raise ValueError(f"unknown stage {stage!r}")

    with old_objects_frozen():
        return contextvars.copy_context().run(go)
