"""Writing report files, so that a report never clobbers anything and the set of reports
is written all or nothing.

Before any work, :func:`report_paths_problem` refuses a report path that is a directory,
whose directory does not exist, that is an input of the run (:class:`~cdcml.model.RunInput`)
or that is another report's path. Two paths name the same file when they resolve to the
same real path (symlinks and ``..`` followed) or, both existing, to the same inode (hard
links); a path is inside an input directory when its real path is below the directory's,
or when it is an existing file that a file of the directory also names (a hard link, or a
symlink in the directory pointing at it).

:func:`write_reports` renders every report in memory, then writes the set:

* a regular file, or a new one, is written to a temporary file next to it (next to the
  file a symlink points to: the link is kept and its target updated, with the target's
  permissions), and the temporary files are renamed over their targets only once every
  one of them is complete;
* anything else that exists — a device such as ``/dev/null`` or ``/dev/stdout``, a FIFO —
  and a file that is cdcml's own standard output or error are written to directly, never
  replaced (replacing them would turn a device node into a regular file);
* on any failure every temporary file is removed and no regular target changes.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cdcml.errors import CdcmlError
from cdcml.model import RunInput, Verdict
from cdcml.report.formats import FORMATS
from cdcml.secrets import scrub_bytes

__all__ = ["report_path_problem", "report_paths_problem", "same_file", "write_files", "write_reports"]

MAX_SCAN = 100_000
"""Files of an input directory compared by inode with an existing report path at most
(a directory that large is not a policy pack or a backend's state)."""


# --------------------------------------------------------------------------- identity


def _stat(path: str | os.PathLike[str]) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def same_file(a: Path, b: Path) -> bool:
    """*a* and *b* name one file: the same real path, or (both existing) the same inode."""
    if _real(a) == _real(b):
        return True
    sa, sb = _stat(a), _stat(b)
    return sa is not None and sb is not None and _identity(sa) == _identity(sb)


def _tree_files(tree: Path) -> Iterator[os.DirEntry[str]]:
    """Every entry below *tree* that is not a directory, as ``os.walk`` finds them
    (links to directories are not followed, unreadable directories are skipped)."""
    todo = [os.fspath(tree)]
    while todo:
        try:
            with os.scandir(todo.pop()) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                yield entry
            elif not _is_link(entry):
                todo.append(entry.path)


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _inside(path: Path, tree: Path) -> bool:
    """*path* is in the directory *tree*, or is an existing file a file of *tree* names.
    A file with one name can only be named by a symlink: the other files are not stat'ed."""
    if _real(path).is_relative_to(_real(tree)):
        return True
    st = _stat(path)
    if st is None or not stat.S_ISREG(st.st_mode):
        return False
    linked = st.st_nlink > 1
    for entry in itertools.islice(_tree_files(tree), MAX_SCAN):
        if not linked and not _is_link(entry):
            continue
        other = _stat(entry.path)
        if other is not None and _identity(other) == _identity(st):
            return True
    return False


def _is_input(path: Path, given: RunInput) -> bool:
    return _inside(path, given.path) if given.tree else same_file(path, given.path)


# --------------------------------------------------------------------------- checks


def report_path_problem(option: str, path: Path | None) -> str | None:
    """Why a report can't be written at *path* alone (checked before any work), or ``None``."""
    if path is None:
        return None
    st = _stat(path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        return f"{option} {path}: is a directory"
    if st is not None and not stat.S_ISREG(st.st_mode):
        return None  # a device or a FIFO: written to directly
    parent = _real(path).parent
    if not parent.is_dir():
        shown = parent if path.is_symlink() else path.parent
        return f"{option} {path}: directory {shown} does not exist"
    if not os.access(parent, os.W_OK):
        return f"{option} {path}: directory {parent} is not writable"
    return None


def _named(role: str, path: Path, given: Path) -> str:
    """*role*, with the input's path when the report path was spelled differently."""
    return role if str(path) == str(given) else f"{role} {given}"


def report_paths_problem(paths: Mapping[str, Path | None], inputs: Sequence[RunInput] = ()) -> str | None:
    """The first problem of the report *paths* (by format name), in table order: a path
    that can't be written, that is one of the run's *inputs*, or that an earlier report
    already has."""
    earlier: list[tuple[str, Path]] = []
    for fmt in FORMATS:
        path = paths.get(fmt.name)
        problem = report_path_problem(fmt.option, path)
        if problem:
            return problem
        if path is None:
            continue
        for given in inputs:
            if _is_input(path, given):
                where = "is inside" if given.tree else "is"
                return f"{fmt.option} {path}: {where} {_named(given.role, path, given.path)} of this run"
        for option, other in earlier:
            if same_file(path, other):
                return f"{fmt.option} {path}: is also the {_named(option + ' report', path, other)} of this run"
        earlier.append((fmt.option, path))
    return None


# --------------------------------------------------------------------------- writing


@dataclass
class _Target:
    """One report file being written: the path asked for, and how it is written."""

    option: str
    path: Path
    data: bytes
    direct: bool = False
    """Written to in place (a device, a FIFO, a standard stream), not replaced."""
    real: Path | None = None
    """The regular file replaced: *path*, or the file a symlink points to."""
    tmp: Path | None = None
    """The complete temporary file next to *real*, until it is renamed."""

    def error(self, e: OSError) -> CdcmlError:
        return CdcmlError(f"can't write the {self.option} report {self.path}: {e.strerror or e}")


def _standard_streams() -> set[tuple[int, int]]:
    out = set()
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            out.add(_identity(os.fstat(fd)))
    return out


def _plan(option: str, path: Path, data: bytes, streams: set[tuple[int, int]]) -> _Target:
    st = _stat(path)
    if st is not None and (not stat.S_ISREG(st.st_mode) or _identity(st) in streams):
        return _Target(option, path, data, direct=True)
    return _Target(option, path, data, real=_real(path))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _stage(target: _Target) -> None:
    """Write *target*'s data to a new temporary file next to the file it replaces."""
    assert target.real is not None
    real = target.real
    tmp = real.with_name(f".{real.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    target.tmp = tmp
    try:
        existing = _stat(real)
        if existing is not None:
            os.fchmod(fd, stat.S_IMODE(existing.st_mode))
        _write_all(fd, target.data)
    finally:
        os.close(fd)


def _write_direct(target: _Target) -> None:
    """Write *target*'s data into the existing file (a FIFO without a reader fails, it
    doesn't block)."""
    fd = os.open(target.path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        os.set_blocking(fd, True)
        _write_all(fd, target.data)
    finally:
        os.close(fd)


def _rename(target: _Target) -> None:
    assert target.tmp is not None and target.real is not None
    os.replace(target.tmp, target.real)
    target.tmp = None


def _attempt(target: _Target, step: Callable[[_Target], None]) -> None:
    try:
        step(target)
    except OSError as e:
        raise target.error(e) from None


def _commit(targets: Sequence[_Target]) -> None:
    """Stage every replaced file, write the direct ones, then rename: a failure before
    the renames leaves every regular target as it was, and no temporary file is left."""
    replaced = [t for t in targets if not t.direct]
    try:
        for t in replaced:
            _attempt(t, _stage)
        for t in targets:
            if t.direct:
                _attempt(t, _write_direct)
        for t in replaced:
            _attempt(t, _rename)
    finally:
        for t in replaced:
            if t.tmp is not None:
                with contextlib.suppress(OSError):
                    t.tmp.unlink()


def write_reports(verdict: Verdict, paths: Mapping[str, Path | None]) -> None:
    """Render every report asked for in *paths* (format name → file) in memory, in table
    order, pass each through the run's secret scrubber (:mod:`cdcml.secrets`), then write
    them all or none (see the module's description)."""
    write_files([(fmt.option, path, fmt.render(verdict)) for fmt in FORMATS if (path := paths.get(fmt.name))])


def write_files(files: Sequence[tuple[str, Path, bytes]]) -> None:
    """Write each ``(option, path, data)`` — *data* through the run's secret scrubber —
    all or none, as :func:`write_reports` does."""
    streams = _standard_streams()
    _commit([_plan(option, path, scrub_bytes(data), streams) for option, path, data in files])
