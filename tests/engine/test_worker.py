"""A pack in its own process: loaded there with the messages of an in-process load, its
metadata crossing as plain data, and every way it can fail while loading or evaluating
named in one line — which pack, which policy, which resource, and how."""

from __future__ import annotations

import dataclasses
import os
import textwrap
from pathlib import Path

import orjson
import pytest

from cdcml.engine.config import reconcile
from cdcml.engine.isolated import _check_stage, evaluate_isolated, has_remediations
from cdcml.engine.pack import PolicyMeta, load_pack
from cdcml.engine.worker import PackHandle, config_from_plain, config_to_plain, encode_graph, start_load
from cdcml.errors import PackError
from cdcml.model import EnforcementLevel, Resource, ResourceGraph, Severity, freeze
from cdcml.model.codec import graph_from_plain
from cdcml.workers import WorkerFailure
from tests.engine.test_pack import MINIMAL, make_pack


def load(d: Path, timeout: float = 60) -> PackHandle:
    return start_load(d, project="proj", stack="dev", organization="org", dry_run=True, timeout=timeout).result()


def graph(n: int = 2) -> ResourceGraph:
    return ResourceGraph(
        project="proj",
        stack="dev",
        resources=tuple(
            Resource(
                urn=f"urn:pulumi:dev::proj::t:i:T::r{i}", type="t:i:T", name=f"r{i}", custom=True, inputs=freeze({})
            )
            for i in range(n)
        ),
    )


def pack_with(tmp_path: Path, validate: str, *, stack: str = "pass") -> Path:
    return make_pack(
        tmp_path,
        f"""
        import os, time, ctypes, sys
        from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy
        def check(args, report_violation):
            if args.name == "r1":
{textwrap.indent(textwrap.dedent(validate), " " * 16)}
        def whole(args, report_violation):
            {stack}
        PolicyPack("hostile", [
            ResourceValidationPolicy(name="first", description="First.", validate=lambda a, r: None),
            ResourceValidationPolicy(name="check", description="Checks.", validate=check),
            StackValidationPolicy(name="whole", description="Stack.", validate=whole),
        ])
        """,
    )


def run(handle: PackHandle, g: ResourceGraph | None = None, policy_timeout: float = 60) -> object:
    try:
        return evaluate_isolated(g or graph(), [handle], [reconcile(handle.pack)], policy_timeout=policy_timeout)
    finally:
        handle.release()


def test_the_metadata_crosses_as_plain_data(tmp_path: Path) -> None:
    handle = load(make_pack(tmp_path, MINIMAL))
    try:
        pack = handle.pack
        assert not pack.in_process and pack.servicer is None and pack.directory == (tmp_path / "pack").resolve()
        assert pack.metas() == (
            PolicyMeta(name="p", policy_type="resource", description="A policy.", severity=Severity.LOW),
        )
        assert (pack.name, pack.version, pack.enforcement_level) == ("minimal", "1.2.3", EnforcementLevel.MANDATORY)
        assert pack.initial_config == {"p": "advisory"} and pack.description == "A pack."
        assert reconcile(pack) == reconcile(load_pack(tmp_path / "pack", project="proj", stack="dev"))
        with pytest.raises(TypeError, match="loaded in its own process"):
            pack.analyzer_info()
    finally:
        handle.release()


def test_a_pack_loaded_elsewhere_cannot_be_evaluated_here(tmp_path: Path) -> None:
    from cdcml.engine.evaluate import evaluate

    handle = load(make_pack(tmp_path, MINIMAL))
    handle.release()
    with pytest.raises(TypeError, match="policy pack minimal was loaded in its own process; evaluate it there"):
        evaluate(graph(), [handle.pack])


def test_a_pack_config_crosses_unchanged() -> None:
    from cdcml.engine.config import PackConfig, PolicyConfig

    config = PackConfig(
        "p", {"a": PolicyConfig(EnforcementLevel.REMEDIATE, {"n": 1.0, "l": [1]}), "b": PolicyConfig(None, None)}
    )
    assert config_from_plain(config_to_plain(config)) == config


