"""What a capture is asked for: which outputs the engine shows (:class:`OutputMode`) and
the rest of :class:`CaptureOptions`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cdcml.capture.invokes import InvokeTable

__all__ = ["CaptureOptions", "OutputMode", "ProviderOutputs"]

ProviderOutputs = Callable[[str, str, Mapping[str, Any]], Mapping[str, Any] | None]
"""``(type token, logical name, inputs after Check, in wire form) -> outputs or None``: what
the provider computes for one azure-native resource, in place of the emulated answer
(:attr:`CaptureOptions.provider_outputs`)."""


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
    stack_references: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """The root outputs (wire form, secrets wrapped) of the stacks the program may reference,
    by the name it gives ``StackReference`` (``org/project/stack``): such a reference reads
    them, in both modes, as the engine reads the other stack's state. A secret whose
    ciphertext couldn't be decrypted (``"[secret]"``) makes the reference's outputs unknown.
    Any other reference's outputs stay unknown."""
    provider_outputs: ProviderOutputs | None = None
    """Resolved mode only: asked once for each azure-native custom resource (registered or
    read) for what the provider computes. Its ``id`` replaces the emulated id (not of a read
    resource, whose id the program gave); its value of an *output-only* property replaces
    the emulated one (``None``: the provider returned nothing, the SDK resolves ``None``);
    a property the program set keeps the program's value, and where both are objects the
    keys the hook adds that the program's object lacks are added (a provider filling the
    read-only ``identity.principalId`` or ``sku.tier`` of an object the program set; lists
    of the same length element by element); a settable property the program left out, and
    a name the type doesn't output, are ignored. Values are wire form. A plain callable
    (the testing kit draws them from the SDK's output types:
    ``cdcml.testing.provider_outputs``); in-process captures only — a program's worker
    process can't carry one."""
