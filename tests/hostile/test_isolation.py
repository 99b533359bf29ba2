"""Hostile programs and packs can't change the verdict: the program and each pack run in
their own processes, as under the Pulumi CLI.

Every case runs the real command line (``tests.hostile.harness``): a program or pack that
exits, is killed or crashes makes the run exit 2 with one line saying which and how —
never 0; a program that patches cdcml's evaluator, or a pack that disables another pack,
changes nothing; what they print stays off cdcml's stdout; and nothing is left running,
not even after ``kill -9`` of cdcml. The program runs in the virtualenv its Pulumi.yaml
names, and a missing or broken one is one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.harness import ROOT, _limit_child, descendants, fingerprint, run_cdcml
from tests.hostile.projects import URN, assert_violation_found, pack, preview_args, program, worker_pids

ENGINES = ["inprocess", "grpc"]


def test_the_hostile_project_is_a_plain_failing_preview(scratch: Path) -> None:
    """The baseline every case changes one thing of: exit 1 on the violation."""
    prog, p = program(scratch), pack(scratch)
    before = fingerprint([prog, p])
    out = run_cdcml(preview_args(prog, p), cwd=scratch)
    assert_violation_found(out)
    assert fingerprint([prog, p]) == before


# --------------------------------------------------------------------------- a program or pack that ends its process

PROGRAM_ENDINGS = {
    "os-exit-0": ("import os\nos._exit(0)\n", "exited with code 0"),
    "sigkill": ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "was killed by signal 9 (SIGKILL)"),
    "segfault": ("import ctypes\nctypes.string_at(0)\n", "was killed by signal 11 (SIGSEGV)"),
}


@pytest.mark.parametrize("case", sorted(PROGRAM_ENDINGS))
@pytest.mark.parametrize("where", ["before", "after"])
def test_a_program_that_ends_its_process_is_exit_2_saying_how(scratch: Path, case: str, where: str) -> None:
    code, how = PROGRAM_ENDINGS[case]
    prog = program(scratch, **{where: code})
    out = run_cdcml(preview_args(prog, pack(scratch), extra=("--json",)), cwd=scratch)
    out.assert_input_error("program hostile (__main__.py)", how, "before it finished")


PACK_ENDINGS = {
    "os-exit-0": ("os._exit(0)", "exited with code 0"),
    "sigkill": ("os.kill(os.getpid(), signal.SIGKILL)", "was killed by signal 9 (SIGKILL)"),
    "segfault": ("ctypes.string_at(0)", "was killed by signal 11 (SIGSEGV)"),
}


@pytest.mark.parametrize("case", sorted(PACK_ENDINGS))
def test_a_pack_that_ends_its_process_while_loading_is_exit_2_saying_how(scratch: Path, case: str) -> None:
    code, how = PACK_ENDINGS[case]
    out = run_cdcml(preview_args(program(scratch), pack(scratch, load=code)), cwd=scratch)
    out.assert_input_error(f"policy pack hostile-pack {how} while loading")


@pytest.mark.parametrize("case", sorted(PACK_ENDINGS))
def test_a_policy_that_ends_its_process_is_exit_2_naming_the_policy_and_the_resource(scratch: Path, case: str) -> None:
    code, how = PACK_ENDINGS[case]
    out = run_cdcml(preview_args(program(scratch), pack(scratch, validate=code)), cwd=scratch)
    out.assert_input_error(f"policy pack hostile-pack {how} in policy hostile-pack/no-public on {URN}")


@pytest.mark.parametrize("case", ["os-exit-0", "segfault"])
def test_a_policy_that_ends_its_process_under_the_grpc_engine_is_exit_2(scratch: Path, case: str) -> None:
    code, how = PACK_ENDINGS[case]
    out = run_cdcml(
        preview_args(program(scratch), pack(scratch, validate=code), extra=("--engine", "grpc")), cwd=scratch
    )
    out.assert_input_error(f"policy pack hostile-pack {how} during Analyze on {URN}")


def test_a_policy_that_ends_its_process_during_an_audit_is_exit_2(scratch: Path, seed_state: Path) -> None:
    p = pack(scratch, validate="pass", stack="os._exit(0)")
    out = run_cdcml(["policy", "analyze", "--file", str(seed_state), "--policy-pack", str(p)], cwd=scratch)
    out.assert_input_error("policy pack hostile-pack exited with code 0 in policy hostile-pack/whole on the stack")


# --------------------------------------------------------------------------- code under review can't change the verdict

PATCH_CDCML = """
import importlib
from cdcml.model import Findings

