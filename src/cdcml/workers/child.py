"""The worker's side: how a worker interpreter starts (:data:`BOOTSTRAP`), dies with cdcml,
and serves requests (:func:`child_main`)."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from cdcml import secrets
from cdcml.workers.frames import Board, FrameError, read_frame, write_frame

__all__ = ["BOOTSTRAP", "Channel", "apply_environment", "child_main"]


BOOTSTRAP = r"""
import os, sys
def _cdcml_worker():
    pkg, module, parent = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fds = [int(x) for x in sys.argv[4:7]]
    if sys.version_info < (3, 11):
        import json, struct
        v = ".".join(str(x) for x in sys.version_info[:3])
        data = json.dumps({"ok": False, "fatal": "it is Python " + v + "; cdcml needs 3.11 or later"}).encode()
        os.write(fds[1], struct.pack(">I", len(data)) + data)
        os._exit(3)
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "cdcml", os.path.join(pkg, "__init__.py"), submodule_search_locations=[pkg])
    package = importlib.util.module_from_spec(spec)
    sys.modules["cdcml"] = package
    spec.loader.exec_module(package)
    from cdcml.workers.child import child_main
    child_main(module, parent, fds, sys.argv[7:])
_cdcml_worker()
"""
"""What a worker interpreter runs (``python -u -c BOOTSTRAP <cdcml dir> <module> <parent pid>
<request fd> <reply fd> <board fd>``): cdcml's own package directory becomes the ``cdcml``
package — only it, not the site-packages it sits in — then ``<module>.hello()`` and
``<module>.handle(request, channel)`` serve requests."""


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # cdcml died before the request above
        os._exit(1)


class Channel:
    """The worker's end: requests in order, replies out, the status board."""

    def __init__(self, fds: Sequence[int]) -> None:
        self._requests, self._replies, board = fds
        self.board = Board(board)
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._lock = threading.Lock()
        threading.Thread(target=self._read, name="cdcml-lifeline", daemon=True).start()

    def _read(self) -> None:
        # The lifeline: end of file on the request pipe (cdcml closed it or died) ends
        # the worker at once, whatever the program or pack is doing.
        while True:
            try:
                frame = read_frame(self._requests, attachments=True)
            except (OSError, FrameError):
                frame = None
            if frame is None:
                os._exit(0)
            self._inbox.put(frame)

    def receive(self) -> dict[str, Any]:
        frame = self._inbox.get()
        assert frame is not None
        return frame

    def send(self, message: Mapping[str, Any]) -> None:
        with self._lock:
            write_frame(self._replies, message)


def child_main(module_name: str, parent: int, fds: Sequence[int], requires: Sequence[str] = ()) -> None:
    """Serve requests until cdcml closes the request pipe (never returns). *requires* are
    imported first, so a missing SDK is named, not a module it would have brought."""
    import importlib

    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is cdcml's to handle
    # What the program or the pack prints is scrubbed of the secrets this worker knows
    # (the graph's, the config's, the capture's so far) before it leaves the process.
    sys.stdout, sys.stderr = secrets.ScrubbingWriter(sys.stdout), secrets.ScrubbingWriter(sys.stderr)
    channel = Channel(fds)
    try:
        for name in requires:
            importlib.import_module(name)
        module = importlib.import_module(module_name)
        hello = module.hello()
    except BaseException as e:  # noqa: BLE001 - reported to cdcml as the reason it can't start
        channel.send({"ok": False, "fatal": " ".join(f"{type(e).__name__}: {e}".split())[:500]})
        os._exit(3)
    channel.send({"ok": True, "hello": hello})
    while True:
        request = channel.receive()
        try:
            reply = module.handle(request, channel)
        except BaseException as e:  # noqa: BLE001 - a bug of the worker module, not of user code
            reply = {"ok": False, "error": {"type": "internal", "message": f"{type(e).__name__}: {e}"[:2000]}}
        try:
            channel.send(reply)
        except (ValueError, TypeError, RecursionError) as e:  # what JSON can't carry (a 5,000-digit int)
            message = f"can't send the reply: {type(e).__name__}: {e}"[:2000]
            channel.send({"ok": False, "error": {"type": "CdcmlError", "message": message}})


def apply_environment(env: Mapping[str, str]) -> None:
    """In a worker: make *env* the process environment."""
    for key in [k for k in os.environ if k not in env]:
        del os.environ[key]
    for key, value in env.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
