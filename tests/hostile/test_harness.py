"""The hostile-input harness can fail: it sees a wrong exit code, a traceback, a leaked
sentinel, a written input and a process left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.conftest import PACK
from tests.hostile.harness import descendants, fingerprint, run_cdcml


def test_a_valid_audit_is_not_an_input_error(scratch: Path, seed_state: Path) -> None:
    out = run_cdcml(["policy", "analyze", "--file", str(seed_state), "--policy-pack", str(PACK)], cwd=scratch)
    assert out.code == 1
    with pytest.raises(AssertionError):
        out.assert_input_error()


def test_a_missing_file_is_one_named_error_line(scratch: Path) -> None:
    out = run_cdcml(["policy", "analyze", "--file", "nope.json", "--policy-pack", str(PACK)], cwd=scratch)
    line = out.assert_input_error("nope.json")
    with pytest.raises(AssertionError):
        out.assert_input_error("something it does not say")
    assert line.startswith("cdcml: error: ")


def test_sentinels_are_found_in_outputs_and_written_files(scratch: Path, seed_state: Path) -> None:
    """Only the SARIF report carries fingerprints; a sentinel equal to their key is caught there."""
    out = run_cdcml(
        ["policy", "analyze", "--file", str(seed_state), "--policy-pack", str(PACK), "--sarif", "r.sarif"], cwd=scratch
    )
    assert "r.sarif" in out.written
    out.assert_no_sentinel("a-value-no-report-contains")
    with pytest.raises(AssertionError, match=r"leaked into r\.sarif"):
        out.assert_no_sentinel("cdcmlFinding/v1")


def test_fingerprints_change_when_a_file_does(scratch: Path) -> None:
    f = scratch / "input.json"
    f.write_text("{}")
    before = fingerprint([scratch])
    f.write_text("{ }")
    assert fingerprint([scratch]) != before


def test_descendants_sees_a_process_left_in_the_group() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    try:
        deadline = time.monotonic() + 5
        while proc.pid not in descendants(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.pid in descendants(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    assert descendants(proc.pid) == []
    assert os.getpid() not in descendants(proc.pid)
