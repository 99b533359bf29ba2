"""Running cdcml the way CI does, on hostile input, and checking what a gate must never do.

Each case runs ``python -m cdcml.cli …`` as its own process group (so a case can't hurt
the suite), with a memory cap and a wall-clock limit, in a scratch directory; then the
checks a hostile case needs:

* :meth:`Outcome.assert_input_error` — exit 2 with one ``cdcml: error:`` line naming the
  problem, short, no traceback, no ``internal error``, nothing on stdout;
* :meth:`Outcome.assert_no_sentinel` — a secret (or any marker) appears in no output:
  stdout, stderr, and every file written under the scratch directory;
* :func:`fingerprint` / :meth:`Outcome` ``files`` — inputs are hashed before and after, so
  a run that writes to an input is caught;
* :func:`descendants` — no process the case started is still running afterwards.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 3 * 1024**3
"""Address space of a case (3 GiB): a run that tries to read ``/dev/zero`` whole fails
here instead of taking the machine."""
WALL_LIMIT = 120.0
MAX_ERROR_LINE = 400


def _limit_child() -> None:  # runs in the child between fork and exec
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@dataclass
class Outcome:
    argv: list[str]
    code: int
    stdout: str
    stderr: str
    cwd: Path
    seconds: float
    written: dict[str, bytes] = field(default_factory=dict)

    def describe(self) -> str:
        head = f"cdcml {' '.join(self.argv)} → exit {self.code}"
        return f"{head}\nstdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}"

    def assert_input_error(self, *mentions: str) -> str:
        """Exit 2, stdout empty, and exactly one short ``cdcml: error:`` line on stderr that
        contains each of *mentions*; returns the line."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        assert self.code == 2, self.describe()
        assert self.stdout.strip() == "", self.describe()
        assert "Traceback" not in self.stderr and "internal error" not in self.stderr, self.describe()
        errors = [line for line in lines if line.startswith("cdcml: error: ")]
        assert len(errors) == 1, self.describe()
        line = errors[0]
        assert len(line) <= MAX_ERROR_LINE, f"{len(line)} characters: {line[:MAX_ERROR_LINE]}…"
        for m in mentions:
            assert m in line, f"{m!r} not in {line!r}"
        return line

    def assert_no_sentinel(self, *sentinels: str) -> None:
        """None of *sentinels* appears in stdout, stderr or any file the run wrote."""
        outputs = {"stdout": self.stdout.encode(), "stderr": self.stderr.encode(), **self.written}
        for name, data in outputs.items():
            for s in sentinels:
                assert s.encode() not in data, f"{s!r} leaked into {name}: {self.describe()}"


def fingerprint(paths: Iterable[Path]) -> dict[str, str]:
    """Path → sha256 of every regular file under *paths* (a file or a directory)."""
    out: dict[str, str] = {}
    for p in paths:
        files = [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file() and not q.is_symlink())
        for f in files:
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in directory.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def descendants(pid: int) -> list[int]:
    """PIDs of every live process in *pid*'s process group or below it (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, pgid = fields[0], int(fields[2])
        if pgid == pid and state != "Z":
            found.append(int(entry.name))
    return found


def run_cdcml(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin: bytes | int | None = None,
    timeout: float = WALL_LIMIT,
) -> Outcome:
    """``cdcml *args`` in its own process group under the memory cap. The case fails if it
    outlives *timeout* or leaves a process of its group running."""
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "CDCML_")) and k != "PYTHONHASHSEED"
    }
    full_env.update({"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"})
    full_env.update(env or {})
    before = _snapshot(cwd)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cdcml.cli", *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.PIPE if isinstance(stdin, bytes) else (stdin if stdin is not None else subprocess.DEVNULL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit_child,  # the child only calls setsid and setrlimit before exec
    )
    try:
        out, err = proc.communicate(stdin if isinstance(stdin, bytes) else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(
            f"cdcml {' '.join(args)} ran longer than {timeout} s\nstderr: {err.decode(errors='replace')[-2000:]}"
        ) from None
    seconds = time.monotonic() - start
    left = descendants(proc.pid)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError(f"cdcml {' '.join(args)} left processes running: {left}")
    after = _snapshot(cwd)
    written = {
        str(Path(p).relative_to(cwd)): Path(p).read_bytes() for p, meta in after.items() if before.get(p) != meta
    }
    return Outcome(
        list(args),
        proc.returncode,
        out.decode("utf-8", errors="replace"),
        err.decode("utf-8", errors="replace"),
        cwd,
        seconds,
        written,
    )
