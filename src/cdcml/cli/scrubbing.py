"""The last line of defence: everything cdcml writes to stdout and stderr during a command
passes through the run's secret scrubber (:mod:`cdcml.secrets`), whatever wrote it — a
report, a warning, an error line, or anything a program or a pack printed in process."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from cdcml import secrets

__all__ = ["ScrubbingWriter", "scrubbed_output"]


class ScrubbingWriter(io.TextIOBase):
    """A text stream that scrubs what it is given and passes it to *target*."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target

    def write(self, text: str) -> int:
        self._target.write(secrets.scrub(text))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._target, "errors", None)

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


@contextlib.contextmanager
def scrubbed_output() -> Iterator[None]:
    """Scrub stdout and stderr for the duration of a command (a new run: the secrets of an
    earlier run in this process are forgotten first)."""
    secrets.forget_all()
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ScrubbingWriter(out), ScrubbingWriter(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
