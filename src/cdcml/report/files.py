"""Writing report files: every path is checked before any work, every report is rendered
in memory before the first file is written, and each file is replaced atomically."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

from cdcml.errors import CdcmlError
from cdcml.model import Verdict
from cdcml.report.formats import FORMATS

__all__ = ["report_path_problem", "report_paths_problem", "write_reports"]


def report_path_problem(option: str, path: Path | None) -> str | None:
    """Why a report can't be written at *path* (checked before any work), or ``None``."""
    if path is None:
        return None
    if path.is_dir():
        return f"{option} {path}: is a directory"
    parent = path.parent
    if not parent.is_dir():
        return f"{option} {path}: directory {parent} does not exist"
    return None


def report_paths_problem(paths: Mapping[str, Path | None]) -> str | None:
    """The first problem of the report *paths* (by format name), in table order."""
    for fmt in FORMATS:
        problem = report_path_problem(fmt.option, paths.get(fmt.name))
        if problem:
            return problem
    return None


def _atomic_write(path: Path, data: bytes, option: str) -> None:
    """Write *data* to *path* through a temporary file: a reader never sees half a report."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise CdcmlError(f"can't write the {option} report {path}: {e.strerror}") from None


def write_reports(verdict: Verdict, paths: Mapping[str, Path | None]) -> None:
    """Render every report asked for in *paths* (format name → file) in memory, then
    write each file atomically, in table order."""
    rendered = [(fmt, paths[fmt.name]) for fmt in FORMATS if paths.get(fmt.name) is not None]
    data = [(path, fmt.render(verdict), fmt.option) for fmt, path in rendered]
    for path, content, option in data:
        assert path is not None
        _atomic_write(path, content, option)
