"""What a capture is asked for: which outputs the engine shows (:class:`OutputMode`) and
the rest of :class:`CaptureOptions`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cdcml.capture.invokes import InvokeTable

__all__ = ["CaptureOptions", "OutputMode"]


class OutputMode(StrEnum):
    PREVIEW = "preview"
    """Computed outputs are unknown, as in ``pulumi preview``."""
    RESOLVED = "resolved"
    """Outputs as the provider would fill them after ``pulumi up``."""


@dataclass(frozen=True)
class CaptureOptions:
    mode: OutputMode = OutputMode.PREVIEW
    invokes: InvokeTable = field(default_factory=InvokeTable)
    organization: str = "organization"
    strip_type_aliases: bool = True
    """Record azure-native's per-API-version type aliases as plain data instead of letting
    the SDK expand each into URN Outputs (5-6x faster; verdicts are unaffected)."""
