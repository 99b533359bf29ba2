"""action.yml read as data: every input the steps use is declared and every declared input
is used; inputs reach shell lines only through ``env:``; the run steps call the script, which
reads exactly the ``CDCML_INPUT_*`` variables the steps set; outputs come from real steps."""

from __future__ import annotations

import re
from typing import Any

from tests.ci.action import ROOT, load_action

SCRIPT = "ci/github/run.py"
INPUT_REF = re.compile(r"\$\{\{[^}]*?\binputs\.([\w-]+)")


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def test_every_input_used_is_declared_and_every_declared_input_is_used() -> None:
    action = load_action()
    used = {m for s in _strings(action["runs"]) for m in INPUT_REF.findall(s)}
    declared = set(action["inputs"])
    assert used - declared == set(), "used but not declared"
    assert declared - used == set(), "declared but never used"
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
        assert spec.get("required", False) is False and "default" in spec, name


def test_inputs_reach_the_shell_only_through_env() -> None:
    for step in load_action()["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], f"an expression pasted into a shell line: {step['name']}"


def test_the_run_steps_call_the_script_which_exists() -> None:
    steps = [s for s in load_action()["runs"]["steps"] if "run" in s]
    assert [s.get("id") for s in steps] == ["install", "run", None]
    for step, sub in zip(steps, ("install", "run", "finish"), strict=True):
        assert step["shell"] == "bash"
        assert f'"$GITHUB_ACTION_PATH/{SCRIPT}" {sub}' in step["run"]
    assert (ROOT / SCRIPT).is_file()


def test_the_script_reads_exactly_the_variables_the_steps_set() -> None:
    action = load_action()
    set_by_steps = {k for s in action["runs"]["steps"] for k in s.get("env", {}) if k.startswith("CDCML_INPUT_")}
    for step in action["runs"]["steps"]:
        for key, value in step.get("env", {}).items():
            m = INPUT_REF.search(str(value))
            if key.startswith("CDCML_INPUT_"):
                assert m and key == "CDCML_INPUT_" + m.group(1).upper().replace("-", "_"), key
    source = (ROOT / SCRIPT).read_text(encoding="utf-8")
    read = {"CDCML_INPUT_" + n.upper().replace("-", "_") for n in re.findall(r'_get\(env, "([\w-]+)"', source)}
    read |= set(re.findall(r'"(CDCML_INPUT_\w+)"', source))
    assert read == set_by_steps


def test_the_outputs_come_from_the_run_step_and_the_upload_uses_its_category() -> None:
    action = load_action()
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}", name
    (upload,) = [
        s for s in action["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    ]
    assert upload["with"]["category"] == "${{ steps.run.outputs.category }}"
    assert "steps.run.outputs.sarif != ''" in upload["if"]


def test_actions_are_pinned_to_a_major_version() -> None:
    for step in load_action()["runs"]["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", step["uses"]), step["uses"]
