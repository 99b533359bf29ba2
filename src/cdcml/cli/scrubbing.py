"""The last line of defence: everything cdcml writes to stdout and stderr during a command
passes through the run's secret scrubber (:mod:`cdcml.secrets`), whatever wrote it — a
report, a warning, an error line, or anything a program or a pack printed in process."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from cdcml import secrets
from cdcml.secrets import ScrubbingWriter

__all__ = ["ScrubbingWriter", "scrubbed_output"]


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
