"""The program's own process: capture in the interpreter ``pulumi preview`` would use.

cdcml's side (:func:`start_capture`) resolves the interpreter
(:mod:`cdcml.capture.interpreter`), starts a worker in it (:class:`cdcml.workers.Worker`)
and sends one request: the project, the stack's configuration (decrypted by cdcml), the
capture options and the environment of the run. The worker runs the program exactly as
:func:`cdcml.capture.program.capture_project` does in process and answers with the
:class:`~cdcml.model.ResourceGraph` as plain data (:mod:`cdcml.model.codec`), or with the
program's one-line error. Everything the program prints goes to the worker's drained
pipes, never to cdcml's stdout; ``pulumi.log.warn``/``error`` still become diagnostics
and errors, as in process.

A program that exits (``os._exit``), is killed or crashes ends the worker: the run fails
with one line saying how (:func:`cdcml.workers.describe_exit`). One that runs longer than
the program time limit is killed and named. One that leaves a thread running still gets
its graph used; its worker is simply never reused.

The worker side (:func:`hello`, :func:`handle`) runs in the program's interpreter, with
that interpreter's Pulumi SDK: it imports only cdcml's own package from cdcml's directory
(:data:`cdcml.workers.BOOTSTRAP`), and :func:`hello` refuses an SDK older than
:data:`MIN_PULUMI`.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from cdcml.capture.interpreter import Interpreter, resolve_interpreter
from cdcml.capture.invokes import InvokeAnswer, InvokeTable
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.project import Project, StackConfig
from cdcml.errors import CdcmlError, ConfigError, ProgramError, ProjectError
from cdcml.model import ResourceGraph, thaw
from cdcml.model.codec import CodecError, graph_from_plain, graph_to_plain
from cdcml.workers import (
    POOL,
    Channel,
    Worker,
    WorkerFailure,
    apply_environment,
    describe_exit,
    reply_error,
    seconds,
    wait_reply,
)

__all__ = ["MIN_PULUMI", "ProgramRun", "handle", "hello", "start_capture"]

MIN_PULUMI = (3, 265, 0)
"""The oldest Pulumi SDK the capture works with, pyproject.toml's floor: the capture monitor
answers with ``ResourceInvokeResponse`` and ``RegisterResourceResponse.unknown``, which the
SDK's resource monitor protocol has from 3.256.0 (older SDKs fail on the first resource),
and ``ReadResourceResponse.unknown``, from 3.265.0 (before it, a program reading a
StackReference's output crashes in resolved mode).
cdcml is tested at this floor and at the newest 3.x (scripts/test-versions.sh)."""

_ERRORS: dict[str, type[CdcmlError]] = {
    "ProgramError": ProgramError,
    "ProjectError": ProjectError,
    "ConfigError": ConfigError,
    "CdcmlError": CdcmlError,
}


# --------------------------------------------------------------------------- in the worker


def hello() -> dict[str, Any]:
    """What the worker reports when it starts; raises when this interpreter can't capture."""
    from importlib import metadata

    import pulumi  # noqa: F401 - the program's SDK must be importable

    version = metadata.version("pulumi")
    parts = tuple(int(p) for p in version.split(".")[:3] if p.isdigit())
    if parts < MIN_PULUMI:
        oldest = ".".join(map(str, MIN_PULUMI))
        raise RuntimeError(f"it has pulumi {version}; cdcml's capture needs pulumi {oldest} or later")
    import cdcml.capture.program  # noqa: F401 - fails here, not mid-request, if a dependency is missing

    return {"python": sys.version.split()[0], "pulumi": version, "executable": sys.executable}


def _request_objects(request: dict[str, Any]) -> tuple[Project, StackConfig, CaptureOptions]:
    p, c, o = request["project"], request["config"], request["options"]
    project = Project(
        name=p["name"],
        directory=Path(p["directory"]),
        runtime=p["runtime"],
        main=Path(p["main"]),
        description=p["description"],
        config_defaults=p["configDefaults"],
    )
    config = StackConfig(
        stack=c["stack"],
        values=c["values"],
        secret_keys=tuple(c["secretKeys"]),
        undecryptable=tuple(c["undecryptable"]),
        tags=c["tags"],
    )
    table = dict(o["invokes"])
    answers = tuple(InvokeAnswer.from_plain(a) for a in table.pop("answers", ()))
    options = CaptureOptions(
        mode=OutputMode(o["mode"]),
        invokes=InvokeTable(**table, answers=answers),
        organization=o["organization"],
        strip_type_aliases=o["stripTypeAliases"],
        stack_references=o.get("stackReferences", {}),
    )
    return project, config, options


def handle(request: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """One request: ``capture`` (run the program, answer its graph or its error)."""
    from cdcml.capture.program import capture_project

    if request.get("op") != "capture":
        return {"ok": False, "error": {"type": "internal", "message": f"unknown request {request.get('op')!r}"}}
    apply_environment(request["env"])
    project, config, options = _request_objects(request)
    threads = threading.active_count()
    try:
        graph = capture_project(project, config, options)
    except CdcmlError as e:
        return {"ok": False, "error": {"type": type(e).__name__, "message": e.message}}
    # A thread the program left running keeps this process from ever being reused.
    return {"ok": True, "graph": graph_to_plain(graph), "reusable": threading.active_count() <= threads}


# --------------------------------------------------------------------------- cdcml's side


def _request(project: Project, config: StackConfig, options: CaptureOptions, env: dict[str, str]) -> dict[str, Any]:
    inv = options.invokes
    if set(inv.handlers) != set(InvokeTable().handlers):
        raise ValueError("a capture in the program's own process can't carry custom invoke handlers")
    if options.provider_outputs is not None:
        raise ValueError("a capture in the program's own process can't carry a provider_outputs hook")
    return {
        "op": "capture",
        "env": env,
        "project": {
            "name": project.name,
            "directory": str(project.directory),
            "runtime": project.runtime,
            "main": str(project.main),
            "description": project.description,
            "configDefaults": dict(project.config_defaults),
        },
        "config": {
            "stack": config.stack,
            "values": dict(config.values),
            "secretKeys": list(config.secret_keys),
            "undecryptable": list(config.undecryptable),
            "tags": dict(config.tags),
        },
        "options": {
            "mode": str(options.mode),
            "organization": options.organization,
            "stripTypeAliases": options.strip_type_aliases,
            "invokes": {
                "subscription_id": inv.subscription_id,
                "tenant_id": inv.tenant_id,
                "client_id": inv.client_id,
                "object_id": inv.object_id,
                "location": inv.location,
                "answers": [a.to_plain() for a in inv.answers],
            },
            "stackReferences": {name: thaw(outputs) for name, outputs in options.stack_references.items()},
        },
    }


class ProgramRun:
    """A capture under way in the program's worker; :meth:`result` waits for its graph."""

    def __init__(self, project: Project, interpreter: Interpreter, worker: Worker, fresh: bool, timeout: float) -> None:
        self.project = project
        self.interpreter = interpreter
        self.worker = worker
        self.fresh = fresh
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self._done = False

    def _what(self) -> str:
        try:
            main = os.path.relpath(self.project.entry_point, self.project.directory)
        except ValueError:
            main = str(self.project.entry_point)
        return f"program {self.project.name} ({main})"

    def _timed_out(self) -> str:
        return (
            f"{self._what()} timed out after {seconds(self.timeout)} "
            "(raise the limit with --program-timeout or CDCML_PROGRAM_TIMEOUT)"
        )

    def _start(self) -> None:
        """The worker's hello: this interpreter can run cdcml's capture."""
        python = self.interpreter.python

        def died(code: int | None) -> str:
            last = self.worker.last_output_line()
            return f"{self.interpreter.describe()} {describe_exit(code)} before it started" + (
                f": {last}" if last else ""
            )

        reply = wait_reply(self.worker, deadline=self.deadline, on_timeout=self._timed_out, on_death=died)
        if not reply.get("ok"):
            self.worker.reusable = False
            detail = str(reply.get("fatal") or reply.get("error") or "no reason given")
            raise ProjectError(f"{self.interpreter.describe()} can't run cdcml's capture ({python}): {detail}")

    def result(self) -> ResourceGraph:
        """The program's graph; a one-line :class:`~cdcml.errors.CdcmlError` otherwise."""
        ok = False
        try:
            if self.fresh:
                self._start()
            reply = wait_reply(
                self.worker,
                deadline=self.deadline,
                on_timeout=self._timed_out,
                on_death=lambda code: f"{self._what()} {describe_exit(code)} before it finished",
            )
            if not reply.get("ok"):
                self.worker.reusable = False
                error = reply_error(reply)
                kind, message = str(error.get("type", "")), str(error.get("message", ""))[:2000]
                if kind in _ERRORS:
                    raise _ERRORS[kind](message)
                raise WorkerFailure(f"cdcml's capture failed in {self.interpreter.describe()}: {message}")
            try:
                graph = graph_from_plain(reply.get("graph"))
            except CodecError as e:
                raise WorkerFailure(f"{self._what()} sent a malformed graph: {e}") from None
            self.worker.reusable = reply.get("reusable") is True
            ok = True
            return graph
        finally:
            self._finish(ok)

    def _finish(self, ok: bool) -> None:
        if self._done:
            return
        self._done = True
        if ok:
            POOL.give(_key(self.interpreter, self.project), self.worker)
        else:
            self.worker.reusable = False
            self.worker.close()

    def abandon(self) -> None:
        """Stop the capture (another part of the run failed first)."""
        self._finish(False)


def _key(interpreter: Interpreter, project: Project) -> tuple[str, str, str]:
    return ("capture", interpreter.python, str(project.directory))


def start_capture(
    project: Project,
    config: StackConfig,
    options: CaptureOptions,
    *,
    timeout: float,
    interpreter: Interpreter | None = None,
) -> ProgramRun:
    """Start capturing *project*'s program in its own process; the run's
    :meth:`ProgramRun.result` is the graph. Raises :class:`~cdcml.errors.ProjectError`
    when the program's virtualenv is missing or unusable."""
    interp = interpreter or resolve_interpreter(project)
    env = interp.environment(os.environ)  # the run's environment, the virtualenv activated
    request = _request(project, config, options, env)
    worker = POOL.take(_key(interp, project))
    fresh = worker is None
    if worker is None:
        worker = Worker(
            f"program {project.name}",
            interp.python,
            "cdcml.capture.worker",
            cwd=project.program_directory,
            env=env,
            requires=("pulumi",),
        )
    worker.send(request)
    return ProgramRun(project, interp, worker, fresh, timeout)
