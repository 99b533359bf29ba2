"""Evaluate a graph with each pack in its own process, with the verdicts of
:func:`cdcml.engine.evaluate.evaluate`.

The packs' workers (:mod:`cdcml.engine.worker`) run the two stages of
:mod:`cdcml.engine.stages`: first ``remediate``, pack after pack, only for packs with a
policy at ``remediate`` level (each pack's remediated inputs are handed to the next when
remediations are applied); then ``analyze`` on every pack at once. This module joins
what they found in the order the in-process evaluator finds it — per resource, every
pack's remediation findings, then every pack's analysis findings; the stack last — so the
:class:`~cdcml.model.Findings` are the same, finding for finding.

Nothing a pack answers is taken on trust: a finding, remediation or policy list that
names another pack, a policy the pack doesn't have, or a position outside the graph is a
protocol error (:class:`~cdcml.workers.WorkerFailure`). A pack can speak only for itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cdcml.engine.config import PackConfig
from cdcml.engine.stages import Stage, StageError
from cdcml.engine.worker import GraphPayload, PackHandle, encode_graph, new_graph_id
from cdcml.model import (
    EnforcementLevel,
    EvaluatedResource,
    Finding,
    Findings,
    PackRef,
    Remediation,
    ResourceGraph,
)
from cdcml.model.codec import CodecError, finding_from_plain, remediation_from_plain
from cdcml.workers import WorkerFailure, reply_error, wait_replies

__all__ = ["evaluate_isolated", "has_remediations"]

Progress = Callable[[int, int], None]


def has_remediations(handle: PackHandle, config: PackConfig) -> bool:
    """Whether *handle*'s pack has a resource policy at ``remediate`` level under *config*."""
    pack = handle.pack
    return any(
        m.policy_type == "resource" and pack.policy_level(m, config.level(m.name)) is EnforcementLevel.REMEDIATE
        for m in pack.metas()
    )


