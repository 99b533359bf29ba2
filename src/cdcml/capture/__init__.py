"""Program → :class:`~cdcml.model.ResourceGraph`: run a Pulumi program offline and record
what the engine would see.

* :mod:`~cdcml.capture.project` — ``Pulumi.yaml`` and stack configuration, read as the CLI reads them;
* :mod:`~cdcml.capture.program` — the capture itself: the program runs against a monitor that
  answers like the engine and the provider (engine URNs, default providers, auto-names,
  provider-shaped outputs, unknowns in preview);
* :mod:`~cdcml.capture.azure` — facts of the azure-native SDK the capture relies on;
* :mod:`~cdcml.capture.invokes` — offline answers to provider functions (invokes).
"""

from __future__ import annotations

from cdcml.capture.program import CaptureOptions, OutputMode, capture, capture_program

__all__ = ["CaptureOptions", "OutputMode", "capture", "capture_program"]
