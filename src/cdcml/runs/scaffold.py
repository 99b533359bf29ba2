"""``cdcml policy new``: write a new Python CrossGuard pack (:mod:`cdcml.runs.scaffold_files`)
into a directory, as ``pulumi policy new`` writes a template: an empty directory, or with
``force`` one whose files may change (every file it replaces is reported)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from cdcml.errors import CdcmlError
from cdcml.runs.scaffold_files import FILES

__all__ = ["PACK_NAME", "Scaffold", "ScaffoldError", "scaffold"]

PACK_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,100}")
"""A policy pack name, as the Pulumi CLI allows it (``^[a-zA-Z0-9-_.]{1,100}$``)."""


class ScaffoldError(CdcmlError):
    """The pack can't be written where it is asked for (one line, exit 2)."""


@dataclass(frozen=True)
class Scaffold:
    """What :func:`scaffold` wrote: the pack's name and directory, the files written (by
    path in the pack) and those of them that replaced a different file."""

    name: str
    directory: Path
    written: tuple[str, ...]
    replaced: tuple[str, ...]


def _version() -> str:
    from cdcml import __version__

    return __version__


def scaffold(directory: str | os.PathLike[str], name: str | None = None, *, force: bool = False) -> Scaffold:
    """Write a new pack named *name* (default: the directory's name) into *directory*,
    created if needed. Without *force*, a directory that is not empty is refused."""
    d = Path(directory)
    pack_name = name if name is not None else d.resolve().name
    if not PACK_NAME.fullmatch(pack_name):
        hint = "" if name is not None else " (the directory's name); pass --name NAME"
        raise ScaffoldError(
            f"{pack_name!r} is not a valid policy pack name{hint}: use 1 to 100 letters, digits, '-', '_' or '.'"
        )
    if d.exists() and not d.is_dir():
        raise ScaffoldError(f"{d} exists and is not a directory")
    if d.is_dir() and any(d.iterdir()) and not force:
        raise ScaffoldError(f"{d} is not empty; pass --force to write the pack into it (changed files are listed)")
    contents = {
        path: text.replace("@NAME@", pack_name).replace("@CDCML_VERSION@", _version()) for path, text in FILES.items()
    }
    for path in contents:  # before writing anything: nothing is half done
        target = d / path
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise ScaffoldError(f"{target} exists and is not a regular file; move it away first")
    replaced = []
    for path, text in contents.items():
        target = d / path
        if target.is_file():
            if target.read_bytes() == text.encode("utf-8"):
                continue
            replaced.append(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return Scaffold(pack_name, d, tuple(contents), tuple(replaced))
