"""The Azure Pipelines template expanded as Azure DevOps compiles it (tests/ci/templates.py)
and its script steps run with bash on a small project, with the agent's variables faked:
the reports land where PublishTestResults@2 and the CodeAnalysisLogs artifact look, a stack
step never fails on its own, and the last step fails the job with the worst exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci.action import ROOT
from tests.ci.projects import pack, project
from tests.ci.templates import azure_defaults, expand_azure

TEMPLATE = ROOT / "ci" / "azure-pipelines" / "cdcml.yml"


def _steps(**parameters: Any) -> list[dict[str, Any]]:
    template = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    return list(expand_azure(template["steps"], azure_defaults(template, **parameters)))


def _run(step: dict[str, Any], cwd: Path, agent: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **agent}
    for key, value in step.get("env", {}).items():
        env[key] = value.replace("$(Agent.TempDirectory)", agent["AGENT_TEMPDIRECTORY"])
    env["CDCML_PYTHON"] = sys.executable  # the install step's virtualenv, stood in for
    return subprocess.run(["bash", "--noprofile", "--norc", "-c", step["bash"]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.fixture
def agent(tmp_path: Path) -> dict[str, str]:
    temp, staging = tmp_path / "agent-temp", tmp_path / "staging"
    temp.mkdir()
    staging.mkdir()
    return {"AGENT_TEMPDIRECTORY": str(temp), "BUILD_ARTIFACTSTAGINGDIRECTORY": str(staging)}


def test_each_stack_reports_then_publishing_then_the_job_fails(tmp_path: Path, agent: dict[str, str]) -> None:
    ws = tmp_path / "ws"
    project(ws / "infra")
    pack(ws)
    steps = _steps(stacks=["clean", "bad", "nosuch"], workingDirectory="infra", policyPacks="policies/ci-pack\n")
    kinds = [s.get("task") or s.get("displayName") for s in steps]
    assert kinds == [
        "UsePythonVersion@0", "Install cdcml",
        "cdcml preview clean", "cdcml preview bad", "cdcml preview nosuch",
        "PublishTestResults@2", "PublishBuildArtifacts@1", "Fail on cdcml verdicts",
    ]  # fmt: skip
    logs = []
    for step in steps[2:5]:
        proc = _run(step, ws, agent)
        assert proc.returncode == 0, proc.stdout + proc.stderr  # a stack step never fails the job itself
        logs.append(proc.stdout)
    reports = Path(agent["AGENT_TEMPDIRECTORY"]) / "cdcml"
    sarif = Path(agent["BUILD_ARTIFACTSTAGINGDIRECTORY"]) / "CodeAnalysisLogs"
    assert sorted(p.name for p in reports.glob("*.xml")) == ["preview-bad.xml", "preview-clean.xml"]
    assert sorted(p.name for p in sarif.glob("*.sarif")) == ["preview-bad.sarif", "preview-clean.sarif"]
    codes = {p.stem: p.read_text().strip() for p in reports.glob("*.exit")}
    assert codes == {"preview-clean": "0", "preview-bad": "1", "preview-nosuch": "2"}
    publish, artifact, last = steps[5:]
    assert publish["condition"] == artifact["condition"] == last["condition"] == "succeededOrFailed()"
    assert publish["inputs"]["testResultsFormat"] == "JUnit"
    assert (
        Path(publish["inputs"]["searchFolder"].replace("$(Agent.TempDirectory)", agent["AGENT_TEMPDIRECTORY"]))
        == reports
    )
    assert artifact["inputs"]["ArtifactName"] == "CodeAnalysisLogs"
    assert artifact["inputs"]["PathtoPublish"].endswith("/CodeAnalysisLogs")
    assert _run(last, ws, agent).returncode == 2  # bad input outranks a violation
    (reports / "preview-nosuch.exit").unlink()
    assert _run(last, ws, agent).returncode == 1
    never = _steps(failOn="never")[-1]
    assert _run(never, ws, agent).returncode == 0
    assert f"##vso[task.uploadsummary]{reports}/preview-bad.md" in logs[1]
    assert "##vso[task.logissue type=error]cdcml preview bad: a mandatory violation (exit 1)" in logs[1]
    assert "##vso[task.logissue type=error]cdcml preview nosuch: bad input (exit 2)" in logs[2]
