"""One pack's stage of an evaluation (what runs inside a pack's process), in this process:
what it finds is tagged with the resource's position, remediated inputs are handed on,
earlier packs' remediations replace the inputs, and it stops at its first error saying
where."""

from __future__ import annotations

import pytest
from pulumi_policy import EnforcementLevel as SdkLevel
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from cdcml.engine.config import reconcile
from cdcml.engine.evaluate import PolicyCrashError
from cdcml.engine.pack import pack_from_policies
from cdcml.engine.stages import ANALYZE, CONVERT, REMEDIATE, StageError, run_stage
from cdcml.errors import CdcmlError
from cdcml.model import Resource, ResourceGraph, ResourceOptions, freeze

URN = "urn:pulumi:dev::proj::t:i:T::"


def graph(*names: str, deleted: tuple[str, ...] = (), nan: tuple[str, ...] = ()) -> ResourceGraph:
    return ResourceGraph(
        project="proj",
        stack="dev",
        resources=tuple(
            Resource(
                urn=URN + n,
                type="t:i:T",
                name=n,
                custom=True,
                inputs=freeze({"n": float("nan") if n in nan else i, "tag": "x"}),
                delete=n in deleted,
            )
            for i, n in enumerate(names)
        ),
    )


def check(args, report_violation):  # type: ignore[no-untyped-def]
    if args.name == "boom":
        raise RuntimeError("check failed")
    report_violation(f"saw {args.props['tag']}")


def fix(args):  # type: ignore[no-untyped-def]
    if args.name == "bad-fix":
        raise RuntimeError("fix failed")
    return {**args.props, "tag": "fixed"}


def whole(args, report_violation):  # type: ignore[no-untyped-def]
    report_violation(f"{len(args.resources)} resources")


def pack():  # type: ignore[no-untyped-def]
    return pack_from_policies(
        "p",
        [
            ResourceValidationPolicy(
                name="fix", description="Fix.", remediate=fix, enforcement_level=SdkLevel.REMEDIATE
            ),
            ResourceValidationPolicy(name="check", description="Check.", validate=check),
            ResourceValidationPolicy(
                name="off", description="Off.", validate=check, enforcement_level=SdkLevel.DISABLED
            ),
            StackValidationPolicy(name="whole", description="Whole.", validate=whole),
        ],
    )


class Watch:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []
        self.open = 0

    def begin(self, policy: int, resource: int) -> None:
        self.calls.append((policy, resource))
        self.open += 1

    def end(self) -> None:
        self.open -= 1


def test_remediate_tags_remediations_by_position_and_hands_on_the_inputs() -> None:
    p = pack()
    stage = run_stage(graph("a", "gone", "b", deleted=("gone",)), p, reconcile(p), "remediate")
    assert stage.error is None and stage.findings == []
    assert [(i, r.urn) for i, r in stage.remediations] == [(0, URN + "a"), (1, URN + "b")]
    assert sorted(stage.wires) == [0, 1] and stage.wires[1]["tag"] == "fixed" and stage.wires[1]["n"] == 2.0
    assert stage.ran == () and stage.stack_ran == ()


def test_analyze_sees_the_inputs_it_is_given_and_runs_the_stack_last() -> None:
    p = pack()
    watch = Watch()
    done: list[int] = []
    stage = run_stage(
        graph("a", "b"),
        p,
        reconcile(p),
        "analyze",
        wires={1: {"n": 1.0, "tag": "given"}},
        watch=watch,
        progress=done.append,
    )
    assert [(i, f.policy, f.message.split("\n")[-1]) for i, f in stage.findings] == [
        (0, "fix", "Policy does not implement validate"),
        (0, "check", "saw x"),
        (1, "fix", "Policy does not implement validate"),
        (1, "check", "saw given"),
        (2, "whole", "2 resources"),
    ]
    assert stage.ran == ("p/check",) and stage.stack_ran == ("p/whole",)
    assert done == [1, 2]
    assert watch.calls == [(1, 0), (1, 1), (3, -1)] and watch.open == 0
    assert stage.error is None


def test_a_limit_stops_before_the_position_and_skips_the_stack() -> None:
    p = pack()
    stage = run_stage(graph("a", "b", "c"), p, reconcile(p), "analyze", limit=1)
    assert [(i, f.policy) for i, f in stage.findings] == [(0, "fix"), (0, "check")]
    assert stage.stack_ran == () and stage.error is None


def test_a_crash_stops_the_stage_and_says_where() -> None:
    p = pack()
    stage = run_stage(graph("a", "boom", "c"), p, reconcile(p), "analyze")
    assert stage.error == StageError(
        1, ANALYZE, True, "policy p/check raised on " + URN + "boom: RuntimeError: check failed"
    )
    assert [(i, f.policy) for i, f in stage.findings] == [(0, "fix"), (0, "check")]
    assert isinstance(stage.error.exception(), PolicyCrashError) and stage.error.key == (1, ANALYZE)
    stage = run_stage(graph("a", "bad-fix"), p, reconcile(p), "remediate")
    assert stage.error is not None and stage.error.key == (1, REMEDIATE) and stage.error.crash
    assert [i for i, _r in stage.remediations] == [0]


