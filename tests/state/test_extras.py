"""The backends' extras (issue 15, item 4): without ``cdcml-guard[s3]`` or
``cdcml-guard[azure]``, the command that needs one says which ``pip install`` fixes it, in
one line, exit 2; the base install still audits files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.not_installed import run_without

SEED_STATE = Path(__file__).resolve().parents[2] / "contract_tests" / "golden" / "inputs" / "state" / "seed.json"


def test_the_blocker_really_hides_the_backends_libraries(tmp_path: Path) -> None:
    proc = run_without(tmp_path, ["boto3", "botocore"], "-c", "import boto3")
    assert proc.returncode == 1 and "No module named 'boto3'" in proc.stderr


@pytest.mark.parametrize(
    ("blocked", "backend", "extra"),
    [
        (["boto3", "botocore"], "s3://bucket/prefix", "s3"),
        (["azure.storage.blob"], "azblob://container", "azure"),
    ],
)
def test_a_backend_without_its_extra_is_one_line_naming_the_pip_install(
    tmp_path: Path, blocked: list[str], backend: str, extra: str
) -> None:
    proc = run_without(tmp_path, blocked, "-m", "cdcml", "policy", "analyze", "--backend", backend, "--all")
    assert (proc.returncode, proc.stdout) == (2, "")
    (line,) = proc.stderr.splitlines()
    assert line.startswith("cdcml: error: ") and line.endswith(
        f"which is not installed: pip install 'cdcml-guard[{extra}]'"
    )


def test_the_base_install_audits_a_state_file_without_the_backends_libraries(tmp_path: Path) -> None:
    """The seed stack's state, audited with neither boto3 nor any azure library: the seed
    fails the guardrails (exit 1), and the report is the whole JSON document."""
    blocked = ["boto3", "botocore", "azure"]
    proc = run_without(tmp_path, blocked, "-m", "cdcml", "policy", "analyze", "--file", str(SEED_STATE), "--json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["command"], doc["stack"]) == ("policy analyze", "seed") and doc["findings"]
