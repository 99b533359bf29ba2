"""cdcml's side of a worker: starting it (:class:`Worker`), waiting for its replies under
time limits (:func:`wait_reply`, :func:`wait_replies`, :class:`PolicyClock`), and saying
in one line how it ended (:func:`describe_exit`)."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cdcml.errors import CdcmlError
from cdcml.workers.child import BOOTSTRAP
from cdcml.workers.frames import Board, FrameError, read_frame, write_frame
from cdcml.workers.limits import seconds

__all__ = [
    "Pending",
    "PolicyClock",
    "Worker",
    "WorkerFailure",
    "close_live",
    "describe_exit",
    "live_workers",
    "reply_error",
    "wait_replies",
    "wait_reply",
]

_OUTPUT_TAIL = 64 * 1024
_CLOSE_GRACE = 2.0


def describe_exit(code: int | None) -> str:
    """How a process ended, for a one-line error: ``exited with code 0``, ``was killed by
    signal 11 (SIGSEGV)``."""
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            name = f" ({signal.Signals(-code).name})"
        except ValueError:
            name = ""
        return f"was killed by signal {-code}{name}"
    return f"exited with code {code}"


class WorkerFailure(CdcmlError):
    """A worker died, hung or broke the protocol: one line naming which and how."""


def reply_error(reply: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``error`` object of a failed reply; empty when the worker sent none, or not an
    object (a reply is data from code under review)."""
    error = reply.get("error")
    return error if isinstance(error, Mapping) else {}


_ARRIVAL = threading.Condition()
"""Notified whenever any worker's reply pipe yields a frame or ends."""


