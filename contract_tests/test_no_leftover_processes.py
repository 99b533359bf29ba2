"""After the whole suite, no policy pack or worker process is left running.

The check runs in the teardown of a session-scoped autouse fixture (see conftest), so it
sees every test; this module holds the /proc scan it uses and a test of that scan."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def pack_processes_of(pid: int) -> list[int]:
    """PIDs of `python -m pulumi.policy` processes whose parent is *pid* (Linux /proc)."""
    return _children_with(pid, b"pulumi.policy")


def worker_processes_of(pid: int) -> list[int]:
    """PIDs of cdcml's worker processes (a program's or a pack's) whose parent is *pid*."""
    return _children_with(pid, b"_cdcml_worker")


def _children_with(pid: int, marker: bytes) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and any(marker in arg for arg in cmdline) and stat.rsplit(")", 1)[1].split()[0] != "Z":
            found.append(int(entry.name))
    return found


def test_the_scan_finds_a_running_pack_process():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "-m", "pulumi.policy"])
    try:
        # Between fork and exec the child still shows pytest's command line: wait for exec.
        deadline = time.monotonic() + 10
        while proc.pid not in pack_processes_of(os.getpid()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.pid in pack_processes_of(os.getpid())
    finally:
        proc.kill()
        proc.wait()
    assert proc.pid not in pack_processes_of(os.getpid())


def test_the_scan_finds_a_running_worker():
    from cdcml.workers import BOOTSTRAP, Worker

    root = Path(__file__).resolve().parent.parent
    w = Worker("scan", sys.executable, "tests.workers.echo", cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    try:
        assert w.pid in worker_processes_of(os.getpid())
        assert "_cdcml_worker" in BOOTSTRAP
    finally:
        w.close()
    assert w.pid not in worker_processes_of(os.getpid())
