"""Resource aliases, as the engine records them: every alias becomes an alias URN in
:attr:`~cdcml.model.ResourceOptions.aliases`.

azure-native declares one type-only alias per past API version, and the SDK turns each
into URN Outputs (most of a mock run's time). :class:`TypeAliases` records those as plain
types and drops them before the SDK sees them (``CaptureOptions.strip_type_aliases``);
:func:`alias_urns` adds them back as URNs, so policies still see them. User-written
aliases go through the SDK as usual.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from cdcml.capture.urns import engine_urn, with_own_type

__all__ = ["TypeAliases", "alias_urns"]


class TypeAliases:
    """azure-native's type-only aliases, per resource type, in first-seen order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_type: dict[str, list[str]] = {}

    def strip(self, args: Any) -> Any:
        """Stack transformation: record the resource's type-only aliases as data and drop
        them before the SDK expands each into URN Outputs (``None``: nothing to change)."""
        import pulumi

        opts = args.opts
        aliases = getattr(opts, "aliases", None)
        if not aliases:
            return None
        keep: list[Any] = []
        types: list[str] = []
        for a in aliases:
            fields: list[Any] = [getattr(a, f, None) for f in ("name", "parent", "stack", "project")]
            if isinstance(a, pulumi.Alias) and isinstance(a.type_, str) and all(f is Ellipsis for f in fields):
                types.append(a.type_)
            else:
                keep.append(a)
        if not types:
            return None
        with self._lock:
            known = self._by_type.setdefault(args.type_, [])
            for t in types:
                if t not in known:
                    known.append(t)
        new_opts = copy.copy(opts)
        new_opts.aliases = keep or None
        return pulumi.ResourceTransformationResult(args.props, new_opts)

    def of(self, type_: str) -> tuple[str, ...]:
        """The type aliases stripped from resources of *type_*."""
        with self._lock:
            return tuple(self._by_type.get(type_, ()))


def alias_urns(request: Any, urn: str, stack: str, project: str, type_aliases: tuple[str, ...]) -> tuple[str, ...]:
    """The alias URNs of a ``RegisterResourceRequest`` for *urn*: the request's alias URNs
    and alias specs (resolved as the engine resolves them), then one URN per stripped
    type alias; duplicates dropped, first occurrence kept."""
    out: list[str] = list(request.aliasURNs)
    for alias in request.aliases:
        if alias.HasField("urn") or alias.urn:
            out.append(alias.urn)
            continue
        spec = alias.spec
        name = spec.name or request.name
        type_ = spec.type or request.type
        alias_stack = spec.stack or stack
        alias_project = spec.project or project
        parent = "" if spec.noParent else (spec.parentUrn or request.parent)
        out.append(engine_urn(alias_stack, alias_project, parent, type_, name))
    out.extend(with_own_type(urn, alias_type) for alias_type in type_aliases)
    return tuple(dict.fromkeys(out))
