"""The program runs in its own process, in the interpreter `pulumi preview` would use, and
gives the graph an in-process capture gives; every way it can fail is one line."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from cdcml.capture import worker as capture_worker
from cdcml.capture.invokes import InvokeAnswer, InvokeTable
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture
from cdcml.capture.project import load_project, load_stack_config
from cdcml.capture.worker import hello, start_capture
from cdcml.errors import ProgramError, ProjectError
from cdcml.model import ResourceGraph, freeze
from cdcml.model.values import secret
from cdcml.workers import POOL, WorkerFailure
from tests.capture._programs import write_program

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "contract_tests" / "programs" / "small"
SMALL_PASSPHRASE = "correct horse battery staple"

THING = """
import pulumi

class Thing(pulumi.CustomResource):
    def __init__(self, name, props, opts=None):
        super().__init__("test:index:Thing", name, props, opts)
"""


def in_worker(directory: Path, stack: str = "dev", *, timeout: float = 60, mode: str = "preview") -> ResourceGraph:
    project = load_project(directory)
    config = load_stack_config(project, stack)
    return start_capture(project, config, CaptureOptions(mode=OutputMode(mode)), timeout=timeout).result()


def program(tmp_path: Path, body: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return write_program(tmp_path, THING + textwrap.dedent(body))


def normalized(graph: ResourceGraph) -> ResourceGraph:
    """Dependencies come from the SDK's sets, whose order varies between processes."""
    resources = tuple(
        dataclasses.replace(
            r,
            dependencies=tuple(sorted(r.dependencies)),
            property_dependencies={k: tuple(sorted(v)) for k, v in r.property_dependencies.items()},
        )
        for r in graph.resources
    )
    return dataclasses.replace(graph, resources=resources)


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_the_worker_captures_what_an_in_process_capture_does(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", SMALL_PASSPHRASE)
    ours = in_worker(SMALL, "test", mode=mode)
    assert normalized(ours) == normalized(capture(SMALL, "test", mode=mode))
    assert ours.config_secret_keys == ("small:sqlPassword",)


def test_a_program_that_raises_is_the_same_one_line_error_as_in_process(tmp_path: Path) -> None:
    d = program(tmp_path, 'Thing("a", {})\nraise ValueError("no good")\n')
    with pytest.raises(ProgramError) as in_process:
        capture(d, "dev")
    with pytest.raises(ProgramError) as isolated:
        in_worker(d)
    assert isolated.value.message == in_process.value.message
    assert isolated.value.message == "program prog failed at __main__.py:8: ValueError: no good"


def test_logged_errors_and_warnings_still_become_errors_and_diagnostics(tmp_path: Path) -> None:
    d = program(tmp_path, 'pulumi.log.warn("careful")\nThing("a", {})\n')
    assert "program warning: careful" in in_worker(d).diagnostics
    d2 = program(tmp_path / "e", 'pulumi.log.error("broken")\n')
    with pytest.raises(ProgramError, match=r"^program prog logged an error: broken$"):
        in_worker(d2)


def test_what_a_program_prints_is_kept_out_of_the_graph_and_of_cdcmls_output(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    d = program(tmp_path, 'import sys\nprint("PRINTED-" * 100000)\nsys.stderr.write("ERR-LINE\\n")\nThing("a", {})\n')
    graph = in_worker(d)
    assert [r.name for r in graph.resources if r.type == "test:index:Thing"] == ["a"]
    out, err = capfd.readouterr()
    assert "PRINTED-" not in out + err and "ERR-LINE" not in out + err


def test_the_program_runs_with_the_environment_of_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = program(tmp_path, 'import os\nThing("a", {"v": os.environ.get("CDCML_TEST_VALUE", "")})\n')
    monkeypatch.setenv("CDCML_TEST_VALUE", "first")
    assert in_worker(d).get("urn:pulumi:dev::prog::test:index:Thing::a").inputs["v"] == "first"
    monkeypatch.setenv("CDCML_TEST_VALUE", "second")  # the same worker, reused: the run's environment
    assert in_worker(d).get("urn:pulumi:dev::prog::test:index:Thing::a").inputs["v"] == "second"


def _worker_pid(tmp_path: Path, body: str) -> tuple[int, int]:
    d = program(tmp_path, body)
    first = in_worker(d).get("urn:pulumi:dev::prog::test:index:Thing::pid")
    second = in_worker(d).get("urn:pulumi:dev::prog::test:index:Thing::pid")
    assert first is not None and second is not None
    return int(first.inputs["pid"]), int(second.inputs["pid"])


def test_a_worker_is_reused_by_the_next_capture_of_the_same_project(tmp_path: Path) -> None:
    first, second = _worker_pid(tmp_path, 'import os\nThing("pid", {"pid": os.getpid()})\n')
    assert first == second != os.getpid()


def test_a_worker_left_with_a_running_thread_is_not_reused(tmp_path: Path) -> None:
    body = """
    import os, threading, time
    threading.Thread(target=time.sleep, args=(30,)).start()
    Thing("pid", {"pid": os.getpid()})
    """
    first, second = _worker_pid(tmp_path, body)
    assert first != second


def test_custom_invoke_handlers_and_output_hooks_cant_cross_into_the_worker(tmp_path: Path) -> None:
    d = program(tmp_path, "")
    project = load_project(d)
    table = InvokeTable().register("x:y:z", lambda _a: {})
    with pytest.raises(ValueError, match="custom invoke handlers"):
        start_capture(project, load_stack_config(project, "dev"), CaptureOptions(invokes=table), timeout=10)
    hook = CaptureOptions(mode=OutputMode.RESOLVED, provider_outputs=lambda _t, _n, _i: {})
    with pytest.raises(ValueError, match="provider_outputs hook"):
        start_capture(project, load_stack_config(project, "dev"), hook, timeout=10)


def test_invoke_answers_and_stack_references_cross_into_the_worker(tmp_path: Path) -> None:
    """They are data, not code: the program in its own process gets the answers (secrets
    secret) and the other stack's outputs, and a failure still names an unanswered invoke."""
    d = program(
        tmp_path,
        """
        from pulumi_azure_native import storage
        keys = storage.list_storage_account_keys_output(account_name="acct", resource_group_name="rg")
        pulumi.export("key", keys.keys[0].value)
        pulumi.export("vnet", pulumi.StackReference("acme/net/shared").get_output("vnetId"))
        """,
    )
    project = load_project(d)
    answer = InvokeAnswer(
        "azure-native:storage:listStorageAccountKeys", {"keys": [{"value": "k3y-value"}]}, secret=True
    )
    options = CaptureOptions(
        invokes=InvokeTable(answers=(answer,)), stack_references={"acme/net/shared": freeze({"vnetId": "/v"})}
    )
    graph = start_capture(project, load_stack_config(project, "dev"), options, timeout=60).result()
    assert graph.outputs["key"] == secret("k3y-value") and graph.outputs["vnet"] == "/v"
    failing = program(
        tmp_path / "failing",
        """
        from pulumi_azure_native import keyvault
        keyvault.get_vault(resource_group_name="rg", vault_name="kv").properties.vault_uri
        """,
    )
    project = load_project(failing)
    with pytest.raises(ProgramError) as e:
        start_capture(project, load_stack_config(project, "dev"), CaptureOptions(), timeout=60).result()
    assert str(e.value).endswith(
        "AttributeError: 'NoneType' object has no attribute 'vault_uri' "
        "(no offline answer for invoke azure-native:keyvault:getVault; answer it with --invokes FILE)"
    )


@pytest.mark.parametrize(
    ("body", "how"),
    [
        ("import os\nos._exit(0)\n", "exited with code 0"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", r"was killed by signal 9 \(SIGKILL\)"),
        ("import ctypes\nctypes.string_at(0)\n", r"was killed by signal 11 \(SIGSEGV\)"),
    ],
    ids=["exit-0", "sigkill", "segfault"],
)
def test_a_program_that_ends_its_process_is_one_line_saying_how(tmp_path: Path, body: str, how: str) -> None:
    with pytest.raises(WorkerFailure, match=rf"^program prog \(__main__\.py\) {how} before it finished$"):
        in_worker(program(tmp_path, body))


def test_a_program_over_its_time_limit_is_stopped_and_named(tmp_path: Path) -> None:
    d = program(tmp_path, "while True:\n    pass\n")
    with pytest.raises(WorkerFailure, match=r"^program prog \(__main__\.py\) timed out after 1 s "):
        in_worker(d, timeout=1)


# --------------------------------------------------------------------------- virtualenvs


def make_venv(path: Path, *, with_sdk: bool) -> Path:
    """A real virtualenv; *with_sdk*: it sees the Pulumi SDK (this test run's, through a
    .pth file — not cdcml, which the worker brings itself) and a module only it has."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    site = Path(
        subprocess.run(
            [str(path / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "venv_only.py").write_text("WHERE = 'the project virtualenv'\n")
    if with_sdk:
        (site / "sdk.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return path


def venv_project(tmp_path: Path, body: str, *, with_sdk: bool = True) -> Path:
    d = program(tmp_path / "proj", body)
    (d / "Pulumi.yaml").write_text("name: prog\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n")
    make_venv(d / "venv", with_sdk=with_sdk)
    return d


def test_the_program_runs_in_the_virtualenv_pulumi_yaml_names(tmp_path: Path) -> None:
    body = """
    import os, sys
    import cdcml, venv_only
    Thing("where", {"prefix": sys.prefix, "venv": os.environ["VIRTUAL_ENV"], "module": venv_only.WHERE,
                    "cdcml": os.path.dirname(cdcml.__file__)})
    """
    d = venv_project(tmp_path, body)
    got = in_worker(d).get("urn:pulumi:dev::prog::test:index:Thing::where")
    assert got is not None
    venv = str(d / "venv")
    assert got.inputs["prefix"] == venv and got.inputs["venv"] == venv
    assert got.inputs["module"] == "the project virtualenv"
    import cdcml

    assert got.inputs["cdcml"] == os.path.dirname(cdcml.__file__), "cdcml comes from cdcml's own directory"


def test_a_virtualenv_without_the_pulumi_sdk_is_one_line(tmp_path: Path) -> None:
    d = venv_project(tmp_path, "", with_sdk=False)
    with pytest.raises(ProjectError) as e:
        in_worker(d)
    assert e.value.message == (
        f"the pip virtualenv {d / 'venv'} can't run cdcml's capture ({d / 'venv' / 'bin' / 'python'}): "
        "ModuleNotFoundError: No module named 'pulumi'"
    )


def test_a_missing_virtualenv_is_one_line(tmp_path: Path) -> None:
    d = venv_project(tmp_path, "")
    import shutil

    shutil.rmtree(d / "venv")
    with pytest.raises(
        ProjectError, match=r"^the 'virtualenv' option in Pulumi.yaml is set to 'venv', but .* doesn't exist"
    ):
        in_worker(d)


@pytest.mark.parametrize(
    ("python", "how"),
    [
        (
            "#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n",
            "exited with code 127 before it started: error while loading shared libraries",
        ),
        ("#!/bin/sh\nkill -SEGV $$\n", r"was killed by signal 11 \(SIGSEGV\) before it started"),
    ],
    ids=["fails", "crashes"],
)
def test_a_broken_virtualenv_is_one_line_saying_how(tmp_path: Path, python: str, how: str) -> None:
    d = venv_project(tmp_path, "", with_sdk=False)
    interpreter = d / "venv" / "bin" / "python"
    interpreter.unlink()
    interpreter.write_text(python)
    interpreter.chmod(0o755)
    with pytest.raises(WorkerFailure, match=rf"^the pip virtualenv .*/venv {how}$"):
        in_worker(d)


def test_an_interpreter_that_cannot_be_executed_is_one_line(tmp_path: Path) -> None:
    d = venv_project(tmp_path, "", with_sdk=False)
    interpreter = d / "venv" / "bin" / "python"
    interpreter.unlink()
    interpreter.write_text("not a program")
    interpreter.chmod(0o644)
    with pytest.raises(WorkerFailure, match=r"^program prog: can't start .*/venv/bin/python: Permission denied$"):
        in_worker(d)


def test_an_old_python_is_refused_by_the_bootstrap_in_one_line(tmp_path: Path) -> None:
    d = venv_project(tmp_path, "", with_sdk=False)
    interpreter = d / "venv" / "bin" / "python"
    interpreter.unlink()
    shim = "import sys; code = sys.argv.pop(1); sys.version_info = (3, 9, 1); exec(code)"
    interpreter.write_text(f"#!/bin/sh\nshift 2\nexec {sys.executable} -c '{shim}' \"$@\"\n")
    interpreter.chmod(0o755)
    with pytest.raises(
        ProjectError, match=r"can't run cdcml's capture .*: it is Python 3\.9\.1; cdcml needs 3\.11 or later$"
    ):
        in_worker(d)


def test_an_sdk_older_than_the_capture_needs_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    monkeypatch.setattr(metadata, "version", lambda _name: "3.264.0")
    with pytest.raises(
        RuntimeError, match=r"^it has pulumi 3\.264\.0; cdcml's capture needs pulumi 3\.265\.0 or later$"
    ):
        hello()
    monkeypatch.setattr(metadata, "version", lambda _name: "3.265.0")
    assert hello()["pulumi"] == "3.265.0"


def test_workers_are_kept_by_interpreter_and_project(tmp_path: Path) -> None:
    """Another project's capture gets a worker of its own; the first project's worker
    waits in the pool for that project's next capture."""
    assert capture_worker.MIN_PULUMI == (3, 265, 0)
    body = 'import os\nThing("pid", {"pid": os.getpid()})\n'
    a, b = program(tmp_path / "a", body), program(tmp_path / "b", body)

    def pid(d: Path) -> int:
        got = in_worker(d).get("urn:pulumi:dev::prog::test:index:Thing::pid")
        assert got is not None
        return int(got.inputs["pid"])

    first = pid(a)
    assert pid(b) != first
    assert pid(a) == first
    assert all(w.alive for _k, w in POOL._idle)