class _Spawner:
    """Starts every worker from one long-lived daemon thread: the kernel's parent-death
    signal fires when the *thread* that started a process ends, so a worker started from a
    short-lived thread would die with that thread."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], queue.Queue[Any]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, job: Callable[[], Any]) -> Any:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="cdcml-spawner", daemon=True)
                self._thread.start()
        answer: queue.Queue[Any] = queue.Queue()
        self._jobs.put((job, answer))
        ok, value = answer.get()
        if not ok:
            raise value
        return value

    def _loop(self) -> None:
        while True:
            job, answer = self._jobs.get()
            try:
                answer.put((True, job()))
            except BaseException as e:  # noqa: BLE001 - handed back to the caller
                answer.put((False, e))


_SPAWNER = _Spawner()


class Worker:
    """One worker process, from cdcml's side. *name* says what it runs in messages
    (``program cdcml``, ``policy pack cdc-ml-guardrails``)."""

    def __init__(
        self,
        name: str,
        python: str,
        module: str,
        *,
        cwd: str | os.PathLike[str],
        env: Mapping[str, str],
        requires: Sequence[str] = (),
    ) -> None:
        import cdcml

        self.name = name
        self.python = python
        self.reusable = True
        self.frames: list[dict[str, Any] | None] = []
        self._tails = {"stdout": bytearray(), "stderr": bytearray()}
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        self._board_file = tempfile.TemporaryFile(prefix="cdcml-board-")  # noqa: SIM115 - lives as long as the worker
        self._board_file.truncate(Board.SIZE)
        board_fd = self._board_file.fileno()
        package = str(Path(cdcml.__file__).resolve().parent)
        fds = [str(req_r), str(resp_w), str(board_fd)]
        argv = [python, "-u", "-c", BOOTSTRAP, package, module, str(os.getpid()), *fds, *requires]

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                argv,
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(req_r, resp_w, board_fd),
            )

        try:
            self._proc = _SPAWNER.run(start)
        except OSError as e:
            for fd in (req_r, resp_w, self._req_w, self._resp_r):
                os.close(fd)
            self._board_file.close()
            raise WorkerFailure(f"{name}: can't start {python}: {e.strerror or e}") from None
        finally:
            with contextlib.suppress(OSError):
                os.close(req_r)
            with contextlib.suppress(OSError):
                os.close(resp_w)
        self.pid = self._proc.pid
        self.board = Board(board_fd)
        self._closed = False
        self._lock = threading.Lock()
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._threads = [
            threading.Thread(target=self._drain, args=(self._proc.stdout, "stdout"), daemon=True),
            threading.Thread(target=self._drain, args=(self._proc.stderr, "stderr"), daemon=True),
            threading.Thread(target=self._read_replies, daemon=True),
        ]
        for t in self._threads:
            t.start()
        _LIVE.add(self)

    # ---- reading

    def _drain(self, stream: Any, which: str) -> None:
        # Reads the raw descriptor and closes the stream itself at end of file: a process
        # the worker started may hold the pipe after the worker ended, and closing a
        # buffered stream another thread is reading would wait for that process.
        tail = self._tails[which]
        fd = stream.fileno()
        try:
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return
                tail.extend(chunk)
                if len(tail) > _OUTPUT_TAIL:
                    del tail[: len(tail) - _OUTPUT_TAIL]
        except OSError:
            return
        finally:
            stream.close()

    def _read_replies(self) -> None:
        while True:
            try:
                frame: dict[str, Any] | None = read_frame(self._resp_r)
            except (FrameError, OSError) as e:
                frame = {"ok": False, "protocol": str(e)}
            with _ARRIVAL:
                self.frames.append(frame)
                _ARRIVAL.notify_all()
            if frame is None or "protocol" in frame:
                with contextlib.suppress(OSError):
                    os.close(self._resp_r)
                return

    def last_output_line(self) -> str:
        """The last non-empty line the worker wrote to stderr (or stdout), one line, short.
        Once the worker has exited, what it wrote last is read first (up to a second: a
        process it started may still hold the pipes)."""
        if self._proc.poll() is not None:
            deadline = time.monotonic() + 1.0
            for t in self._threads[:2]:
                t.join(max(0.0, deadline - time.monotonic()))
        for which in ("stderr", "stdout"):
            lines = [ln.strip() for ln in bytes(self._tails[which]).decode("utf-8", "replace").splitlines()]
            lines = [ln for ln in lines if ln and not ln.startswith(("Traceback", "File "))]
            if lines:
                return " ".join(lines[-1].split())[:200]
        return ""

    # ---- requests

    def send(self, message: Mapping[str, Any], attachment: bytes | None = None) -> None:
        """Send a request (with *attachment*: see :mod:`cdcml.workers.frames`)."""
        with self._lock:
            fd = self._req_w
            if fd < 0:
                return
            with contextlib.suppress(OSError):  # it died; the reply pipe's end of file says how
                write_frame(fd, message, attachment)

    def take(self) -> tuple[bool, dict[str, Any] | None]:
        """``(True, frame)`` when a frame arrived (``None``: the worker's end of file), else
        ``(False, None)``."""
        with _ARRIVAL:
            if self.frames:
                return True, self.frames.pop(0)
        return False, None

    def exit_code(self, wait: float = 2.0) -> int | None:
        try:
            return self._proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return None

    # ---- ending

    def end_requests(self) -> None:
        """Close the request pipe: the worker ends at once (its lifeline sees end of file)."""
        with self._lock:
            fd, self._req_w = self._req_w, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def kill(self) -> None:
        """SIGKILL the worker and whatever it started."""
        for pid in [*_descendants(self.pid), self.pid]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        """End the worker: close its request pipe (it exits at once), kill it if it
        doesn't, reap it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        _LIVE.discard(self)
        started = _descendants(self.pid)  # before it ends: then they are no longer its children
        self.end_requests()
        if self.exit_code(_CLOSE_GRACE) is None:
            self.kill()
            self.exit_code(_CLOSE_GRACE)
        for pid in started:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for t in self._threads:
            t.join(1.0)  # each closes its own descriptor at end of file
        self.board.close()
        self._board_file.close()

    @property
    def alive(self) -> bool:
        return not self._closed and self._proc.poll() is None


def _descendants(pid: int) -> list[int]:
    """Every live process below *pid* (Linux ``/proc``; elsewhere none are known)."""
    children: dict[int, list[int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


class _Live(set["Worker"]):
    def close_all(self) -> None:
        for w in list(self):
            w.end_requests()  # every worker ends at once, then each is reaped
        for w in list(self):
            w.close()


_LIVE = _Live()


def close_live() -> None:
    """Close every worker still running (at exit)."""
    _LIVE.close_all()


def live_workers() -> list[int]:
    """PIDs of workers started by this process and still running."""
    return [w.pid for w in list(_LIVE) if w.alive]


# --------------------------------------------------------------------------- waiting


def wait_reply(
    worker: Worker,
    *,
    deadline: float | None,
    on_timeout: Callable[[], str],
    on_event: Callable[[dict[str, Any]], None] | None = None,
    check: Callable[[], str | None] | None = None,
    on_death: Callable[[int | None], str],
) -> dict[str, Any]:
    """Wait for *worker*'s final reply (a frame with ``ok``). Frames with ``event`` go to
    *on_event*. Past *deadline* (``time.monotonic()``), or when *check* returns a message
    (a policy call over its limit), the worker is killed and :class:`WorkerFailure` raised
    with that message; at its end of file, with ``on_death(exit code)``."""
    return wait_replies([(worker, deadline, on_timeout, on_event, check, on_death)])[0]


Pending = tuple[
    Worker,
    float | None,
    Callable[[], str],
    Callable[[dict[str, Any]], None] | None,
    Callable[[], str | None] | None,
    Callable[[int | None], str],
]


def wait_replies(pending: Sequence[Pending]) -> list[dict[str, Any]]:
    """:func:`wait_reply` for several workers at once (they run in parallel); the first
    failure kills them all and is raised."""
    results: list[dict[str, Any] | None] = [None] * len(pending)
    try:
        while any(r is None for r in results):
            for i, (worker, deadline, on_timeout, on_event, check, on_death) in enumerate(pending):
                if results[i] is not None:
                    continue
                got, frame = worker.take()
                while got:
                    if frame is None:
                        worker.reusable = False
                        raise WorkerFailure(on_death(worker.exit_code()))
                    if "protocol" in frame:
                        worker.reusable = False
                        raise WorkerFailure(f"{worker.name} broke the worker protocol: {frame['protocol']}")
                    if "ok" in frame:
                        results[i] = frame
                        break
                    if on_event is not None:
                        on_event(frame)
                    got, frame = worker.take()
                if results[i] is not None:
                    continue
                problem = check() if check is not None else None
                if problem is None and deadline is not None and time.monotonic() > deadline:
                    problem = on_timeout()
                if problem is not None:
                    worker.reusable = False
                    worker.kill()
                    raise WorkerFailure(problem)
            if any(r is None for r in results):
                with _ARRIVAL:
                    if not any(p[0].frames for p, r in zip(pending, results, strict=True) if r is None):
                        _ARRIVAL.wait(0.05)
    except BaseException:
        # Whatever is still running is abandoned mid-request: it can't be reused.
        for (worker, *_rest), result in zip(pending, results, strict=True):
            if result is None:
                worker.reusable = False
                worker.kill()
        raise
    return [r for r in results if r is not None]


class PolicyClock:
    """Times the policy call a worker's board shows: a message once one call has run
    longer than *limit* seconds (``describe(policy index, resource index)`` names it)."""

    def __init__(self, board: Board, limit: float, describe: Callable[[int, int], str]) -> None:
        self.board = board
        self.limit = limit
        self.describe = describe
        self._seen = -1
        self._since = time.monotonic()

    def __call__(self) -> str | None:
        seq, policy, resource, busy = self.board.read()
        now = time.monotonic()
        if seq != self._seen:
            self._seen, self._since = seq, now
            return None
        if busy and now - self._since > self.limit:
            return f"{self.describe(policy, resource)} timed out after {seconds(self.limit)}"
        return None
