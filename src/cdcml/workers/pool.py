"""Idle workers kept for the next run of this process."""

from __future__ import annotations

import atexit
import threading
from typing import Any

from cdcml.workers.process import Worker, close_live

__all__ = ["POOL", "Pool", "close_all"]


class Pool:
    """Idle workers kept for the next run of this process, by key (an interpreter and a
    project or pack directory). A worker is reused only after a run that went well; at
    most *size* are kept, the oldest closed first."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._idle: list[tuple[Any, Worker]] = []
        self._lock = threading.Lock()

    def take(self, key: Any) -> Worker | None:
        with self._lock:
            for i, (k, w) in enumerate(self._idle):
                if k == key:
                    del self._idle[i]
                    if w.alive:
                        return w
                    w.close()
                    return None
        return None

    def give(self, key: Any, worker: Worker) -> None:
        if not worker.reusable or not worker.alive:
            worker.close()
            return
        with self._lock:
            self._idle.append((key, worker))
            evicted = self._idle[: -self.size] if len(self._idle) > self.size else []
            del self._idle[: len(evicted)]
        for _k, w in evicted:
            w.close()

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _k, w in idle:
            w.close()


POOL = Pool()


def close_all() -> None:
    """Close every worker: the idle ones and any still in use (at exit)."""
    POOL.close_all()
    close_live()


atexit.register(close_all)
