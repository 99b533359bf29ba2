"""Program → :class:`~cdcml.model.ResourceGraph`: run a Pulumi program offline and record
what the engine would see.

* :mod:`~cdcml.capture.project` — ``Pulumi.yaml`` and stack configuration, read as the CLI reads them;
* :mod:`~cdcml.capture.program` — the entry (:func:`capture`, :func:`capture_program`);
* :mod:`~cdcml.capture.options` — :class:`OutputMode` and :class:`CaptureOptions`;
* :mod:`~cdcml.capture.runtime` — runs a program as the language host does, isolated
  from every other capture (contextvars, settings, event loop, cwd);
* :mod:`~cdcml.capture.monitor` — the resource monitor and engine services the program
  talks to, answering like the engine;
* :mod:`~cdcml.capture.recorder` — turns each request into a record and all of them into
  the graph;
* :mod:`~cdcml.capture.urns` — engine-form URNs (the root stack's type is not part of a
  child's type chain, as it is in mock URNs);
* :mod:`~cdcml.capture.default_providers` — default providers (``default_<version>``),
  registered as the engine registers them;
* :mod:`~cdcml.capture.provider` — what the azure-native provider answers: Check's
  auto-names, ids and outputs, unknown in preview and filled in resolved mode;
* :mod:`~cdcml.capture.resource_options` and :mod:`~cdcml.capture.aliases` — resource
  options and alias URNs from the raw requests;
* :mod:`~cdcml.capture.declaration` — the program's declaration order, the graph's order;
* :mod:`~cdcml.capture.records` — what is kept of each resource while the program runs;
* :mod:`~cdcml.capture.program_errors` — a failed program as one line at its own frame;
* :mod:`~cdcml.capture.shapes` — outputs in the shape of the SDK's output types;
* :mod:`~cdcml.capture.sdk_types` — the type model of the installed azure-native SDK;
* :mod:`~cdcml.capture.azure` — facts of the azure-native SDK the capture relies on;
* :mod:`~cdcml.capture.invokes` — offline answers to provider functions (invokes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cdcml.capture.options import CaptureOptions, OutputMode

if TYPE_CHECKING:
    from cdcml.capture.program import capture, capture_program

__all__ = ["CaptureOptions", "OutputMode", "capture", "capture_program"]


def __getattr__(name: str) -> Any:
    # capture and capture_program bring the Pulumi SDK (~0.3 s): imported on first use, so
    # the commands, whose programs run in their own processes, don't pay for it.
    if name in ("capture", "capture_program"):
        from cdcml.capture import program

        return getattr(program, name)
    raise AttributeError(f"module 'cdcml.capture' has no attribute {name!r}")
