"""docs/testing.md's tutorial is the truth: its files are extracted from the markdown (a
fenced block whose first line is ``# file: PATH``) into a fresh directory, its pytest suite
runs there and passes, and the ``cdcml verify`` command it shows prints the verdicts it
shows (each law's holds/FAILS; counts and times vary with the machinery) and the same
counterexample."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)
FILE_MARK = re.compile(r"# file: (\S+)\n")


def tutorial_files(text: str) -> dict[str, str]:
    """PATH → contents of every fenced block whose first line is ``# file: PATH``."""
    files = {}
    for _lang, body in FENCE.findall(text):
        mark = FILE_MARK.match(body)
        if mark:
            files[mark.group(1)] = body[mark.end() :]
    return files


def console(text: str, command: str) -> tuple[list[str], list[str]]:
    """The ``$ command`` line of a ``console`` block starting with *command*, and the lines shown after it."""
    for lang, body in FENCE.findall(text):
        lines = body.splitlines()
        if lang == "console" and lines and lines[0].startswith(f"$ {command}"):
            return shlex.split(lines[0][2:]), lines[1:]
    raise AssertionError(f"no console block runs {command!r}")


ROW = re.compile(r"^(\S+)\s+\d+\s+\d+\s+[\d.]+ s\s+(holds|FAILS)$")


def verdicts(lines: list[str]) -> list[tuple[str, str]]:
    """The table's (law, holds/FAILS) rows: counts and times depend on the run's machinery
    (the kill matrix's weakenings, the clock), the verdicts on the tutorial."""
    return [(m.group(1), m.group(2)) for m in map(ROW.match, lines) if m]


def counterexamples(lines: list[str]) -> list[str]:
    """The counterexample blocks and the closing verdict line."""
    start = next(i for i, line in enumerate(lines) if line.endswith(": counterexample"))
    return [line.rstrip() for line in lines[start:]]


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tutorial")
    files = tutorial_files(DOC.read_text(encoding="utf-8"))
    assert {"shop/Pulumi.yaml", "shop/__main__.py", "shop-pack/shop_policies.py", "tests/test_laws.py"} <= set(files)
    for path, body in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(body, encoding="utf-8")
    return root


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS_"))}


def test_the_tutorial_suite_passes(tutorial: Path) -> None:
    argv, shown = console(DOC.read_text(encoding="utf-8"), "python -m pytest")
    proc = subprocess.run(
        [sys.executable, *argv[1:], "-p", "no:cacheprovider"],
        cwd=tutorial,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    passed = next(line for line in shown if line.endswith("passed"))
    assert f"{passed} in " in proc.stdout


def test_cdcml_verify_prints_what_the_tutorial_shows(tutorial: Path) -> None:
    argv, shown = console(DOC.read_text(encoding="utf-8"), "cdcml verify")
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from cdcml.cli import entry; sys.exit(entry())", *argv[1:]],
        cwd=tutorial,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr  # conforms fails, as the tutorial says
    printed = proc.stdout.splitlines()
    assert printed[0] == shown[0]  # cdcml verify shop/dev  (seed 1)
    assert verdicts(printed) == verdicts(shown)
    assert len(verdicts(shown)) == 7
    assert counterexamples(printed) == counterexamples(shown)
