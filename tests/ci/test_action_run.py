"""The GitHub Action's steps run as the runner runs them (tests/ci/action.py), on a tiny
project and pack in a temporary workspace and on the repository's own seed stack: the
outputs, the SARIF category per stack, the job summary and the exit code the job ends with."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.ci.action import ROOT, ActionRun, run_action
from tests.ci.projects import PROGRAM, pack, project


def _load_run_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cdcml_ci_github_run", ROOT / "ci" / "github" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


RUN = _load_run_py()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ci") / "ws"
    project(ws / "infra")
    pack(ws)
    (ws / "ci-pack.json").write_text(json.dumps({"no-bad": "advisory"}))
    return ws


def _preview(workspace: Path, tmp: Path, stack: str, **inputs: str) -> ActionRun:
    given = {"working-directory": "infra", "stack": stack, "policy-pack": "policies/ci-pack", **inputs}
    return run_action(given, workspace, tmp / "runner-temp")


@pytest.fixture(scope="module")
def runs(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ActionRun]:
    """One action run per stack of the tiny project, in one runner temp directory as the
    jobs of a matrix would (each job has its own; sharing one proves names don't clash)."""
    temp = tmp_path_factory.mktemp("runner")
    return {
        "bad": _preview(workspace, temp, "bad"),
        "clean": _preview(workspace, temp, "clean", **{"upload-sarif": "false"}),
        # args and policy-pack-config reach cdcml: bad=true, with no-bad demoted to advisory
        "meh": _preview(
            workspace,
            temp,
            "meh",
            args="--config tiny:bad=true",
            **{"fail-on": "advisory", "policy-pack-config": "ci-pack.json"},
        ),
    }


def test_a_mandatory_violation_uploads_the_sarif_under_its_stack_and_fails_the_job(
    runs: dict[str, ActionRun], workspace: Path
) -> None:
    r = runs["bad"]
    assert r.exit_code == 1, r.logs
    assert r.run["exit-code"] == "1" and r.run["verdict"] == "fail"
    assert r.run["category"] == "cdcml/preview/bad"
    sarif = Path(r.run["sarif"])
    assert sarif.is_file() and sarif.parent.name == "cdcml"
    assert Path(r.run["junit"]).is_file() and Path(r.run["markdown"]).is_file()
    upload = r.uses["github/codeql-action/upload-sarif"]
    assert upload == {"if": True, "with": {"sarif_file": str(sarif), "category": "cdcml/preview/bad"}}
    doc = json.loads(sarif.read_text())
    (run,) = doc["runs"]
    # upload-sarif keeps a run's own automationDetails.id over its category input
    assert run["automationDetails"]["id"] == "cdcml/preview/bad/"
    # the preview runs from the workspace root, so code scanning gets a repository path: the
    # program's line that declared the resource
    where = {
        (loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
        for res in run["results"]
        for loc in res["locations"]
    }
    thing = next(i for i, line in enumerate(PROGRAM.splitlines(), 1) if line.startswith('Thing("a"'))
    assert where == {("infra/__main__.py", thing)}
    assert "### cdcml preview: ❌ FAIL" in r.summary and "no-bad" in r.summary
    assert "::error title=cdcml preview::cdcml/preview/bad: fail" in r.logs["cdcml ${{ inputs.command }}"]


def test_a_clean_stack_passes_and_upload_sarif_false_skips_the_upload(runs: dict[str, ActionRun]) -> None:
    r = runs["clean"]
    assert r.exit_code == 0, r.logs
    assert (r.run["exit-code"], r.run["final-exit-code"], r.run["verdict"]) == ("0", "0", "pass")
    assert "PASS" in r.summary
    assert r.uses["github/codeql-action/upload-sarif"]["if"] is False
    assert Path(r.run["sarif"]).is_file()


def test_fail_on_advisory_fails_on_advisory_violations_and_args_and_config_reach_cdcml(
    runs: dict[str, ActionRun],
) -> None:
    r = runs["meh"]
    assert (r.exit_code, r.run["exit-code"], r.run["final-exit-code"]) == (1, "0", "1"), r.logs
    assert RUN.advisory_count(Path(r.run["sarif"])) == 2  # no-meh, and no-bad demoted by the config
    assert "`no-bad`" in r.summary and "`no-meh`" in r.summary
    assert r.uses["github/codeql-action/upload-sarif"]["if"] is True


def test_stacks_never_share_a_category_or_a_report(runs: dict[str, ActionRun]) -> None:
    assert len({r.run["category"] for r in runs.values()}) == len({r.run["sarif"] for r in runs.values()}) == 3
    ids = {json.loads(Path(r.run["sarif"]).read_text())["runs"][0]["automationDetails"]["id"] for r in runs.values()}
    assert ids == {"cdcml/preview/bad/", "cdcml/preview/clean/", "cdcml/preview/meh/"}


@pytest.mark.parametrize(
    ("code", "fail_on", "advisory", "final"),
    [
        (1, "mandatory", 0, 1),
        (1, "never", 0, 0),
        (1, "advisory", 3, 1),
        (0, "mandatory", 3, 0),
        (0, "advisory", 3, 1),
        (0, "advisory", 0, 0),
        (2, "never", 0, 2),
        (2, "mandatory", 0, 2),
    ],
)
def test_fail_on_decides_the_exit_code_and_bad_input_always_fails(
    code: int, fail_on: str, advisory: int, final: int
) -> None:
    assert RUN.final_exit_code(code, fail_on, advisory) == final


def test_bad_input_fails_the_job_with_exit_2_and_nothing_to_upload(workspace: Path, tmp_path: Path) -> None:
    r = _preview(workspace, tmp_path, "nosuch", **{"fail-on": "never"})
    assert r.exit_code == 2, r.logs
    assert r.run["exit-code"] == "2" and r.run["verdict"] == "error"
    assert r.run["sarif"] == "" and r.run["junit"] == ""
    assert r.uses["github/codeql-action/upload-sarif"]["if"] is False
    assert "### cdcml preview: error" in r.summary


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"command": "deploy"}, "input command: 'deploy' is not one of preview, analyze"),
        ({"fail-on": "sometimes"}, "input fail-on"),
        ({"file": "x.json"}, "input file is for command: analyze"),
        ({"all-stacks": "maybe"}, "input all-stacks"),
        ({"args": "--config 'unclosed"}, "input args"),
    ],
)
def test_a_bad_action_input_is_exit_2_with_an_error_annotation(
    workspace: Path, tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    r = run_action({"working-directory": "infra", **inputs}, workspace, tmp_path / "t")
    assert r.exit_code == 2
    assert "::error title=cdcml action::" + message in r.logs["cdcml ${{ inputs.command }}"]


def test_analyze_of_a_state_file_gets_its_own_category(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    pack(ws)
    state = ROOT / "tests" / "fixtures" / "state" / "pulumi" / "checkpoint-v3.json"
    (ws / "state").mkdir()
    (ws / "state" / "prod.json").write_text(state.read_text())
    r = run_action(
        {"command": "analyze", "file": "state/prod.json", "policy-pack": "policies/ci-pack"}, ws, tmp_path / "t"
    )
    assert r.exit_code == 0, r.logs
    assert r.run["category"] == "cdcml/policy-analyze/prod"
    assert (
        json.loads(Path(r.run["sarif"]).read_text())["runs"][0]["automationDetails"]["id"]
        == "cdcml/policy-analyze/prod/"
    )
    assert "cdcml policy analyze" in r.summary


def test_the_seed_stack_of_this_repository_fails_on_its_mandatory_violations(tmp_path: Path) -> None:
    r = run_action({"stack": "seed"}, ROOT, tmp_path / "t")
    assert r.exit_code == 1, r.logs
    assert r.run["category"] == "cdcml/preview/seed"
    assert "**11** mandatory" in r.summary
    run = json.loads(Path(r.run["sarif"]).read_text())["runs"][0]
    assert run["automationDetails"]["id"] == "cdcml/preview/seed/"
    assert sum(1 for res in run["results"] if res["level"] == "error") == 11


# -- the pieces of run.py the local runs stand in for or can't reach


@pytest.mark.parametrize(
    ("inputs", "spec"),
    [
        ({}, str(ROOT)),
        ({"extras": "azure, s3"}, f"{ROOT}[azure,s3]"),
        ({"cdcml-version": "0.1.0"}, "cdcml-guard==0.1.0"),
        ({"cdcml-version": "0.1.0", "extras": "s3"}, "cdcml-guard[s3]==0.1.0"),
        ({"install-spec": "git+https://example.com/cdcml.git@v1"}, "git+https://example.com/cdcml.git@v1"),
    ],
)
def test_install_takes_the_actions_checkout_a_version_or_a_spec(inputs: dict[str, str], spec: str) -> None:
    env = {f"CDCML_INPUT_{k.upper().replace('-', '_')}": v for k, v in inputs.items()}
    env["GITHUB_ACTION_PATH"] = str(ROOT)
    argv = RUN.install_command(env, "/venv/bin/python")
    assert argv == [
        sys.executable,
        "-m",
        "pip",
        "--python",
        "/venv/bin/python",
        "install",
        "--disable-pip-version-check",
        spec,
    ]


def test_install_adds_the_programs_requirements_and_refuses_two_specs() -> None:
    env = {"GITHUB_ACTION_PATH": "/a", "CDCML_INPUT_REQUIREMENTS": "requirements.txt\ninfra/requirements.txt\n"}
    assert RUN.install_command(env, "py")[-4:] == ["-r", "requirements.txt", "-r", "infra/requirements.txt"]
    with pytest.raises(RUN.InputError, match="exclude each other"):
        RUN.install_command({"CDCML_INPUT_CDCML_VERSION": "1", "CDCML_INPUT_INSTALL_SPEC": "x"}, "py")


def test_analyze_inputs_become_policy_analyze_flags() -> None:
    env = {
        "CDCML_INPUT_COMMAND": "analyze",
        "CDCML_INPUT_BACKEND": "azblob://state",
        "CDCML_INPUT_ALL_STACKS": "true",
        "CDCML_INPUT_PROJECT": "cdcml",
        "CDCML_INPUT_WAIVERS": "waivers.yaml",
        "CDCML_INPUT_POLICY_PACK": "- a\n- b\n",
    }
    i = RUN.read_inputs(env)
    assert RUN.category(i) == "cdcml/policy-analyze/all/cdcml"
    assert RUN.cdcml_argv(i, {"sarif": Path("r.sarif")}) == [
        "policy", "analyze", "--backend", "azblob://state", "--all", "--project", "cdcml",
        "--waivers", "waivers.yaml", "--policy-pack", "a", "--policy-pack", "b", "--sarif", "r.sarif",
    ]  # fmt: skip


def test_preview_takes_waivers_and_a_baseline_too() -> None:
    env = {"CDCML_INPUT_STACK": "prod", "CDCML_INPUT_WAIVERS": "w.yaml", "CDCML_INPUT_BASELINE": "base.json"}
    assert RUN.cdcml_argv(RUN.read_inputs(env), {}) == [
        "preview", ".", "--stack", "prod", "--outputs", "preview", "--waivers", "w.yaml", "--baseline", "base.json",
    ]  # fmt: skip


def test_finish_exits_with_the_recorded_code() -> None:
    assert RUN.main(["finish"], {"CDCML_FINAL_EXIT_CODE": "1"}) == 1
    assert RUN.main(["finish"], {"CDCML_FINAL_EXIT_CODE": ""}) == 2
    assert RUN.main(["nonsense"], {}) == 2


def _probe_wheel(directory: Path) -> Path:
    """A wheel with no dependencies, made here: pip installs it without an index."""
    wheel = directory / "cdcml_ci_probe-0.0.0-py3-none-any.whl"
    files = {
        "cdcml_ci_probe.py": "",
        "cdcml_ci_probe-0.0.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: cdcml-ci-probe\nVersion: 0.0.0\n",
        "cdcml_ci_probe-0.0.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + "cdcml_ci_probe-0.0.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as z:
        for name, text in {**files, "cdcml_ci_probe-0.0.0.dist-info/RECORD": record}.items():
            z.writestr(name, text)
    return wheel


def test_the_install_step_makes_a_virtualenv_and_a_cdcml_that_cant_run_is_an_error(
    workspace: Path, tmp_path: Path
) -> None:
    """The install step for real, with a spec that needs no index (a local wheel): the run
    step then finds no working cdcml in that virtualenv — Python's exit 1 without reports
    is an error (exit 2), never read as a verdict."""
    temp = tmp_path / "t"
    wheel = _probe_wheel(tmp_path)
    r = run_action({"working-directory": "infra", "install-spec": str(wheel)}, workspace, temp, stand_ins=("python",))
    python = Path(r.outputs["install"]["python"])
    assert python == temp / "cdcml-venv" / "bin" / "python" and python.exists()
    probe = subprocess.run([python, "-c", "import cdcml_ci_probe"], capture_output=True, text=True, check=False)
    assert probe.returncode == 0, probe.stderr
    assert f"-m pip --python {python} install --disable-pip-version-check {wheel}" in r.logs["Install cdcml"]
    assert (r.exit_code, r.run["verdict"], r.run["final-exit-code"]) == (2, "error", "2"), r.logs
    assert r.run["sarif"] == "" and r.uses["github/codeql-action/upload-sarif"]["if"] is False
    assert "### cdcml preview: error" in r.summary
