"""The cyclic garbage collector kept out of cdcml's hot loops, in one place.

A capture freezes what survives the SDKs' imports for good (:func:`freeze_long_lived`); an
evaluation freezes the objects older than its run and gives them back after
(:func:`old_objects_frozen`). Both live in this module because they must know about each
other: ``gc.get_freeze_count()`` walks the whole permanent generation (millions of objects
once a capture froze the SDKs), so asking it before every evaluation made a long in-process
session (``cdcml verify``, a test suite) slower with every run. cdcml remembers what it
froze itself and asks the collector only when it froze nothing.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator

__all__ = ["freeze_long_lived", "old_objects_frozen"]

_frozen_modules = 0
"""``len(sys.modules)`` when :func:`freeze_long_lived` last froze (0: it never has)."""


def freeze_long_lived() -> None:
    """Whenever modules were imported since the last call (the SDKs', azure-native's:
    hundreds of thousands of objects that live as long as the process), one full collection,
    then ``gc.freeze()`` moves what survives out of every later collection's way. The same
    objects are freed, by reference counting and the collector, as without it; a frozen
    object that later becomes cyclic garbage stays (only objects alive at a freeze, which
    happens again only when ``sys.modules`` grows)."""
    global _frozen_modules
    if len(sys.modules) != _frozen_modules:
        gc.collect()
        gc.freeze()
        _frozen_modules = len(sys.modules)


@contextlib.contextmanager
def old_objects_frozen() -> Iterator[None]:
    """Keep the objects that exist before a run out of the garbage collector's full
    collections while it runs (``gc.freeze``), and give them back after (``gc.unfreeze``).

    A run allocates many short-lived objects (proxies, policy objects, findings), enough to
    set off full collections, and each of those walks every object in the process — the
    graph, the packs, the SDKs — none of which the run can make garbage. Nothing changes but
    when cyclic garbage that predates the run is collected: after it. A process where
    anything is frozen already — by :func:`freeze_long_lived` (known without asking the
    collector) or by its own code (``gc.get_freeze_count()``, cheap while nothing is
    frozen) — or with the collector off is left as it is: unfreezing would thaw its objects.
    """
    if _frozen_modules or not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