@pytest.mark.parametrize(
    ("main", "message"),
    [
        ("raise ValueError('bad pack')\n", "policy pack pack failed to load at __main__.py:1: ValueError: bad pack"),
        ("x = 1\n", "policy pack pack: __main__.py finished without constructing PolicyPack(...)"),
        ("import sys\nsys.exit(4)\n", "policy pack pack exited while loading (code 4)"),
    ],
)
def test_a_pack_that_fails_to_load_says_what_an_in_process_load_says(tmp_path: Path, main: str, message: str) -> None:
    d = make_pack(tmp_path, main)
    with pytest.raises(PackError) as in_process:
        load_pack(d)
    with pytest.raises(PackError) as isolated:
        load(d)
    assert isolated.value.message == in_process.value.message == message


def test_a_directory_that_is_not_a_pack_fails_before_any_process_starts(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="does not exist"):
        start_load(tmp_path / "nope", project="p", stack="s", organization="o", dry_run=True, timeout=5)
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: nodejs\n")
    with pytest.raises(PackError, match="runs Python policy packs only"):
        start_load(tmp_path, project="p", stack="s", organization="o", dry_run=True, timeout=5)


@pytest.mark.parametrize(
    ("main", "how"),
    [
        ("import os\nos._exit(0)\n", "exited with code 0 while loading"),
        ("import ctypes\nctypes.string_at(0)\n", r"was killed by signal 11 \(SIGSEGV\) while loading"),
    ],
)
def test_a_pack_that_ends_its_process_while_loading_is_one_line(tmp_path: Path, main: str, how: str) -> None:
    with pytest.raises(WorkerFailure, match=f"^policy pack pack {how}$"):
        load(make_pack(tmp_path, main))


def test_a_pack_that_hangs_while_loading_is_stopped_and_named(tmp_path: Path) -> None:
    with pytest.raises(WorkerFailure, match=r"^policy pack pack timed out after 1 s while loading \(raise the limit"):
        load(make_pack(tmp_path, "while True:\n    pass\n"), timeout=1)


def test_a_worker_is_reused_by_the_next_load_of_the_same_pack(tmp_path: Path) -> None:
    d = make_pack(tmp_path, MINIMAL)
    first = load(d)
    pid = first.worker.pid
    first.release()
    second = load(d)
    assert second.worker.pid == pid
    second.release()


@pytest.mark.parametrize(
    ("validate", "how"),
    [
        ("os._exit(0)", "exited with code 0"),
        ("os.kill(os.getpid(), 9)", r"was killed by signal 9 \(SIGKILL\)"),
        ("ctypes.string_at(0)", r"was killed by signal 11 \(SIGSEGV\)"),
    ],
)
def test_a_policy_that_ends_its_process_names_the_policy_and_the_resource(
    tmp_path: Path, validate: str, how: str
) -> None:
    handle = load(pack_with(tmp_path, validate))
    expected = rf"^policy pack hostile {how} in policy hostile/check on urn:pulumi:dev::proj::t:i:T::r1$"
    with pytest.raises(WorkerFailure, match=expected):
        run(handle)
    assert not handle.worker.alive


def test_a_policy_over_its_time_limit_is_named_with_its_resource(tmp_path: Path) -> None:
    handle = load(pack_with(tmp_path, "while True:\n    pass"))
    expected = (
        r"^policy hostile/check on urn:pulumi:dev::proj::t:i:T::r1 timed out after 0\.5 s "
        r"\(raise the limit with --policy-timeout or CDCML_POLICY_TIMEOUT\)$"
    )
    with pytest.raises(WorkerFailure, match=expected):
        run(handle, policy_timeout=0.5)


def test_a_stack_policy_over_its_time_limit_is_named(tmp_path: Path) -> None:
    handle = load(pack_with(tmp_path, "pass", stack="time.sleep(30)"))
    with pytest.raises(WorkerFailure, match=r"^policy hostile/whole on the stack timed out after 0\.5 s"):
        run(handle, policy_timeout=0.5)


def test_an_internal_error_of_the_worker_is_one_line(tmp_path: Path) -> None:
    handle = load(pack_with(tmp_path, "pass", stack="pass"))
    handle.worker.send({"op": "stage", "env": dict(os.environ), "key": "none"})  # not loaded: its handler raises
    # the reply to the forged request is an internal error, then the real one goes through
    with pytest.raises(WorkerFailure, match="cdcml's evaluator failed"):
        run(handle)