def _check_stage(handle: PackHandle, plain: Any, positions: int) -> Stage:
    """*plain* as a :class:`Stage` of *handle*'s pack; a protocol error when it isn't one."""
    pack = handle.pack
    names = set(pack.policy_names())
    what = f"policy pack {pack.name}"

    def position(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= positions:
            raise CodecError(f"position {str(value)[:20]} is outside the graph")
        return value

    def own(item: Finding | Remediation) -> None:
        if item.pack != pack.name or item.pack_version != pack.version or item.policy not in names:
            raise CodecError(f"it answered for {item.pack}/{item.policy}, which is not one of its policies")

    def qualified(values: Any) -> tuple[str, ...]:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise CodecError("a policy list is not a list of names")
        prefix = f"{pack.name}/"
        for v in values:
            if not v.startswith(prefix) or v[len(prefix) :] not in names:
                raise CodecError(f"it listed {v[:80]!r}, which is not one of its policies")
        return tuple(values)

    try:
        if not isinstance(plain, dict):
            raise CodecError("the stage is not an object")
        stage = Stage()
        for i, f in plain["findings"]:
            finding = finding_from_plain(f)
            own(finding)
            stage.findings.append((position(i), finding))
        for i, r in plain["remediations"]:
            remediation = remediation_from_plain(r)
            own(remediation)
            stage.remediations.append((position(i), remediation))
        for i, w in plain["wires"]:
            if not isinstance(w, dict):
                raise CodecError("remediated inputs are not an object")
            stage.wires[position(i)] = w
        stage.ran = qualified(plain["ran"])
        stage.stack_ran = qualified(plain["stackRan"])
        error = plain["error"]
        if error is not None:
            stage.error = StageError(
                position(error["position"]), int(error["step"]), bool(error["crash"]), str(error["message"])
            )
        return stage
    except (CodecError, KeyError, TypeError, ValueError) as e:
        raise WorkerFailure(f"{what} broke the worker protocol: {e}"[:400]) from None


class _Run:
    """One evaluation over the packs' workers."""

    def __init__(
        self,
        graph: ResourceGraph,
        handles: Sequence[PackHandle],
        configs: Sequence[PackConfig],
        policy_timeout: float,
        progress: Progress | None,
    ) -> None:
        self.graph = graph
        self.handles = handles
        self.configs = configs
        self.policy_timeout = policy_timeout
        self.progress = progress
        self.live = [r for r in graph.resources if not r.delete]
        self.graph_id = new_graph_id()
        self._payload: GraphPayload | None = None
        self.done = [0] * len(handles)
        self.shown = 0

    def graph_payload(self) -> GraphPayload:
        if self._payload is None:
            self._payload = encode_graph(self.graph)
        return self._payload

    def stages(self, stage: str, which: Sequence[int], wires: Mapping[int, Any], limit: int) -> dict[int, Stage]:
        """Run *stage* on the packs *which* (indexes into the handles) at once."""
        pending = []
        for p in which:
            on_event = self._on_progress(p) if stage == "analyze" else None
            pending.append(
                self.handles[p].begin_stage(
                    self.live,
                    self.graph_id,
                    self.graph_payload,
                    self.configs[p],
                    stage,
                    wires=wires,
                    limit=limit,
                    policy_timeout=self.policy_timeout,
                    on_event=on_event,
                )
            )
        replies = wait_replies(pending)
        out = {}
        for p, reply in zip(which, replies, strict=True):
            if not reply.get("ok"):
                error = reply_error(reply)
                self.handles[p].failed = True
                raise WorkerFailure(
                    f"policy pack {self.handles[p].pack.name}: cdcml's evaluator failed: {error.get('message')}"[:400]
                )
            out[p] = _check_stage(self.handles[p], reply.get("stage"), len(self.live))
        return out

    def _on_progress(self, p: int) -> Callable[[dict[str, Any]], None]:
        def on_event(event: dict[str, Any]) -> None:
            done = event.get("done")
            if isinstance(done, int) and not isinstance(done, bool):
                self.done[p] = max(self.done[p], min(done, len(self.live)))
                least = min(self.done[i] for i in range(len(self.handles)))
                if self.progress is not None and least > self.shown:
                    self.shown = least
                    self.progress(least, len(self.live) + 1)

        return on_event


def evaluate_isolated(
    graph: ResourceGraph,
    handles: Sequence[PackHandle],
    configs: Sequence[PackConfig],
    *,
    apply_remediations: bool | None = None,
    progress: Progress | None = None,
    policy_timeout: float,
) -> Findings:
    """Run the packs of *handles* (each in its own process, ``configs[i]`` configuring
    ``handles[i]``) over *graph*: the findings :func:`~cdcml.engine.evaluate.evaluate`
    would give, or the first error it would meet."""
    if apply_remediations is None:
        apply_remediations = graph.source != "state"
    run = _Run(graph, handles, configs, policy_timeout, progress)
    live = run.live
    limit = len(live)
    wires: dict[int, Any] = {}
    errors: list[tuple[tuple[int, int, int], StageError]] = []
    remediated: dict[int, Stage] = {}
    for p, handle in enumerate(handles):
        if not has_remediations(handle, configs[p]):
            continue
        stage = run.stages("remediate", [p], wires if apply_remediations else {}, limit)[p]
        remediated[p] = stage
        if apply_remediations:
            wires.update(stage.wires)
        if stage.error is not None:
            errors.append(((*stage.error.key, p), stage.error))
            limit = min(limit, stage.error.position)
    analyzed = run.stages("analyze", range(len(handles)), wires if apply_remediations else {}, limit)
    for p, stage in analyzed.items():
        if stage.error is not None:
            errors.append(((*stage.error.key, p), stage.error))
    if errors:
        raise min(errors, key=lambda e: e[0])[1].exception()
    if progress is not None:
        progress(len(live) + 1, len(live) + 1)
    return _join(graph, handles, live, remediated, analyzed)


def _join(
    graph: ResourceGraph,
    handles: Sequence[PackHandle],
    live: Sequence[Any],
    remediated: Mapping[int, Stage],
    analyzed: Mapping[int, Stage],
) -> Findings:
    """The packs' stages as one :class:`Findings`, in the in-process evaluator's order."""
    order = range(len(handles))

    def by_position(items: Sequence[tuple[int, Any]]) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = {}
        for i, item in items:
            out.setdefault(i, []).append(item)
        return out

    r_findings = {p: by_position(s.findings) for p, s in remediated.items()}
    r_remediations = {p: by_position(s.remediations) for p, s in remediated.items()}
    a_findings = {p: by_position(s.findings) for p, s in analyzed.items()}
    findings: list[Finding] = []
    remediations: list[Remediation] = []
    for i in range(len(live) + 1):
        for p in order:
            findings.extend(r_findings.get(p, {}).get(i, ()))
            remediations.extend(r_remediations.get(p, {}).get(i, ()))
        for p in order:
            findings.extend(a_findings[p].get(i, ()))
    ran = tuple(name for p in order for name in analyzed[p].ran)
    return Findings(
        project=graph.project,
        stack=graph.stack,
        source=graph.source,
        packs=tuple(PackRef(h.pack.name, h.pack.version) for h in handles),
        findings=tuple(findings),
        remediations=tuple(remediations),
        evaluated=tuple(EvaluatedResource(r.urn, r.type, r.name, ran) for r in live),
        stack_policies=tuple(name for p in order for name in analyzed[p].stack_ran),
    )
