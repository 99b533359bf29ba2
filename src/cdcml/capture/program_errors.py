"""A program's failure as one line at the program's own frame: ``program <name> failed at
<file>:<line>: <Type>: <message>``, never a traceback through the SDK or capture."""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from cdcml.capture.project import Project
from cdcml.errors import CdcmlError

__all__ = ["describe_program_error"]

_CAPTURE_PACKAGE = str(Path(__file__).parent)


def describe_program_error(exc: BaseException, project: Project, inline: bool) -> str:
    """One line: ``<file>:<line>: <Type>: <message>`` at the program's own frame."""
    if isinstance(exc, CdcmlError):
        return exc.message
    root = str(project.directory)
    location = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        location = f"{_rel(exc.filename, root)}:{exc.lineno}"
    else:
        frames = traceback.extract_tb(exc.__traceback__)
        cause = exc.__cause__ or exc.__context__
        if cause is not None and not frames:
            frames = traceback.extract_tb(cause.__traceback__)
        own = [
            f
            for f in frames
            if (inline or f.filename.startswith(root))
            and "site-packages" not in f.filename
            and not f.filename.startswith(_CAPTURE_PACKAGE)
        ]
        if own:
            f = own[-1]
            location = f"{_rel(f.filename, root)}:{f.lineno}"
    name = type(exc).__name__
    if name == "RunError" or name.endswith("ConfigMissingError") or name == "ConfigTypeError":
        detail = str(exc)
    else:
        detail = f"{name}: {exc}"
    detail = " ".join(detail.split())
    program = "the program" if inline else f"program {project.name}"
    return f"{program} failed at {location}: {detail}" if location else f"{program} failed: {detail}"


def _rel(path: str, root: str) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return path
