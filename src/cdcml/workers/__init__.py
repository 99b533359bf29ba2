"""Worker processes: the program and each policy pack run in their own process, as under
the Pulumi CLI, and talk to cdcml only through a small protocol.

A worker is started by :class:`Worker` with three pipes and a status board:

* requests (cdcml → worker) and replies (worker → cdcml) are *frames*: a 4-byte
  big-endian length and a JSON document (never pickle: a reply comes from code under
  review, so cdcml parses it as data and validates it);
* the worker's stdout and stderr are pipes cdcml drains continuously into a bounded tail
  (a program's or a policy's ``print()`` never reaches cdcml's stdout and can't stall);
* the status board is a small shared file both map: the worker marks each policy call on
  it, so cdcml can time a single call out even when the call holds the GIL.

A worker dies with cdcml: it asks the kernel for ``SIGKILL`` when its parent dies
(``prctl(PR_SET_PDEATHSIG)``, Linux), and a thread of it reads the request pipe, whose
end of file — cdcml closed it, or died — ends the worker at once (every platform). The
worker's interpreter may be another one than cdcml's (a program's virtualenv); it imports
cdcml from cdcml's own package directory only (:data:`BOOTSTRAP`), so everything else it
imports comes from that interpreter's environment.

:class:`Timeouts` are the limits of a run (program, pack loading, one policy call) and
:data:`POOL` keeps idle workers for reuse by later runs in the same process (tests, the
API); the command line runs once and closes them at exit.
"""

from __future__ import annotations

from cdcml.workers.child import BOOTSTRAP, Channel, apply_environment, child_main
from cdcml.workers.frames import MAX_FRAME, Board, FrameError, read_frame, write_frame
from cdcml.workers.limits import Timeouts, parse_seconds, seconds
from cdcml.workers.pool import POOL, Pool, close_all
from cdcml.workers.process import (
    Pending,
    PolicyClock,
    Worker,
    WorkerFailure,
    describe_exit,
    live_workers,
    reply_error,
    wait_replies,
    wait_reply,
)

__all__ = [
    "BOOTSTRAP",
    "MAX_FRAME",
    "POOL",
    "Board",
    "Channel",
    "FrameError",
    "Pending",
    "PolicyClock",
    "Pool",
    "Timeouts",
    "Worker",
    "WorkerFailure",
    "apply_environment",
    "child_main",
    "close_all",
    "describe_exit",
    "live_workers",
    "parse_seconds",
    "read_frame",
    "reply_error",
    "seconds",
    "wait_replies",
    "wait_reply",
    "write_frame",
]
