"""A policy pack's own process: loaded there, evaluated there by cdcml's evaluator.

Each pack of a run gets a worker (:class:`cdcml.workers.Worker`, in cdcml's interpreter,
cwd = the pack directory, as the CLI starts a pack). Two requests:

* ``load``: run the pack's ``__main__.py`` as :func:`~cdcml.engine.pack.load_pack` does
  and answer its metadata as plain data (:class:`~cdcml.engine.pack.PolicyMeta` per
  policy, and what the engine reads of ``GetAnalyzerInfo`` to reconcile its config);
* ``stage``: run one stage of the evaluation on the pack (:func:`cdcml.engine.stages.run_stage`)
  and answer what it found, by position. The graph travels with the first request that
  needs it and is kept for the next (``graphId``), so it crosses once per worker: encoded
  once per run by orjson straight from the frozen graph (:func:`encode_graph`) and sent
  as the request's attachment, or — a graph orjson can't carry exactly (NaN, an integer
  past 64 bits, a lone surrogate) — as plain data in the request's JSON.

While a policy runs, the worker marks it on its status board, so cdcml can stop a single
policy call that runs too long (:class:`cdcml.workers.PolicyClock`) even if it never
yields the GIL. cdcml's side is :class:`PackHandle` (:func:`start_load` →
:meth:`PendingPack.result`); :mod:`cdcml.engine.isolated` runs the stages.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from cdcml import secrets
from cdcml.engine.config import PackConfig, PolicyConfig, analyzer_config
from cdcml.engine.pack import Pack, PolicyMeta, load_pack, preflight
from cdcml.engine.stages import Stage, run_stage
from cdcml.errors import CdcmlError, PackError
from cdcml.model import EnforcementLevel, Resource, ResourceGraph, Severity
from cdcml.model.codec import finding_to_plain, graph_from_plain, graph_to_plain, remediation_to_plain
from cdcml.model.values import all_finite, graph_secrets
from cdcml.workers import (
    POOL,
    Channel,
    Pending,
    PolicyClock,
    Worker,
    WorkerFailure,
    apply_environment,
    describe_exit,
    reply_error,
    seconds,
    wait_reply,
)

__all__ = ["GraphPayload", "PackHandle", "PendingPack", "encode_graph", "handle", "hello", "start_load"]

_PROGRESS_EVERY = 0.1


# --------------------------------------------------------------------------- plain data


def config_to_plain(config: PackConfig) -> dict[str, Any]:
    return {
        "pack": config.pack,
        "policies": {
            name: {
                "level": None if c.enforcement_level is None else str(c.enforcement_level),
                "properties": None if c.properties is None else dict(c.properties),
            }
            for name, c in config.policies.items()
        },
    }


def config_from_plain(plain: Mapping[str, Any]) -> PackConfig:
    return PackConfig(
        pack=str(plain["pack"]),
        policies={
            str(name): PolicyConfig(
                None if c["level"] is None else EnforcementLevel(c["level"]),
                None if c["properties"] is None else dict(c["properties"]),
            )
            for name, c in plain["policies"].items()
        },
    )


def _pack_to_plain(pack: Pack) -> dict[str, Any]:
    def value(o: Any) -> Any:
        return getattr(o, "value", str(o))

    return {
        "name": pack.name,
        "version": pack.version,
        "enforcementLevel": str(pack.enforcement_level),
        "initialConfig": json.loads(json.dumps(dict(pack.initial_config), default=value)),
        "description": pack.description,
        "displayName": pack.display_name,
        "readme": pack.readme,
        "provider": pack.provider,
        "tags": list(pack.tags),
        "repository": pack.repository,
        "policies": [m.to_plain() for m in pack.metas()],
        "analyzerConfig": analyzer_config(pack),
    }


def _meta_from_plain(p: Mapping[str, Any]) -> PolicyMeta:
    return PolicyMeta(
        name=str(p["name"]),
        policy_type="stack" if p["policyType"] == "stack" else "resource",
        description=str(p["description"]),
        enforcement_level=None if p["enforcementLevel"] is None else EnforcementLevel(p["enforcementLevel"]),
        severity=None if p["severity"] is None else Severity(p["severity"]),
        tags=tuple(str(t) for t in p["tags"]),
        remediation_steps=str(p["remediationSteps"]),
        url=str(p["url"]),
        framework=None if p["framework"] is None else {str(k): str(v) for k, v in p["framework"].items()},
        resource_types=tuple(str(t) for t in p["resourceTypes"]),
    )


def _pack_from_plain(plain: Mapping[str, Any], directory: Path) -> Pack:
    return Pack(
        name=str(plain["name"]),
        version=str(plain["version"]),
        policies=tuple(_meta_from_plain(p) for p in plain["policies"]),
        enforcement_level=EnforcementLevel(plain["enforcementLevel"]),
        initial_config=dict(plain["initialConfig"]),
        description=str(plain["description"]),
        display_name=str(plain["displayName"]),
        readme=str(plain["readme"]),
        provider=str(plain["provider"]),
        tags=tuple(str(t) for t in plain["tags"]),
        repository=str(plain["repository"]),
        directory=directory,
        analyzer_config=plain["analyzerConfig"],
    )


def _stage_to_plain(stage: Stage) -> dict[str, Any]:
    error = stage.error
    return {
        "findings": [[i, finding_to_plain(f)] for i, f in stage.findings],
        "remediations": [[i, remediation_to_plain(r)] for i, r in stage.remediations],
        "wires": [[i, w] for i, w in stage.wires.items()],
        "ran": list(stage.ran),
        "stackRan": list(stage.stack_ran),
        "error": None
        if error is None
        else {"position": error.position, "step": error.step, "crash": error.crash, "message": error.message},
    }


GraphPayload = tuple[dict[str, Any] | None, bytes | None]
"""A graph as a ``stage`` request carries it: ``(plain, None)`` or ``(None, encoded)``."""


def encode_graph(graph: ResourceGraph) -> GraphPayload:
    """*graph* for the packs' workers: orjson's encoding of :func:`graph_to_plain`
    (property values as they are, no copy), or the plain data when orjson can't carry it
    exactly (a NaN or an infinity would become ``null``; an integer past 64 bits or a
    lone surrogate is refused)."""
    values: list[Any] = [graph.outputs]
    for r in graph.resources:
        values.append(r.inputs)
        values.append(r.outputs)
    if all_finite(values):
        try:
            return None, orjson.dumps(graph_to_plain(graph, frozen=True))
        except orjson.JSONEncodeError:
            pass
    return graph_to_plain(graph), None


def _decode_graph(request: Mapping[str, Any]) -> ResourceGraph:
    if "attachment" in request:
        return graph_from_plain(orjson.loads(request["attachment"]))
    return graph_from_plain(request["graph"])


# --------------------------------------------------------------------------- in the worker


_PACKS: dict[str, Pack] = {}
_GRAPH: dict[str, ResourceGraph] = {}


def hello() -> dict[str, Any]:
    import pulumi_policy  # noqa: F401 - fails here if the interpreter lacks the policy SDK

    import cdcml.engine.stages  # noqa: F401

    return {"python": sys.version.split()[0], "executable": sys.executable}


def _progress(channel: Channel) -> Callable[[int], None]:
    last = [0.0]

    def report(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= _PROGRESS_EVERY:
            last[0] = now
            channel.send({"event": "progress", "done": done})

    return report


def handle(request: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """One request: ``load`` a pack, or run a ``stage`` of a loaded one."""
    apply_environment(request["env"])
    op = request.get("op")
    if op == "load":
        try:
            pack = load_pack(
                request["directory"],
                project=request["project"],
                stack=request["stack"],
                organization=request["organization"],
                dry_run=request["dryRun"],
            )
        except CdcmlError as e:
            return {"ok": False, "error": {"type": type(e).__name__, "message": e.message}}
        _PACKS[request["key"]] = pack
        return {"ok": True, "pack": _pack_to_plain(pack)}
    if op == "stage":
        if "graph" in request or "attachment" in request:
            _GRAPH.clear()
            graph = _GRAPH[request["graphId"]] = _decode_graph(request)
            # What a policy prints leaves this process without the graph's secrets.
            secrets.forget_all()
            secrets.remember(*graph_secrets(graph))
        stage = run_stage(
            _GRAPH[request["graphId"]],
            _PACKS[request["key"]],
            config_from_plain(request["config"]),
            request["stage"],
            wires={int(i): w for i, w in request["wires"]},
            limit=request["limit"],
            watch=channel.board,  # it marks each policy call (a Watch)
            progress=_progress(channel),
        )
        return {"ok": True, "stage": _stage_to_plain(stage)}
    return {"ok": False, "error": {"type": "internal", "message": f"unknown request {op!r}"}}


# --------------------------------------------------------------------------- cdcml's side


_IDS = itertools.count(1)


class PackHandle:
    """A pack loaded in its own process: its metadata (:attr:`pack`) and its worker."""

    def __init__(self, worker: Worker, key: str, pack: Pack, pool_key: tuple[str, str, str]) -> None:
        self.worker = worker
        self.key = key
        self.pack = pack
        self.pool_key = pool_key
        self.graph_id: str | None = None
        self.failed = False

    def _policy_name(self, index: int) -> str:
        policies = self.pack.policies
        return policies[index].name if 0 <= index < len(policies) else "?"

    def begin_stage(
        self,
        live: Sequence[Resource],
        graph_id: str,
        graph_payload: Callable[[], GraphPayload],
        config: PackConfig,
        stage: str,
        *,
        wires: Mapping[int, Any],
        limit: int,
        policy_timeout: float,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> Pending:
        """Send a ``stage`` request; what :func:`cdcml.workers.wait_replies` waits on.
        *live* (the graph's live resources) names the resource of a call that fails."""
        request: dict[str, Any] = {
            "op": "stage",
            "env": dict(os.environ),
            "key": self.key,
            "graphId": graph_id,
            "config": config_to_plain(config),
            "stage": stage,
            "wires": [[i, w] for i, w in wires.items()],
            "limit": limit,
        }
        attachment = None
        if self.graph_id != graph_id:
            plain, attachment = graph_payload()
            if plain is not None:
                request["graph"] = plain
            self.graph_id = graph_id
        self.worker.send(request, attachment)

        def where(policy: int, resource: int) -> str:
            on = live[resource].urn if 0 <= resource < len(live) else "the stack"
            return f"policy {self.pack.name}/{self._policy_name(policy)} on {on}"

        def timed_out() -> str:
            return f"policy pack {self.pack.name} timed out"  # never: each call is timed by the clock

        def died(code: int | None) -> str:
            self.failed = True
            _seq, policy, resource, busy = self.worker.board.read()
            during = f" in {where(policy, resource)}" if busy else " while evaluating"
            return f"policy pack {self.pack.name} {describe_exit(code)}{during}"

        clock = PolicyClock(self.worker.board, policy_timeout, where)

        def check() -> str | None:
            problem = clock()
            if problem is None:
                return None
            self.failed = True
            return f"{problem} (raise the limit with --policy-timeout or CDCML_POLICY_TIMEOUT)"

        return (self.worker, None, timed_out, on_event, check, died)

    def release(self) -> None:
        """Give the worker back to the pool (or close it after a failure)."""
        if self.failed:
            self.worker.reusable = False
        POOL.give(self.pool_key, self.worker)


def new_graph_id() -> str:
    return f"{os.getpid()}-{next(_IDS)}"


class PendingPack:
    """A pack loading in its own process; :meth:`result` waits for its metadata."""

    def __init__(
        self, directory: Path, worker: Worker, fresh: bool, key: str, pool_key: tuple[str, str, str], timeout: float
    ) -> None:
        self.directory = directory
        self.worker = worker
        self.fresh = fresh
        self.key = key
        self.pool_key = pool_key
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self._done = False

    def _timed_out(self) -> str:
        return (
            f"policy pack {self.directory.name} timed out after {seconds(self.timeout)} while loading "
            "(raise the limit with --pack-timeout or CDCML_PACK_TIMEOUT)"
        )

    def _wait(self, what: str) -> dict[str, Any]:
        def died(code: int | None) -> str:
            return f"policy pack {self.directory.name} {describe_exit(code)} {what}"

        return wait_reply(self.worker, deadline=self.deadline, on_timeout=self._timed_out, on_death=died)

    def result(self) -> PackHandle:
        try:
            if self.fresh:
                hello = self._wait("before it started")
                if not hello.get("ok"):
                    raise PackError(f"policy pack {self.directory.name}: can't start its process: {hello.get('fatal')}")
            reply = self._wait("while loading")
            if not reply.get("ok"):
                error = reply_error(reply)
                message = str(error.get("message", "no reason given"))[:2000]
                if error.get("type") == "PackError":
                    raise PackError(message)
                raise WorkerFailure(f"policy pack {self.directory.name} failed to load: {message}")
            try:
                pack = _pack_from_plain(reply["pack"], self.directory)
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise WorkerFailure(f"policy pack {self.directory.name} sent malformed metadata: {e!r}"[:300]) from None
        except BaseException:
            self.abandon()
            raise
        self._done = True
        return PackHandle(self.worker, self.key, pack, self.pool_key)

    def abandon(self) -> None:
        if not self._done:
            self._done = True
            self.worker.reusable = False
            self.worker.close()


def start_load(
    directory: str | os.PathLike[str],
    *,
    project: str,
    stack: str,
    organization: str,
    dry_run: bool,
    timeout: float,
) -> PendingPack:
    """Start loading the pack in *directory* in its own process (the checks that need no
    pack code, such as a missing ``PulumiPolicy.yaml``, fail here, at once)."""
    d = preflight(directory)
    pool_key = ("pack", sys.executable, str(d))
    worker = POOL.take(pool_key)
    fresh = worker is None
    if worker is None:
        worker = Worker(
            f"policy pack {d.name}",
            sys.executable,
            "cdcml.engine.worker",
            cwd=d,
            env=os.environ,
            requires=("pulumi_policy",),
        )
    key = json.dumps([str(d), project, stack, organization, dry_run])
    worker.send(
        {
            "op": "load",
            "env": dict(os.environ),
            "key": key,
            "directory": str(d),
            "project": project,
            "stack": stack,
            "organization": organization,
            "dryRun": dry_run,
        }
    )
    return PendingPack(d, worker, fresh, key, pool_key, timeout)