def test_a_value_no_pack_can_receive_stops_at_conversion() -> None:
    p = pack()
    for name in ("remediate", "analyze"):
        stage = run_stage(graph("a", "b", nan=("b",)), p, reconcile(p), name)
        assert stage.error is not None and stage.error.key == (1, CONVERT) and not stage.error.crash
        exc = stage.error.exception()
        assert type(exc) is CdcmlError and "NaN or infinite" in exc.message


def test_an_empty_graph_still_lists_the_policies_that_would_run() -> None:
    p = pack()
    stage = run_stage(graph(), p, reconcile(p), "analyze")
    assert stage.ran == ("p/check",) and stage.stack_ran == ("p/whole",)


PROVIDER = "urn:pulumi:dev::proj::pulumi:providers:aws::default"


def provided() -> ResourceGraph:
    """A provider, then a protected resource that uses it."""
    return ResourceGraph(
        project="proj",
        stack="dev",
        resources=(
            Resource(
                urn=PROVIDER, type="pulumi:providers:aws", name="default", custom=True, inputs=freeze({"tag": "p"})
            ),
            Resource(
                urn=URN + "a",
                type="t:i:T",
                name="a",
                custom=True,
                inputs=freeze({"tag": "x"}),
                provider=PROVIDER + "::id-1",
                options=ResourceOptions(protect=True),
            ),
        ),
    )


def seen(args) -> str:  # type: ignore[no-untyped-def]
    provider = args.provider.resource_type if args.provider is not None else "no provider"
    return f"{args.name}: protect={args.opts.protect}, {provider}, tag={args.props['tag']}"


def options_pack():  # type: ignore[no-untyped-def]
    def remediate(args):  # type: ignore[no-untyped-def]
        return {**args.props, "tag": seen(args)}

    def validate(args, report_violation):  # type: ignore[no-untyped-def]
        report_violation(seen(args))

    return pack_from_policies(
        "o",
        [
            ResourceValidationPolicy(
                name="fix", description="Fix.", remediate=remediate, enforcement_level=SdkLevel.REMEDIATE
            ),
            ResourceValidationPolicy(name="look", description="Look.", validate=validate),
        ],
    )


def test_both_stages_give_policies_the_resources_options_and_provider() -> None:
    p = options_pack()
    stage = run_stage(provided(), p, reconcile(p), "remediate")
    assert stage.error is None
    assert stage.wires[1]["tag"] == "a: protect=True, pulumi:providers:aws, tag=x"
    assert stage.wires[0]["tag"] == "default: protect=False, no provider, tag=p"
    stage = run_stage(provided(), p, reconcile(p), "analyze", wires={1: {"tag": "given"}})
    looked = [f.message.split("\n")[-1] for i, f in stage.findings if f.policy == "look" and i == 1]
    assert looked == ["a: protect=True, pulumi:providers:aws, tag=given"]


def test_remediate_starts_from_the_inputs_earlier_packs_produced() -> None:
    fixed: list[str] = []

    def keep(args):  # type: ignore[no-untyped-def]
        fixed.append(args.props["tag"])
        return {**args.props, "tag": args.props["tag"] + "+mine"}

    mine = pack_from_policies(
        "m",
        [
            ResourceValidationPolicy(
                name="keep", description="Keep.", remediate=keep, enforcement_level=SdkLevel.REMEDIATE
            )
        ],
    )
    stage = run_stage(graph("a", "b"), mine, reconcile(mine), "remediate", wires={1: {"n": 1.0, "tag": "fixed"}})
    assert fixed == ["x", "fixed"]
    assert stage.wires == {0: {"n": 0.0, "tag": "x+mine"}, 1: {"n": 1.0, "tag": "fixed+mine"}}


def test_remediate_shows_the_watch_each_resource_and_stops_at_the_limit() -> None:
    p = pack()
    watch = Watch()
    stage = run_stage(graph("a", "b", "c"), p, reconcile(p), "remediate", watch=watch, limit=2)
    assert watch.calls == [(0, 0), (0, 1)] and watch.open == 0
    assert [i for i, _r in stage.remediations] == [0, 1] and sorted(stage.wires) == [0, 1]


def test_a_stack_policy_crash_stops_the_stage_after_the_last_resource() -> None:
    def crash(args, report_violation):  # type: ignore[no-untyped-def]
        raise RuntimeError("stack check failed")

    p = pack_from_policies(
        "s",
        [
            ResourceValidationPolicy(name="check", description="Check.", validate=check),
            StackValidationPolicy(name="whole", description="Whole.", validate=crash),
        ],
    )
    stage = run_stage(graph("a", "b"), p, reconcile(p), "analyze")
    assert stage.error == StageError(
        2, ANALYZE, True, "policy s/whole raised on the stack: RuntimeError: stack check failed"
    )
    assert [i for i, _f in stage.findings] == [0, 1] and stage.stack_ran == ()


def test_an_unknown_stage_is_refused_by_name() -> None:
    p = pack()
    with pytest.raises(ValueError, match=r"^unknown stage 'validate'$"):
        run_stage(graph("a"), p, reconcile(p), "validate")
