"""The README's "Testing your own policies" example runs as written and its tests pass."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Testing your own policies", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the section has a python example"
    return match.group(1)


def run_pytest(tmp_path: Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    """*source* saved as *name* in *tmp_path* and run by pytest in a fresh process."""
    (tmp_path / name).write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_readme_example_passes_under_pytest(tmp_path):
    proc = run_pytest(tmp_path, "test_eventhub_policies.py", readme_example())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 passed" in proc.stdout


def test_the_readme_example_can_fail(tmp_path):
    """The example's assertions are real: breaking the policy makes them fail."""
    example = readme_example()
    broken = example.replace('== "Basic"', '== "Premium"')
    assert broken != example, "the example checks the Basic tier"
    proc = run_pytest(tmp_path, "test_broken.py", broken)
    assert proc.returncode == 1
    assert "1 failed" in proc.stdout
