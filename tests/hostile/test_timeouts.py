"""Code under review can't hang the gate: the program, loading a pack and each policy call
have time limits (``--program-timeout``, ``--pack-timeout``, ``--policy-timeout``, or
``CDCML_PROGRAM_TIMEOUT``, ``CDCML_PACK_TIMEOUT``, ``CDCML_POLICY_TIMEOUT``); past one,
the run exits 2 with one line naming what hung and the limit, and nothing is left running.
A program that leaves a thread running doesn't hang the run either."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.harness import Outcome, run_cdcml
from tests.hostile.projects import URN, assert_violation_found, pack, preview_args, program

LOOP = "while True:\n    pass\n"
GIL = "import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')\n"  # catastrophic backtracking: C code holding the GIL
SLEEP = "time.sleep(600)"

FAST = 30.0
"""No case may take this long: the limits below are 2 s."""


def test_a_program_that_loops_is_stopped_and_named(scratch: Path) -> None:
    out = run_cdcml(
        preview_args(program(scratch, before=LOOP), pack(scratch)), cwd=scratch, env={"CDCML_PROGRAM_TIMEOUT": "2"}
    )
    out.assert_input_error("program hostile (__main__.py) timed out after 2 s", "CDCML_PROGRAM_TIMEOUT")
    assert out.seconds < FAST


def test_a_program_that_holds_the_gil_is_stopped_too(scratch: Path) -> None:
    out = run_cdcml(
        preview_args(program(scratch, before=GIL), pack(scratch), extra=("--program-timeout", "2")), cwd=scratch
    )
    out.assert_input_error("program hostile (__main__.py) timed out after 2 s")


def test_a_pack_that_hangs_while_loading_is_stopped_and_named(scratch: Path) -> None:
    out = run_cdcml(
        preview_args(program(scratch), pack(scratch, load=LOOP)), cwd=scratch, env={"CDCML_PACK_TIMEOUT": "2"}
    )
    out.assert_input_error("policy pack hostile-pack timed out after 2 s while loading", "CDCML_PACK_TIMEOUT")
    assert out.seconds < FAST


@pytest.mark.parametrize("hang", [LOOP, GIL, SLEEP], ids=["loop", "holding-the-gil", "sleep"])
def test_a_policy_that_hangs_is_stopped_and_named_with_its_resource(scratch: Path, hang: str) -> None:
    out = run_cdcml(
        preview_args(program(scratch), pack(scratch, validate=hang)), cwd=scratch, env={"CDCML_POLICY_TIMEOUT": "2"}
    )
    out.assert_input_error(f"policy hostile-pack/no-public on {URN} timed out after 2 s", "CDCML_POLICY_TIMEOUT")
    assert out.seconds < FAST


def test_a_stack_policy_that_hangs_is_stopped_and_named(scratch: Path) -> None:
    out = run_cdcml(
        preview_args(program(scratch), pack(scratch, stack=LOOP), extra=("--policy-timeout", "2")), cwd=scratch
    )
    out.assert_input_error("policy hostile-pack/whole on the stack timed out after 2 s")


def test_a_policy_that_hangs_under_the_grpc_engine_is_stopped_and_named(scratch: Path) -> None:
    out = run_cdcml(
        preview_args(program(scratch), pack(scratch, validate=LOOP), extra=("--engine", "grpc")),
        cwd=scratch,
        env={"CDCML_POLICY_TIMEOUT": "2"},
    )
    out.assert_input_error(f"policy pack hostile-pack: Analyze on {URN} timed out after 2 s")
    assert out.seconds < FAST


def test_a_pack_that_hangs_while_loading_under_the_grpc_engine_is_stopped(scratch: Path) -> None:
    """It loads twice (its metadata in a worker, then as the CLI runs it): the limit holds for both."""
    out = run_cdcml(
        preview_args(program(scratch), pack(scratch, load=LOOP), extra=("--engine", "grpc", "--pack-timeout", "2")),
        cwd=scratch,
    )
    out.assert_input_error("policy pack hostile-pack timed out after 2 s while loading")


def test_an_audit_stops_a_policy_that_hangs(scratch: Path, seed_state: Path) -> None:
    p = pack(scratch, validate="pass", stack=LOOP)
    out = run_cdcml(
        ["policy", "analyze", "--file", str(seed_state), "--policy-pack", str(p)],
        cwd=scratch,
        env={"CDCML_POLICY_TIMEOUT": "2"},
    )
    out.assert_input_error("policy hostile-pack/whole on the stack timed out after 2 s")


def test_an_audit_stops_a_pack_that_hangs_while_loading(scratch: Path, seed_state: Path) -> None:
    out = run_cdcml(
        ["policy", "analyze", "--file", str(seed_state), "--policy-pack", str(pack(scratch, load=SLEEP))],
        cwd=scratch,
        env={"CDCML_PACK_TIMEOUT": "2"},
    )
    out.assert_input_error("policy pack hostile-pack timed out after 2 s while loading")


def test_a_flag_wins_over_its_variable(scratch: Path) -> None:
    out = run_cdcml(
        preview_args(program(scratch), pack(scratch, validate=LOOP), extra=("--policy-timeout", "1")),
        cwd=scratch,
        env={"CDCML_POLICY_TIMEOUT": "100"},
    )
    out.assert_input_error("timed out after 1 s")


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        ((), {"CDCML_PROGRAM_TIMEOUT": "soon"}, "CDCML_PROGRAM_TIMEOUT='soon' is not a positive number of seconds"),
        ((), {"CDCML_POLICY_TIMEOUT": "-1"}, "CDCML_POLICY_TIMEOUT='-1' is not a positive number of seconds"),
        (("--pack-timeout", "0"), {}, "--pack-timeout='0' is not a positive number of seconds"),
        (("--policy-timeout", "nan"), {}, "--policy-timeout='nan' is not a positive number of seconds"),
    ],
)
def test_a_limit_that_is_not_a_number_of_seconds_is_exit_2(
    scratch: Path, args: tuple[str, ...], env: dict[str, str], named: str
) -> None:
    out = run_cdcml(preview_args(program(scratch), pack(scratch), extra=args), cwd=scratch, env=env)
    out.assert_input_error(named)


def test_an_audit_has_no_program_limit(scratch: Path, seed_state: Path) -> None:
    out = run_cdcml(["policy", "analyze", "--file", str(seed_state), "--program-timeout", "5"], cwd=scratch)
    out.assert_input_error("No such option '--program-timeout'")


def test_a_program_that_leaves_a_thread_running_does_not_hang_the_run(scratch: Path) -> None:
    thread = "import threading, time\nthreading.Thread(target=time.sleep, args=(600,), daemon=False).start()\n"
    out = run_cdcml(preview_args(program(scratch, before=thread), pack(scratch), extra=("--json",)), cwd=scratch)
    assert_violation_found_json(out)
    assert out.seconds < FAST


def test_a_policy_that_leaves_a_thread_running_does_not_hang_the_run(scratch: Path) -> None:
    thread = "import threading\nthreading.Thread(target=time.sleep, args=(600,), daemon=False).start()"
    out = run_cdcml(preview_args(program(scratch), pack(scratch, validate=thread)), cwd=scratch)
    assert_violation_found(out)
    assert out.seconds < FAST


def assert_violation_found_json(out: Outcome) -> None:
    assert out.code == 1, out.describe()
    assert json.loads(out.stdout)["summary"]["mandatory"] == 1
