"""Frames (a 4-byte big-endian length and a JSON object) and the status board.

A request may carry an *attachment*: bytes sent as is in the frame that follows (its
JSON says how long: ``"attachment": <size>``), for data already encoded by the sender —
the graph cdcml sends a pack's worker (:func:`cdcml.model.codec.encode_graph`), which a
JSON frame would have to walk and escape again. Only the worker's side accepts them:
cdcml reads its workers' replies with ``attachments=False``."""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import struct
from typing import Any

__all__ = ["MAX_FRAME", "Board", "FrameError", "read_frame", "write_frame"]

_HEADER = struct.Struct(">I")
MAX_FRAME = 1 << 30
"""The largest frame either side accepts (1 GiB): a 10,001-resource graph is ~40 MB."""


def write_frame(fd: int, message: Any, attachment: bytes | None = None) -> None:
    """Write one frame (JSON; lone surrogates and NaN survive the round trip), and
    *attachment* after it when given."""
    if attachment is not None:
        message = {**message, "attachment": len(attachment)}
    data = json.dumps(message, separators=(",", ":")).encode("ascii")
    for part in (data,) if attachment is None else (data, attachment):
        if len(part) > MAX_FRAME:
            raise ValueError(f"a worker message of {len(part)} bytes is over the {MAX_FRAME}-byte limit")
        _write_all(fd, _HEADER.pack(len(part)) + part)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class FrameError(Exception):
    """A frame that is not a JSON object of an acceptable size."""


def _read_part(fd: int) -> bytes | None:
    head = _read_exactly(fd, _HEADER.size)
    if head is None:
        return None
    (size,) = _HEADER.unpack(head)
    if size > MAX_FRAME:
        raise FrameError(f"a frame of {size} bytes")
    return _read_exactly(fd, size)


def read_frame(fd: int, *, attachments: bool = False) -> dict[str, Any] | None:
    """The next frame, or ``None`` at end of file. Raises :class:`FrameError` on a
    malformed one. With *attachments*, a frame's attachment is read too and handed back
    as ``message["attachment"]`` (bytes); without, a frame announcing one is malformed."""
    data = _read_part(fd)
    if data is None:
        return None
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FrameError("a frame that is not JSON") from None
    if not isinstance(message, dict):
        raise FrameError("a frame that is not a JSON object")
    if "attachment" in message:
        size = message["attachment"]
        if not attachments or isinstance(size, bool) or not isinstance(size, int):
            raise FrameError("a frame with an attachment where none is accepted")
        attached = _read_part(fd)
        if attached is None:
            return None
        if len(attached) != size:
            raise FrameError(f"an attachment of {len(attached)} bytes, announced as {size}")
        message["attachment"] = attached
    return message


# --------------------------------------------------------------------------- the status board


class Board:
    """What a worker is doing, in a shared 32-byte file: a call counter, whether a policy
    call is running, and two numbers naming it (the policy's index in its pack and the
    resource's index in the graph, ``-1`` for a stack validation)."""

    _LAYOUT = struct.Struct("<QqqI")  # seq, policy, resource, busy
    SIZE = 32

    def __init__(self, fd: int) -> None:
        self._map = mmap.mmap(fd, self.SIZE)
        self._seq = 0

    def begin(self, policy: int, resource: int) -> None:
        self._seq += 1
        self._LAYOUT.pack_into(self._map, 0, self._seq, policy, resource, 1)

    def end(self) -> None:
        self._LAYOUT.pack_into(self._map, 0, self._seq, -1, -1, 0)

    def read(self) -> tuple[int, int, int, bool]:
        seq, policy, resource, busy = self._LAYOUT.unpack_from(self._map, 0)
        return seq, policy, resource, bool(busy)

    def close(self) -> None:
        with contextlib.suppress(BufferError, ValueError):
            self._map.close()
