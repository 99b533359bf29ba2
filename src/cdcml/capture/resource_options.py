"""The resource options of a ``RegisterResourceRequest``, as the engine hands them to
policies (``MockResourceArgs`` drops all of them)."""

from __future__ import annotations

import re
from typing import Any

from cdcml.capture.aliases import alias_urns
from cdcml.model import CustomTimeouts, ResourceOptions

__all__ = ["go_duration_seconds", "resource_options"]

_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration_seconds(text: str) -> float:
    """Parse a Go duration ("5m", "1h30m", "300s", "1.5h") to seconds."""
    if not text:
        return 0.0
    total = 0.0
    pos = 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text):
        if m.start() != pos:
            raise ValueError(text)
        total += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text):
        raise ValueError(text)
    return total


def resource_options(
    request: Any, urn: str, *, stack: str, project: str, type_aliases: tuple[str, ...]
) -> ResourceOptions:
    """The options of the resource *urn* registered by *request*; its aliases become alias
    URNs (see :func:`~cdcml.capture.aliases.alias_urns`)."""
    timeouts = None
    if request.HasField("customTimeouts"):
        ct = request.customTimeouts
        try:
            timeouts = CustomTimeouts(
                create=go_duration_seconds(ct.create),
                update=go_duration_seconds(ct.update),
                delete=go_duration_seconds(ct.delete),
            )
        except ValueError as e:
            raise RuntimeError(f"{urn}: invalid custom timeout {e}") from None
    return ResourceOptions(
        protect=bool(request.protect),
        ignore_changes=tuple(request.ignoreChanges),
        delete_before_replace=bool(request.deleteBeforeReplace) if request.deleteBeforeReplaceDefined else None,
        additional_secret_outputs=tuple(request.additionalSecretOutputs),
        aliases=alias_urns(request, urn, stack, project, type_aliases),
        custom_timeouts=timeouts,
        retain_on_delete=bool(request.retainOnDelete),
        deleted_with=request.deletedWith,
        replace_on_changes=tuple(request.replaceOnChanges),
        import_id=request.importId,
    )