def test_what_a_pack_says_is_checked_to_be_about_itself(tmp_path: Path) -> None:
    handle = load(pack_with(tmp_path, "pass"))
    try:
        finding = {
            "kind": "violation",
            "pack": "another-pack",
            "packVersion": "1.2.3",
            "policy": "check",
            "policyType": "resource",
            "enforcementLevel": "mandatory",
            "severity": "",
            "urn": "u",
            "resourceType": "t",
            "description": "d",
            "message": "m",
        }
        plain = {"findings": [[0, finding]], "remediations": [], "wires": [], "ran": [], "stackRan": [], "error": None}
        with pytest.raises(WorkerFailure, match="answered for another-pack/check, which is not one of its policies"):
            _check_stage(handle, plain, 2)
        finding["pack"] = "hostile"
        assert _check_stage(handle, plain, 2).findings[0][1].pack == "hostile"
        for bad, message in [
            ({"findings": [[3, finding]]}, "position 3 is outside the graph"),
            ({"findings": [[True, finding]]}, "position True is outside the graph"),
            ({"findings": [[0, {**finding, "policy": "nope"}]]}, "hostile/nope, which is not one of its policies"),
            ({"findings": [[0, {**finding, "packVersion": "9"}]]}, "which is not one of its policies"),
            ({"ran": ["other/check"]}, "it listed 'other/check'"),
            ({"stackRan": ["hostile/nope"]}, "it listed 'hostile/nope'"),
            ({"ran": "hostile/check"}, "a policy list is not a list of names"),
            ({"wires": [[0, [1]]]}, "remediated inputs are not an object"),
            ({"error": {"position": 0}}, "broke the worker protocol"),
        ]:
            with pytest.raises(WorkerFailure, match=message):
                _check_stage(handle, {**plain, **bad}, 2)
        with pytest.raises(WorkerFailure, match="the stage is not an object"):
            _check_stage(handle, [], 2)
    finally:
        handle.release()


def test_only_packs_with_a_remediate_level_policy_remediate(tmp_path: Path) -> None:
    handle = load(pack_with(tmp_path, "pass"))
    try:
        config = reconcile(handle.pack)
        assert not has_remediations(handle, config)
        from cdcml.engine.config import PolicyConfig

        check = config.policies["check"]
        remediating = type(config)(
            config.pack, {**config.policies, "check": PolicyConfig(EnforcementLevel.REMEDIATE, check.properties)}
        )
        assert has_remediations(handle, remediating)
        whole = config.policies["whole"]
        stack_only = type(config)(
            config.pack, {**config.policies, "whole": PolicyConfig(EnforcementLevel.REMEDIATE, whole.properties)}
        )
        assert not has_remediations(handle, stack_only), "a stack policy never remediates"
    finally:
        handle.release()


def _with_inputs(inputs: dict[str, object]) -> ResourceGraph:
    g = graph(2)
    first = dataclasses.replace(g.resources[0], inputs=freeze(inputs))
    return dataclasses.replace(g, resources=(first, g.resources[1]))


def test_a_graph_crosses_to_the_worker_as_one_orjson_attachment_that_decodes_to_the_same_graph() -> None:
    g = _with_inputs({"n": 1.5, "big": 2**63, "neg": -(2**63), "s": "ünï", "l": [1, {"k": None}], "b": True})
    plain, encoded = encode_graph(g)
    assert plain is None and encoded is not None
    assert graph_from_plain(orjson.loads(encoded)) == g


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**64, -(2**63) - 1, "lone \ud800 surrogate"], ids=repr)
def test_a_graph_orjson_cannot_carry_exactly_crosses_as_plain_data(value: object) -> None:
    """orjson writes NaN as null and refuses integers past 64 bits and lone surrogates: those
    graphs go as plain data in the JSON frame, which carries them exactly."""
    g = _with_inputs({"v": {"inner": [value]}})
    plain, encoded = encode_graph(g)
    assert encoded is None and plain is not None
    assert graph_from_plain(plain) == g or value != value


def test_a_graph_sent_as_an_attachment_is_evaluated_as_before(tmp_path: Path) -> None:
    handle = load(pack_with(tmp_path, "report_violation('seen ' + str(args.props['n']))"))
    findings = run(handle, _named_inputs({"n": "ünï"}))
    assert [f.message for f in findings.findings] == ["Checks.\nseen ünï"]  # type: ignore[attr-defined]


def _named_inputs(inputs: dict[str, object]) -> ResourceGraph:
    g = graph(2)
    second = dataclasses.replace(g.resources[1], inputs=freeze(inputs))
    return dataclasses.replace(g, resources=(g.resources[0], second))
