"""Running a program as the Python language host does, isolated from every other capture.

Each run gets a fresh ``contextvars`` context (its own Pulumi settings, configuration and
root stack), its own event loop and executor, and the program's directory as cwd. Runs
are serialized: cwd, ``sys.modules`` and the SDK's process-wide state allow one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib.machinery
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cdcml.capture.invokes import PLAIN_INVOKE
from cdcml.capture.positions import stack_trace
from cdcml.capture.project import Project, StackConfig
from cdcml.collector import freeze_long_lived
from cdcml.secrets import SecretSet

__all__ = ["program_environment", "run_program"]

_CAPTURE_LOCK = threading.RLock()


@contextlib.contextmanager
def program_environment(project: Project, inline: bool) -> Iterator[None]:
    """cwd = the program directory (as the language host runs it); modules the program
    imports from its own directory are forgotten afterwards so two programs with
    same-named helper modules can't see each other's."""
    if inline:
        yield
        return
    program_dir = str(project.program_directory)
    before = set(sys.modules)
    cwd = os.getcwd()
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(cwd)
        for name in set(sys.modules) - before:
            mod = sys.modules.get(name)
            file = getattr(mod, "__file__", None) or ""
            if file.startswith(str(project.directory)) and not file.startswith(str(Path(sys.prefix))):
                sys.modules.pop(name, None)


def run_program(
    project: Project,
    config: StackConfig,
    program: Callable[[], None],
    *,
    monitor: Any,
    engine: Any,
    transformation: Callable[[Any], Any],
    dry_run: bool,
    organization: str,
    inline: bool,
    secrets: SecretSet | None = None,
) -> BaseException | None:
    """Run *program* inside the root stack, against *monitor* and *engine*, with
    *transformation* registered as a stack transformation first; ``Output.secret`` values
    are added to *secrets* meanwhile. Returns what the program raised (``None`` when it ran
    to the end)."""
    failure: list[BaseException] = []

    def body() -> None:
        _configure(project, config, monitor=monitor, engine=engine, dry_run=dry_run, organization=organization)
        error = _run_in_stack(program, transformation)
        if error is not None:
            failure.append(error)

    with (
        _CAPTURE_LOCK,
        _collector_settled(),
        program_environment(project, inline),
        _compiled_once(),
        _secret_outputs_noted(secrets or SecretSet()),
        _plain_invokes_marked(),
        _stack_traces_cut(),
    ):
        contextvars.copy_context().run(body)
    return failure[0] if failure else None


@contextlib.contextmanager
def _collector_settled() -> Iterator[None]:
    """The cyclic garbage collector out of a capture's way: what survives the imports is
    frozen (:func:`cdcml.collector.freeze_long_lived`)."""
    freeze_long_lived()
    yield


_CODE: dict[tuple[str, bytes, int], Any] = {}
"""Module code compiled during captures, by (path, source, optimisation level)."""


@contextlib.contextmanager
def _compiled_once() -> Iterator[None]:
    """While the program runs, a module whose source was compiled by an earlier capture
    (a program's own module, forgotten after each run) reuses that code object instead of
    compiling the same source again; the module is still executed afresh. Only the newest
    source of each path is kept."""
    loader = importlib.machinery.SourceFileLoader
    own = loader.__dict__.get("source_to_code")  # the method is SourceLoader's, inherited
    original = loader.source_to_code

    def source_to_code(self: Any, data: Any, path: Any, *, _optimize: int = -1) -> Any:
        if not isinstance(path, str) or not isinstance(data, bytes):
            return original(self, data, path, _optimize=_optimize)
        key = (path, data, _optimize)
        code = _CODE.get(key)
        if code is None:
            code = original(self, data, path, _optimize=_optimize)
            for old in [k for k in _CODE if k[0] == path]:
                del _CODE[old]
            _CODE[key] = code
        return code

    loader.source_to_code = source_to_code  # type: ignore[method-assign]
    try:
        yield
    finally:
        if own is None:
            del loader.source_to_code
        else:
            loader.source_to_code = own  # type: ignore[method-assign]


@contextlib.contextmanager
def _stack_traces_cut() -> Iterator[None]:
    """While the program runs, the SDK's per-resource stack trace stops at the frame the
    source position is taken from (:func:`cdcml.capture.positions.stack_trace`): only the
    monitor reads it, and only that far."""
    from pulumi.runtime import resource

    original = resource.__dict__.get("_get_stack_trace")
    if original is None:  # an SDK without it: leave it be
        yield
        return
    resource._get_stack_trace = stack_trace
    try:
        yield
    finally:
        resource._get_stack_trace = original


def _plain(value: Any) -> bool:
    """A value with nothing to await inside (a str, a number, containers of them)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


@contextlib.contextmanager
def _secret_outputs_noted(known: SecretSet) -> Iterator[None]:
    """While the program runs, ``pulumi.Output.secret(value)`` also adds *value* (once it
    is known) to *known*."""
    from pulumi import Output

    original = Output.__dict__["secret"]
    secret = original.__func__ if isinstance(original, staticmethod) else original

    def noted(val: Any) -> Any:
        out = secret(val)
        if _plain(val):
            known.add(val)
        else:
            with contextlib.suppress(Exception):
                out.apply(lambda v: known.add(v) if _plain(v) else None)
        return out

    Output.secret = staticmethod(noted)  # type: ignore[method-assign]
    try:
        yield
    finally:
        Output.secret = original  # type: ignore[method-assign]


@contextlib.contextmanager
def _plain_invokes_marked() -> Iterator[None]:
    """While the program runs, a plain-form invoke (``get_x(...)``, which returns its
    result at once) runs with :data:`~cdcml.capture.invokes.PLAIN_INVOKE` set, so the
    monitor can answer it as the plain form needs (it can't carry an unknown)."""
    import importlib

    import pulumi.runtime

    # `pulumi.runtime.invoke` is the function; the module of that name holds it too (and
    # `invoke_single` calls it there).
    invoke_module = importlib.import_module("pulumi.runtime.invoke")
    original = invoke_module.__dict__["invoke"]

    def plain(*args: Any, **kwargs: Any) -> Any:
        token = PLAIN_INVOKE.set(True)
        try:
            return original(*args, **kwargs)
        finally:
            PLAIN_INVOKE.reset(token)

    for module in (pulumi.runtime, invoke_module):
        setattr(module, "invoke", plain)  # noqa: B010 - the package's attribute shadows the module
    try:
        yield
    finally:
        for module in (pulumi.runtime, invoke_module):
            setattr(module, "invoke", original)  # noqa: B010


def _configure(
    project: Project, config: StackConfig, *, monitor: Any, engine: Any, dry_run: bool, organization: str
) -> None:
    """The SDK's settings and configuration for this run (in the current context)."""
    from pulumi.runtime import settings as pulumi_settings
    from pulumi.runtime.config import set_all_config

    pulumi_settings.ROOT.set(None)
    settings = pulumi_settings.Settings(
        project=project.name,
        stack=config.stack,
        monitor=monitor,
        engine=engine,
        dry_run=dry_run,
        organization=organization,
        root_directory=str(project.directory),
        parallel=1,
    )
    pulumi_settings.configure(settings)
    set_all_config(dict(config.values), list(config.secret_keys))


def _run_in_stack(program: Callable[[], None], transformation: Callable[[Any], Any]) -> BaseException | None:
    """Run *program* in the root stack on a new event loop, then cancel what is left and
    close the loop and its executor. Returns what the run raised."""
    import pulumi
    from pulumi.runtime.stack import run_in_stack

    def run() -> None:
        pulumi.runtime.register_stack_transformation(transformation)
        program()

    loop = asyncio.new_event_loop()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cdcml-capture")
    loop.set_default_executor(executor)
    loop.set_exception_handler(lambda _loop, _ctx: None)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run_in_stack(run))
    except BaseException as e:  # noqa: BLE001 - the caller turns it into a ProgramError
        return e
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            with contextlib.suppress(BaseException):
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        with contextlib.suppress(BaseException):
            loop.run_until_complete(loop.shutdown_default_executor())
        asyncio.set_event_loop(None)
        loop.close()
        executor.shutdown(wait=True)
    return None
