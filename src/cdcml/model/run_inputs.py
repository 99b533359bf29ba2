"""What a run reads from the local file system, named by its role: the paths no report of
the run may be written to.

:mod:`cdcml.runs.inputs` lists them for each command from its flags (the state file, the
project and stack files, the pack directories and configs, waivers, baseline, a
``file://`` backend's state); :mod:`cdcml.report.files` refuses a report path that is one
of them before any work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["RunInput"]


@dataclass(frozen=True)
class RunInput:
    """One input of a run: a file, or a directory every path inside which is an input."""

    role: str
    """What it is to the run, with its article, as an error names it: ``the --file input``,
    ``the --policy-pack directory``."""
    path: Path
    """The path as the user (or the run's default) gave it."""
    tree: bool = False
    """A directory: every file in it, and every path below it, is an input."""
