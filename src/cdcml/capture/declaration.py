"""The program's declaration order, the order the graph lists resources in.

Registrations reach the monitor in an order that asyncio scheduling and the SDK's sets of
resources vary from run to run. A stack transformation runs synchronously in
``Resource.__init__``, so it sees resources in the order the program declares them: that
order is deterministic (reports, SARIF and baselines are stable) and topological (a
resource can only refer to resources that already exist).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from cdcml.capture.records import Record
from cdcml.capture.urns import engine_urn, provider_urn, root_stack_urn

__all__ = ["DeclarationOrder"]


class DeclarationOrder:
    """Each resource's position in the program's declaration order, by URN."""

    def __init__(self, stack: str, project: str) -> None:
        self._stack = stack
        self._project = project
        self._lock = threading.Lock()
        self._positions: dict[str, int] = {}  # urn -> position in the declaration order
        self._object_urns: dict[int, tuple[Any, str]] = {}  # id(resource) -> (resource, urn)

    def declare(self, args: Any) -> None:
        """Stack transformation (runs synchronously in ``Resource.__init__``): note the
        resource's position. Its URN is worked out here, from its parent object's URN,
        because the SDK only computes URNs later, asynchronously."""
        from pulumi.runtime.settings import get_root_resource

        parent = args.opts.parent if args.opts is not None and args.opts.parent is not None else get_root_resource()
        with self._lock:
            parent_urn = self._object_urns.get(id(parent), (None, ""))[1] if parent is not None else ""
            if parent is not None and not parent_urn:
                parent_urn = root_stack_urn(self._stack, self._project)
            urn = engine_urn(self._stack, self._project, parent_urn, args.type_, args.name)
            # The resource object is kept alive with its URN so its id() can't be reused.
            self._object_urns[id(args.resource)] = (args.resource, urn)
            self._positions.setdefault(urn, len(self._positions))

    def order(self, records: Mapping[str, Record], stack_urn: str) -> list[Record]:
        """*records* (in arrival order) in a deterministic topological order: the root
        stack, then the program's declaration order; a resource the program didn't declare
        (a default provider) goes just before its first user, or after everything else
        in arrival order when nothing uses it."""
        arrival = {urn: i for i, urn in enumerate(records)}
        position: dict[str, float] = {}
        for urn in records:
            if urn == stack_urn:
                position[urn] = -1.0
            elif urn in self._positions:
                position[urn] = float(self._positions[urn])
        for urn in records:
            if urn not in position:
                users = [position[u] for u, r in records.items() if provider_urn(r.provider) == urn and u in position]
                position[urn] = (min(users) - 0.5) if users else float(len(self._positions) + arrival[urn])
        return sorted(records.values(), key=lambda r: (position[r.urn], arrival[r.urn]))
