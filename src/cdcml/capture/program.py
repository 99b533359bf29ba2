"""Capture: run a Pulumi Python program offline and record the ResourceGraph the engine
would see.

The program runs in-process, as the Python language host runs it, under an instrumented
resource monitor that keeps every raw request and plays the engine and the azure-native
provider where Pulumi's mocks lie (engine-form URNs, default providers, Check's
auto-names, provider-shaped outputs, unknowns in preview). Every capture runs in a fresh
``contextvars`` context with its own settings, config, root stack and event loop, so many
captures in one process (Hypothesis) are isolated.

This module is the entry: :func:`capture` for a project directory and a stack,
:func:`capture_program` for an inline program. How the pieces fit:

* :mod:`~cdcml.capture.runtime` runs the program (context, settings, event loop, cwd);
* :mod:`~cdcml.capture.monitor` is the monitor and engine services the program talks to,
  with :mod:`~cdcml.capture.transforms` running the program's resource and invoke
  transforms as the engine does;
* :mod:`~cdcml.capture.recorder` turns each request into a record, and all of them into
  the graph, with :mod:`~cdcml.capture.urns`, :mod:`~cdcml.capture.default_providers`,
  :mod:`~cdcml.capture.provider` (what azure-native answers),
  :mod:`~cdcml.capture.resource_options`, :mod:`~cdcml.capture.aliases` and
  :mod:`~cdcml.capture.declaration` (the order of the graph);
* :mod:`~cdcml.capture.program_errors` says in one line where a program failed.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Callable, Mapping
from pathlib import Path

from cdcml.capture.invokes import InvokeTable, unanswered_hint
from cdcml.capture.monitor import EngineLog, monitor_class
from cdcml.capture.options import CaptureOptions, OutputMode, ProviderOutputs
from cdcml.capture.program_errors import describe_program_error
from cdcml.capture.project import Project, StackConfig, load_project, load_stack_config
from cdcml.capture.recorder import Recorder
from cdcml.capture.runtime import run_program
from cdcml.errors import ProgramError
from cdcml.model import ResourceGraph
from cdcml.secrets import including

__all__ = ["CaptureOptions", "OutputMode", "capture", "capture_program", "capture_project"]


def capture(
    project_dir: str | os.PathLike[str],
    stack: str = "dev",
    *,
    config: Mapping[str, str] | None = None,
    mode: OutputMode | str = OutputMode.PREVIEW,
    invokes: InvokeTable | None = None,
    organization: str = "organization",
    passphrase: str | None = None,
    provider_outputs: ProviderOutputs | None = None,
) -> ResourceGraph:
    """Run the Pulumi program in *project_dir* for *stack* and return its ResourceGraph.

    *config* are ``--config k=v`` overrides; *provider_outputs* answers for the provider in
    resolved mode (:attr:`CaptureOptions.provider_outputs`). Raises :class:`~cdcml.errors.CdcmlError`
    (one line, naming the program's file:line) when the program can't run.
    """
    project = load_project(project_dir)
    stack_config = load_stack_config(project, stack, config, passphrase=passphrase)
    options = CaptureOptions(
        mode=OutputMode(mode),
        invokes=invokes or InvokeTable(),
        organization=organization,
        provider_outputs=provider_outputs,
    )
    return capture_project(project, stack_config, options)


def capture_project(project: Project, stack_config: StackConfig, options: CaptureOptions) -> ResourceGraph:
    """Run *project*'s program for *stack_config* in this process (what the program's worker
    process does, :mod:`cdcml.capture.worker`)."""
    # The language host runs `main` itself (a directory runs its __main__.py with the
    # directory on sys.path).
    target = str(project.main)

    def program() -> None:
        runpy.run_path(target, run_name="__main__")

    return _capture(project, stack_config, program, options)


def capture_program(
    program: Callable[[], None],
    *,
    project: str = "project",
    stack: str = "stack",
    config: Mapping[str, str] | None = None,
    secret_keys: tuple[str, ...] = (),
    mode: OutputMode | str = OutputMode.PREVIEW,
    invokes: InvokeTable | None = None,
    organization: str = "organization",
    provider_outputs: ProviderOutputs | None = None,
) -> ResourceGraph:
    """Capture an inline program (a function that declares resources), as the Automation
    API does. Used by tests and Hypothesis strategies."""
    proj = Project(name=project, directory=Path.cwd(), runtime="python", main=Path.cwd())
    values = dict(config or {})
    stack_config = StackConfig(stack=stack, values=values, secret_keys=secret_keys, tags={"pulumi:project": project})
    options = CaptureOptions(
        mode=OutputMode(mode),
        invokes=invokes or InvokeTable(),
        organization=organization,
        provider_outputs=provider_outputs,
    )
    return _capture(proj, stack_config, program, options, inline=True)


def _capture(
    project: Project,
    config: StackConfig,
    program: Callable[[], None],
    options: CaptureOptions,
    *,
    inline: bool = False,
) -> ResourceGraph:
    """Run *program* for *config*'s stack under a capture monitor and return the graph.
    (``benchmarks/bench_engine.py`` calls this to vary :class:`CaptureOptions`.)"""
    recorder = Recorder(project, config, options)
    engine = EngineLog()
    # What the program prints, logs or raises is scrubbed of every secret it has declared
    # so far: its secret config, secret property values, and `Output.secret` values.
    with including(recorder.secrets) as known:
        failure = run_program(
            project,
            config,
            program,
            monitor=monitor_class()(recorder),
            engine=engine,
            transformation=recorder.transform,
            dry_run=recorder.preview,
            organization=options.organization,
            inline=inline,
            secrets=known,
        )
    # A program that fails after an invoke went unanswered says so: its result was unknown.
    hint = unanswered_hint(recorder.unanswered) if recorder.unanswered else ""
    if failure is not None:
        if isinstance(failure, KeyboardInterrupt):
            raise failure
        raise ProgramError(known.scrub(describe_program_error(failure, project, inline)) + hint) from None
    if engine.errors:
        who = "the program" if inline else f"program {project.name}"
        raise ProgramError(known.scrub(f"{who} logged an error: {engine.errors[0].splitlines()[0]}") + hint)
    recorder.diagnostics.extend(known.scrub(f"program warning: {w.splitlines()[0]}") for w in engine.warnings)
    return recorder.graph()