def nothing_found(graph, *args, **kwargs):
    return Findings(graph.project, graph.stack, graph.source, (), ())

for name in ("cdcml.engine.evaluate", "cdcml.engine.isolated", "cdcml.engine.grpc_pack", "cdcml.runs.preview"):
    try:
        module = importlib.import_module(name)
    except ImportError:
        continue
    for attr in ("evaluate", "evaluate_isolated", "analyze_graph_grpc", "_evaluate"):
        if hasattr(module, attr):
            setattr(module, attr, nothing_found)
import cdcml.model.findings
cdcml.model.findings.Findings.exit_code = property(lambda self: 0)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_program_that_patches_cdcmls_evaluator_changes_nothing(scratch: Path, engine: str) -> None:
    out = run_cdcml(
        preview_args(program(scratch, before=PATCH_CDCML), pack(scratch), extra=("--engine", engine)), cwd=scratch
    )
    assert_violation_found(out)


DISABLE_OTHERS = """
import gc
import pulumi_policy, pulumi_policy.policy
for obj in gc.get_objects():
    if isinstance(obj, pulumi_policy.ResourceValidationPolicy):
        obj.enforcement_level = pulumi_policy.EnforcementLevel.DISABLED
        obj.validate = lambda args, report_violation: None
pulumi_policy.policy.ResourceValidationPolicy.validate = lambda self, args, report_violation: None
import cdcml.engine.evaluate
cdcml.engine.evaluate._Evaluator._analyze = lambda *args, **kwargs: None
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_pack_that_disables_another_packs_policies_changes_nothing(scratch: Path, engine: str) -> None:
    honest = pack(scratch, "honest-pack")
    saboteur = pack(scratch / "other", "saboteur-pack", load=DISABLE_OTHERS, validate="return")
    out = run_cdcml(preview_args(program(scratch), honest, saboteur, extra=("--engine", engine)), cwd=scratch)
    assert_violation_found(out)
    assert "honest-pack" in out.stdout


def test_a_pack_that_patches_cdcml_while_loading_changes_nothing(scratch: Path) -> None:
    saboteur = pack(scratch / "other", "saboteur-pack", load=PATCH_CDCML, validate="return")
    out = run_cdcml(preview_args(program(scratch), saboteur, pack(scratch)), cwd=scratch)
    assert_violation_found(out)


# --------------------------------------------------------------------------- output stays off stdout

PRINT_A_LOT = "sys.stdout.write('PRINTED-BY-POLICY ' * 250_000); sys.stderr.write('STDERR-OF-POLICY\\n')"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_policy_printing_4_mib_neither_stalls_nor_reaches_stdout(scratch: Path, engine: str) -> None:
    out = run_cdcml(
        preview_args(program(scratch), pack(scratch, validate=PRINT_A_LOT), extra=("--engine", engine, "--json")),
        cwd=scratch,
        timeout=60,
    )
    assert out.code == 1, out.describe()
    doc = json.loads(out.stdout)
    assert doc["summary"]["mandatory"] == 1
    out.assert_no_sentinel("PRINTED-BY-POLICY", "STDERR-OF-POLICY")


def test_what_a_program_prints_keeps_json_one_document(scratch: Path) -> None:
    noise = "import sys\nprint('PRINTED-BY-PROGRAM {')\nsys.stderr.write('STDERR-OF-PROGRAM\\n')\n"
    out = run_cdcml(preview_args(program(scratch, before=noise), pack(scratch), extra=("--json",)), cwd=scratch)
    assert out.code == 1, out.describe()
    assert json.loads(out.stdout)["summary"]["mandatory"] == 1
    out.assert_no_sentinel("PRINTED-BY-PROGRAM", "STDERR-OF-PROGRAM")


# --------------------------------------------------------------------------- nothing outlives cdcml


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "CDCML_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "cdcml.cli", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_limit_child,
    )


def _wait_for(condition, seconds: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _pack_processes(parent: int) -> list[int]:
    from contract_tests.test_no_leftover_processes import pack_processes_of

    return pack_processes_of(parent)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("engine", ENGINES)
def test_kill_9_of_cdcml_leaves_no_program_or_pack_process(scratch: Path, engine: str) -> None:
    """The program hangs (so its worker and the packs' are alive), or a policy does under
    --engine grpc; cdcml is killed with SIGKILL; every process it started ends."""
    if engine == "grpc":
        prog, p = program(scratch), pack(scratch, validate="time.sleep(600)")
    else:
        prog, p = program(scratch, before="import time\ntime.sleep(600)\n"), pack(scratch)
    proc = _start(preview_args(prog, p, extra=("--engine", engine)), scratch)
    try:
        if engine == "grpc":
            assert _wait_for(lambda: _pack_processes(proc.pid)), "the pack process never started"
            started = _pack_processes(proc.pid) + worker_pids(proc.pid)
        else:
            assert _wait_for(lambda: len(worker_pids(proc.pid)) >= 2), "the program and pack workers never started"
            time.sleep(1.0)
            started = worker_pids(proc.pid)
        proc.kill()
        proc.wait()
        assert _wait_for(lambda: not any(_alive(p) for p in started), 10), f"left running: {started}"
        assert _wait_for(lambda: not descendants(proc.pid), 10), descendants(proc.pid)
    finally:
        for pid in descendants(proc.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_program_that_starts_a_process_leaves_nothing_when_the_run_ends(scratch: Path) -> None:
    spawn = "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    out = run_cdcml(preview_args(program(scratch, before=spawn), pack(scratch)), cwd=scratch)  # checks the group
    assert_violation_found(out)


# --------------------------------------------------------------------------- the program's interpreter


def test_a_missing_virtualenv_is_exit_2_naming_it(scratch: Path) -> None:
    prog = program(scratch, options="virtualenv: venv\n")
    out = run_cdcml(preview_args(prog, pack(scratch)), cwd=scratch)
    out.assert_input_error("'virtualenv' option in Pulumi.yaml is set to 'venv'", f"{prog / 'venv'} doesn't exist")


def test_a_virtualenv_without_an_interpreter_is_exit_2_naming_it(scratch: Path) -> None:
    prog = program(scratch, options="virtualenv: venv\n")
    (prog / "venv" / "lib").mkdir(parents=True)
    out = run_cdcml(preview_args(prog, pack(scratch)), cwd=scratch)
    out.assert_input_error(f"{prog / 'venv'} doesn't appear to be a virtual environment")


def test_a_broken_virtualenv_is_exit_2_saying_how(scratch: Path) -> None:
    prog = program(scratch, options="virtualenv: venv\n")
    python = prog / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\necho 'python3.11: error while loading shared libraries' >&2\nexit 127\n")
    python.chmod(0o755)
    out = run_cdcml(preview_args(prog, pack(scratch)), cwd=scratch)
    out.assert_input_error(f"the pip virtualenv {prog / 'venv'} exited with code 127 before it started")


def test_a_virtualenv_without_the_sdk_is_exit_2_naming_what_is_missing(scratch: Path) -> None:
    prog = program(scratch, options="virtualenv: venv\n")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prog / "venv")], check=True)
    out = run_cdcml(preview_args(prog, pack(scratch)), cwd=scratch)
    out.assert_input_error("can't run cdcml's capture", "No module named 'pulumi'")


def test_the_program_runs_in_its_virtualenv_with_its_own_packages(scratch: Path) -> None:
    import sysconfig

    prog = program(
        scratch,
        before="import sys, venv_only\nassert sys.prefix.endswith('/prog/venv'), sys.prefix\n",
        options="virtualenv: venv\n",
    )
    venv = prog / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "sdk.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (site / "venv_only.py").write_text("")
    out = run_cdcml(preview_args(prog, pack(scratch)), cwd=scratch)
    assert_violation_found(out)


def test_an_unsupported_toolchain_is_exit_2(scratch: Path) -> None:
    prog = program(scratch, options="toolchain: conda\n")
    out = run_cdcml(preview_args(prog, pack(scratch)), cwd=scratch)
    out.assert_input_error("unsupported toolchain option 'conda'")


def test_the_repository_itself_still_previews(scratch: Path) -> None:
    out = run_cdcml(["preview", str(ROOT), "--stack", "seed", "--json"], cwd=scratch)
    assert out.code == 1 and json.loads(out.stdout)["summary"]["mandatory"] > 0, out.describe()
