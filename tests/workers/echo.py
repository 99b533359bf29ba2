"""A worker module for the tests of :mod:`cdcml.workers`: it does what a request asks,
including everything a hostile program or pack might do."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import threading
import time
from typing import Any

from cdcml.workers import Channel


def hello() -> dict[str, Any]:
    if os.environ.get("ECHO_REFUSE"):
        raise RuntimeError("this interpreter can't")
    return {"pid": os.getpid()}


def handle(request: dict[str, Any], channel: Channel) -> dict[str, Any]:
    op = request["op"]
    if op == "echo":
        return {"ok": True, "echo": request["value"]}
    if op == "events":
        for i in range(request["n"]):
            channel.send({"event": "progress", "done": i})
        return {"ok": True}
    if op == "exit":
        os._exit(request["code"])
    if op == "signal":
        os.kill(os.getpid(), request["signal"])
        time.sleep(10)
    if op == "segfault":
        ctypes.string_at(0)
    if op == "sleep":
        time.sleep(request["seconds"])
        return {"ok": True}
    if op == "busy":
        channel.board.begin(request["policy"], request["resource"])
        if request.get("gil"):
            import re

            re.match(r"(a+)+$", "a" * 64 + "b")  # catastrophic backtracking, the GIL held throughout
        while True:
            pass
    if op == "print":
        sys.stdout.write("x" * request["bytes"])
        sys.stdout.flush()
        sys.stderr.write("last words\n")
        return {"ok": True}
    if op == "child":
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        return {"ok": True, "pid": proc.pid}
    if op == "thread":
        threading.Thread(target=time.sleep, args=(60,), daemon=False).start()
        return {"ok": True}
    if op == "garbage":
        os.write(channel._replies, b"\x00\x00\x00\x05nope!")
        time.sleep(10)
    if op == "raise":
        raise ValueError("a bug")
    if op == "unsendable":
        return {"ok": True, "value": object()}
    return {"ok": False}
