"""Running the composite action's steps (action.yml) the way the runner does, locally.

``run_action`` walks the steps in order: ``run:`` steps go to bash with the ``env:`` the
step declares (its ``${{ }}`` references evaluated against the inputs, the earlier steps'
outputs and ``github.action_path``) and a fake ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``,
``RUNNER_TEMP`` and ``GITHUB_WORKSPACE``; ``uses:`` steps are not run, but their ``if:`` and
``with:`` are evaluated and recorded. The two steps that need the network are stood in for:
setup-python answers with this interpreter, and the install step with this interpreter too
(installing cdcml takes minutes; ``tests/ci/test_action_run.py`` checks what it would run).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.ci.templates import substitute

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
STAND_INS = {"python": {"python-path": sys.executable}, "install": {"python": sys.executable}}


def load_action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return action


@dataclass
class ActionRun:
    exit_code: int  # the job's: the first failing run step's code, else 0
    outputs: dict[str, dict[str, str]]  # step id -> outputs
    uses: dict[str, dict[str, Any]]  # action -> {"if": bool, "with": {...}}
    summary: str
    logs: dict[str, str] = field(default_factory=dict)  # step name -> stdout + stderr

    @property
    def run(self) -> dict[str, str]:
        return self.outputs["run"]


def parse_outputs(text: str) -> dict[str, str]:
    """A ``GITHUB_OUTPUT`` file: ``k=v`` lines and ``k<<DELIM`` blocks."""
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            block: list[str] = []
            for inner in lines:
                if inner == delim:
                    break
                block.append(inner)
            out[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out


class _Context:
    def __init__(self, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> None:
        self.inputs, self.outputs = inputs, outputs

    def value(self, ref: str) -> str:
        if ref.startswith("inputs."):
            return self.inputs[ref.removeprefix("inputs.")]
        if ref == "github.action_path":
            return str(ROOT)
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", ref)
        if m:
            return self.outputs.get(m.group(1), {}).get(m.group(2), "")
        raise ValueError(f"expression the test runner doesn't know: {ref!r}")

    def text(self, text: str) -> str:
        return substitute(text, self.value)

    def condition(self, expr: str) -> bool:
        """An ``if:`` made of references, string literals, ``==``, ``!=``, ``&&``, ``||``."""
        inner = expr.strip()
        if inner.startswith("${{") and inner.endswith("}}"):
            inner = inner[3:-2].strip()
        py = re.sub(r"\b(inputs|steps|github)\.[\w.-]+", lambda m: repr(self.value(m.group(0))), inner)
        py = py.replace("&&", " and ").replace("||", " or ")
        # the action's own if:, made of literals by now
        return bool(eval(py, {"__builtins__": {}}, {}))


def run_action(
    inputs: dict[str, str],
    workspace: Path,
    temp: Path,
    env: dict[str, str] | None = None,
    stand_ins: tuple[str, ...] = ("python", "install"),
) -> ActionRun:
    """The action's steps with *inputs* (the others keep their defaults), in *workspace*;
    the steps named in *stand_ins* answer with ``STAND_INS`` instead of running."""
    action = load_action()
    declared = action["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs action.yml doesn't declare: {unknown}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | inputs
    temp.mkdir(parents=True, exist_ok=True)
    summary, output = temp / "step_summary.md", temp / "github_output"
    summary.write_text("")
    outputs: dict[str, dict[str, str]] = {}
    ctx = _Context(values, outputs)
    uses: dict[str, dict[str, Any]] = {}
    logs: dict[str, str] = {}
    base = {
        **os.environ,
        **(env or {}),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp),
    }
    for step in action["runs"]["steps"]:
        sid = step.get("id", "")
        if "uses" in step:
            run_it = ctx.condition(step["if"]) if "if" in step else True
            uses[step["uses"].split("@")[0]] = {
                "if": run_it,
                "with": {k: ctx.text(str(v)) for k, v in step.get("with", {}).items()},
            }
            if sid in stand_ins:
                outputs[sid] = dict(STAND_INS[sid])
            continue
        if sid in stand_ins:
            outputs[sid] = dict(STAND_INS[sid])
            continue
        if "if" in step and not ctx.condition(step["if"]):
            continue
        output.write_text("")
        step_env = {**base, **{k: ctx.text(str(v)) for k, v in step.get("env", {}).items()}}
        assert step["shell"] == "bash"
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        logs[step["name"]] = proc.stdout + proc.stderr
        if sid:
            outputs[sid] = parse_outputs(output.read_text())
        if proc.returncode:
            return ActionRun(proc.returncode, outputs, uses, summary.read_text(), logs)
    return ActionRun(0, outputs, uses, summary.read_text(), logs)
