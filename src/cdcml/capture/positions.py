"""Where the program declared each resource: the registration's source position.

The Python SDK sends each ``RegisterResourceRequest`` and ``ReadResourceRequest`` a
``sourcePosition`` (a ``file:`` URI and a line: the caller of the resource class's
``__init__``) and the ``stackTrace`` it took it from (innermost frame first). Like the
engine, capture keeps the position relative to the project directory
(:class:`~cdcml.model.SourcePosition`; the engine writes ``project:///<path>#<line>`` into
state), so a graph never carries the absolute path of one clone.

The SDK's position is kept when it lies in the program's own code. Where it lies in the
Pulumi SDK or a provider SDK (``pulumi``, ``pulumi_*``), the frames of the stack trace
are walked outwards past the SDKs' and the next one taken: a ``Resource.get(...)`` read
(whose ``__init__`` the provider SDK calls) then points at the program's call. When that
frame runs the program rather than being it (the standard library, cdcml's capture), the
resource is the SDK's own — the root stack, created before the program runs — and has
no position; so has a resource declared in code the SDK could not place (run by
``exec``), rather than the position of an outer frame.
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from cdcml.model import SourcePosition

__all__ = ["source_position", "stack_trace"]


def source_position(request: Any, project_dir: Path) -> SourcePosition | None:
    """The position of a ``RegisterResourceRequest`` or ``ReadResourceRequest``, relative
    to *project_dir*; ``None`` when the SDK sent none in the program's code."""
    fields = request.DESCRIPTOR.fields_by_name
    frames: list[Any] = []
    if "stackTrace" in fields and request.HasField("stackTrace"):
        frames = [frame.pc if frame.HasField("pc") else None for frame in request.stackTrace.frames]
    if not frames and "sourcePosition" in fields and request.HasField("sourcePosition"):
        frames = [request.sourcePosition]  # an SDK that sends no stack trace
    root = _real(os.fspath(project_dir))
    for pos in frames:
        file = _file(pos.uri) if pos is not None else None
        if pos is None or file is None or pos.line <= 0:
            return None  # no position the engine would take there (code run by exec): none, not an outer frame
        if _sdk(file):
            continue  # the SDK called the resource's __init__: its caller is the program's
        if _runtime(file):
            return None  # the SDK's own resource (the root stack): the program isn't on the stack
        path = _relative(file, root)
        return None if path is None else SourcePosition(path, pos.line, max(pos.column, 0))
    return None


@functools.lru_cache(maxsize=4096)
def _relative(file: str, root: str) -> str | None:
    """*file* relative to *root*, ``/``-separated; ``None`` on another drive (Windows)."""
    try:
        return Path(os.path.relpath(file, root)).as_posix()
    except ValueError:
        return None


def stack_trace() -> Any:
    """The SDK's ``_get_stack_trace`` (``pulumi.runtime.resource``, the same in every
    supported SDK) for the resource whose constructor is running, cut after the first frame
    :func:`source_position` stops at: the frames from the caller of the concrete resource's
    ``__init__`` outwards, innermost first, each with the position the SDK gives it. The
    SDK walks and formats the whole stack (``traceback.extract_stack``, source lines and
    ``pathlib`` URIs) for every resource; the frames past the program's are never read."""
    from pulumi.runtime.proto import source_pb2

    frame: FrameType | None = sys._getframe(1)
    inits = 0
    while frame is not None:  # the third __init__: Resource, Custom/ComponentResource, the concrete class
        if frame.f_code.co_name == "__init__":
            inits += 1
            if inits == 3:
                break
        frame = frame.f_back
    if frame is None or frame.f_back is None:
        return source_pb2.StackTrace()
    frames = []
    caller: FrameType | None = frame.f_back
    while caller is not None:
        uri = _uri(caller.f_code.co_filename)
        line = caller.f_lineno
        if uri is None or line is None:
            frames.append(source_pb2.StackFrame(pc=None))
            break
        frames.append(source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=uri, line=line)))
        if not _passed(uri, line):
            break
        caller = caller.f_back
    return source_pb2.StackTrace(frames=frames)


@functools.lru_cache(maxsize=4096)
def _uri(filename: str) -> str | None:
    """The SDK's URI of a frame's file (``_get_source_position_for_frame``)."""
    if filename == "":
        return None
    try:
        return Path(filename).as_uri()
    except BaseException:  # noqa: BLE001 - as the SDK: no position
        return None


def _passed(uri: str, line: int) -> bool:
    """Whether :func:`source_position` walks on past a frame at *uri*, *line* (the SDKs')."""
    file = _file(uri)
    return file is not None and line > 0 and _sdk(file)


@functools.lru_cache(maxsize=4096)
def _file(uri: str) -> str | None:
    """The real path of a ``file:`` URI; ``None`` for anything else."""
    parts = urlsplit(uri)
    if parts.scheme != "file" or not parts.path:
        return None
    path = url2pathname(parts.path)
    return _real(path) if os.path.isabs(path) else None


@functools.lru_cache(maxsize=64)
def _real(path: str) -> str:
    return os.path.realpath(path)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=4096)
def _sdk(path: str) -> bool:
    """Whether *path* is in the Pulumi SDK or a provider SDK: a package directory named
    ``pulumi`` or ``pulumi_*`` among the installed libraries."""
    for lib in _roots()[1]:
        if _under(path, lib):
            top = Path(os.path.relpath(path, lib)).parts
            return len(top) > 1 and (top[0] == "pulumi" or top[0].startswith("pulumi_"))
    return False


@functools.lru_cache(maxsize=4096)
def _runtime(path: str) -> bool:
    """Whether *path* runs the program rather than being it: the standard library
    (asyncio, runpy) or cdcml's capture and workers."""
    stdlib, libraries, capture = _roots()
    if any(_under(path, c) for c in capture):
        return True
    return any(_under(path, s) for s in stdlib) and not any(_under(path, lib) for lib in libraries)


@functools.cache
def _roots() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The standard library's directories; the installed libraries' (which may lie inside
    them); cdcml's capture and workers."""
    paths = sysconfig.get_paths()
    stdlib = tuple(_real(paths[k]) for k in ("stdlib", "platstdlib") if paths.get(k))
    libraries = {_real(paths[k]) for k in ("purelib", "platlib") if paths.get(k)}
    libraries.update(_real(p) for p in sys.path if Path(p).name in ("site-packages", "dist-packages"))
    here = Path(__file__).parent
    capture = (_real(str(here)), _real(str(here.parent / "workers")))
    return stdlib, tuple(sorted(libraries)), capture
