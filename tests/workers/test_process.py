"""Worker processes from cdcml's side: replies and events, every way a worker can end
(exit, signal, segfault, a forged frame) named in one line, time limits on a whole
request and on one policy call (even one that holds the GIL), output drained and kept,
and nothing left running."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cdcml.workers import (
    POOL,
    PolicyClock,
    Pool,
    Worker,
    WorkerFailure,
    describe_exit,
    live_workers,
    reply_error,
    wait_replies,
    wait_reply,
)
from cdcml.workers.process import _descendants

ROOT = Path(__file__).resolve().parents[2]


def start(**env: str) -> Worker:
    return Worker(
        "echo worker",
        sys.executable,
        "tests.workers.echo",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def ask(worker: Worker, request: dict[str, Any], *, limit: float = 30.0, **kw: Any) -> dict[str, Any]:
    worker.send(request)
    return wait_reply(
        worker,
        deadline=time.monotonic() + limit,
        on_timeout=lambda: f"echo worker timed out after {limit:g} s",
        on_death=lambda code: f"echo worker {describe_exit(code)}",
        **kw,
    )


@pytest.fixture
def worker() -> Iterator[Worker]:
    w = start()
    hello = wait_reply(w, deadline=time.monotonic() + 30, on_timeout=lambda: "hello", on_death=lambda c: "died")
    assert hello["ok"] and hello["hello"]["pid"] == w.pid
    yield w
    w.close()
    assert not w.alive


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_a_request_gets_its_reply_and_events_come_first(worker: Worker) -> None:
    assert ask(worker, {"op": "echo", "value": [1, "two"]}) == {"ok": True, "echo": [1, "two"]}
    events: list[dict[str, Any]] = []
    assert ask(worker, {"op": "events", "n": 3}, on_event=events.append) == {"ok": True}
    assert [e["done"] for e in events] == [0, 1, 2]


def test_a_worker_that_cannot_start_says_why() -> None:
    w = start(ECHO_REFUSE="1")
    try:
        hello = wait_reply(w, deadline=time.monotonic() + 30, on_timeout=lambda: "t", on_death=lambda c: "d")
        assert hello == {"ok": False, "fatal": "RuntimeError: this interpreter can't"}
    finally:
        w.close()


def test_an_interpreter_that_does_not_exist_is_one_line() -> None:
    with pytest.raises(WorkerFailure, match=r"^program x: can't start /nonexistent/python: "):
        Worker("program x", "/nonexistent/python", "tests.workers.echo", cwd=ROOT, env=os.environ)


@pytest.mark.parametrize(
    ("request_", "how"),
    [
        ({"op": "exit", "code": 0}, "exited with code 0"),
        ({"op": "exit", "code": 3}, "exited with code 3"),
        ({"op": "signal", "signal": signal.SIGKILL}, "was killed by signal 9 (SIGKILL)"),
        ({"op": "signal", "signal": signal.SIGTERM}, "was killed by signal 15 (SIGTERM)"),
        ({"op": "segfault"}, "was killed by signal 11 (SIGSEGV)"),
    ],
    ids=["exit-0", "exit-3", "sigkill", "sigterm", "segfault"],
)
def test_every_way_a_worker_ends_is_named(worker: Worker, request_: dict[str, Any], how: str) -> None:
    with pytest.raises(WorkerFailure, match=f"^echo worker {how.replace('(', '[(]').replace(')', '[)]')}$"):
        ask(worker, request_)
    assert not worker.reusable


def test_a_forged_frame_is_a_protocol_error(worker: Worker) -> None:
    with pytest.raises(WorkerFailure, match=r"^echo worker broke the worker protocol: a frame that is not JSON$"):
        ask(worker, {"op": "garbage"})


def test_a_bug_in_the_worker_module_is_an_error_reply_not_a_death(worker: Worker) -> None:
    reply = ask(worker, {"op": "raise"})
    assert reply == {"ok": False, "error": {"type": "internal", "message": "ValueError: a bug"}}
    reply = ask(worker, {"op": "unsendable"})
    assert reply["ok"] is False and "can't send the reply: TypeError" in reply["error"]["message"]
    assert ask(worker, {"op": "echo", "value": 1})["echo"] == 1


def test_the_error_of_a_reply_is_an_object_or_nothing() -> None:
    assert reply_error({"ok": False, "error": {"type": "internal", "message": "m"}}) == {
        "type": "internal",
        "message": "m",
    }
    assert reply_error({"ok": False, "error": "a string"}) == {}
    assert reply_error({"ok": False}) == {}


def test_a_request_over_its_deadline_kills_the_worker(worker: Worker) -> None:
    t = time.monotonic()
    with pytest.raises(WorkerFailure, match=r"^echo worker timed out after 0\.5 s$"):
        ask(worker, {"op": "sleep", "seconds": 60}, limit=0.5)
    assert time.monotonic() - t < 5
    assert worker.exit_code(5) == -signal.SIGKILL


@pytest.mark.parametrize("gil", [False, True], ids=["python-loop", "holding-the-gil"])
def test_one_policy_call_over_its_limit_is_named_and_stopped(worker: Worker, gil: bool) -> None:
    clock = PolicyClock(worker.board, 0.5, lambda policy, resource: f"policy #{policy} on resource #{resource}")
    t = time.monotonic()
    with pytest.raises(WorkerFailure, match=r"^policy #2 on resource #5 timed out after 0\.5 s$"):
        ask(worker, {"op": "busy", "policy": 2, "resource": 5, "gil": gil}, check=clock)
    assert time.monotonic() - t < 10
    assert worker.exit_code(5) == -signal.SIGKILL


def test_the_clock_restarts_at_each_call_and_ignores_an_idle_worker(tmp_path: Path) -> None:
    from cdcml.workers import Board

    f = tmp_path / "b"
    f.write_bytes(bytes(Board.SIZE))
    with open(f, "r+b") as fh:
        board = Board(fh.fileno())
        clock = PolicyClock(board, 0.2, lambda p, r: f"{p}/{r}")
        assert clock() is None
        time.sleep(0.3)
        assert clock() is None  # idle: never times out
        board.begin(1, 1)
        assert clock() is None
        time.sleep(0.1)
        board.end()
        board.begin(2, 2)  # a new call: the clock starts again
        assert clock() is None
        time.sleep(0.1)
        assert clock() is None
        time.sleep(0.2)
        assert clock() == "2/2 timed out after 0.2 s"
        board.close()


def test_output_is_drained_and_only_a_tail_kept(worker: Worker) -> None:
    """8 MiB of output never blocks the worker; its stderr arrives on its own pipe, so
    it may be read a moment after the reply."""
    assert ask(worker, {"op": "print", "bytes": 8 << 20}) == {"ok": True}
    deadline = time.monotonic() + 10
    while worker.last_output_line() != "last words" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.last_output_line() == "last words"
    assert len(worker._tails["stdout"]) <= 64 * 1024


def test_a_dead_workers_last_words_are_read_before_they_are_reported(worker: Worker) -> None:
    """The death message quotes what the worker wrote last, however busy the machine:
    the drain of an exited worker is waited for."""
    worker.send({"op": "print", "bytes": 1 << 20})
    worker.send({"op": "exit", "code": 3})
    worker._proc.wait(timeout=30)
    assert worker.last_output_line() == "last words"


def test_several_workers_are_waited_for_at_once(worker: Worker) -> None:
    other = start()
    try:
        wait_reply(other, deadline=time.monotonic() + 30, on_timeout=lambda: "t", on_death=lambda c: "d")
        for w in (worker, other):
            w.send({"op": "sleep", "seconds": 1.5})
        t = time.monotonic()
        pending = [(w, time.monotonic() + 30, lambda: "t", None, None, lambda c: "d") for w in (worker, other)]
        assert wait_replies(pending) == [{"ok": True}, {"ok": True}]
        assert time.monotonic() - t < 2.9, "they ran at the same time"
    finally:
        other.close()


def test_the_first_failure_stops_every_worker_still_running(worker: Worker) -> None:
    other = start()
    wait_reply(other, deadline=time.monotonic() + 30, on_timeout=lambda: "t", on_death=lambda c: "d")
    worker.send({"op": "sleep", "seconds": 60})
    other.send({"op": "exit", "code": 0})
    pending = [
        (worker, None, lambda: "t", None, None, lambda c: "first died"),
        (other, None, lambda: "t", None, None, lambda c: f"second {describe_exit(c)}"),
    ]
    with pytest.raises(WorkerFailure, match=r"^second exited with code 0$"):
        wait_replies(pending)
    assert worker.exit_code(5) == -signal.SIGKILL and not worker.reusable
    other.close()


def test_closing_a_worker_ends_it_and_what_it_started(worker: Worker) -> None:
    child = ask(worker, {"op": "child"})["pid"]
    assert child in _descendants(worker.pid)
    worker.close()
    assert gone(worker.pid)
    deadline = time.monotonic() + 5
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child)
    assert worker.pid not in live_workers()


def test_a_worker_with_a_thread_left_running_still_closes_at_once(worker: Worker) -> None:
    ask(worker, {"op": "thread"})
    t = time.monotonic()
    worker.close()
    assert time.monotonic() - t < 3.0


def test_the_pool_reuses_a_healthy_worker_by_key_and_closes_the_rest() -> None:
    pool = Pool(size=1)
    a, b = start(), start()
    pool.give("a", a)
    assert pool.take("b") is None
    assert pool.take("a") is a
    pool.give("a", a)
    pool.give("b", b)  # over the size: the oldest (a) is closed
    assert not a.alive and pool.take("a") is None
    b.reusable = False
    c = pool.take("b")
    assert c is b
    pool.give("b", b)  # not reusable: closed, not kept
    assert not b.alive and pool.take("b") is None
    d = start()
    pool.give("d", d)
    d.kill()
    d.exit_code(5)
    assert pool.take("d") is None, "a dead worker is not handed out"
    pool.close_all()


def test_the_process_pool_is_empty_of_dead_workers_after_a_suite() -> None:
    assert all(w.alive for _k, w in POOL._idle)
