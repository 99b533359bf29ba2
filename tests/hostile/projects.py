"""Small hostile projects and packs for the isolation and time-limit cases: a program of
one ``test:index:Thing`` (no cloud SDK, so a case starts fast) and a pack whose mandatory
policy flags it — each with a slot for the hostile code."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.hostile.harness import Outcome, descendants

PROGRAM = """\
import pulumi


class Thing(pulumi.CustomResource):
    def __init__(self, name, props, opts=None):
        super().__init__("test:index:Thing", name, props, opts)


{before}
Thing("a", {{"public": True}})
{after}
"""

PACK = """\
import os, sys, time, ctypes, signal
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy

{load}


def no_public(args, report_violation):
    if args.resource_type == "test:index:Thing" and args.props.get("public"):
{validate}
        report_violation("the thing is public")


def whole(args, report_violation):
{stack}
    pass


PolicyPack({name!r}, [
    ResourceValidationPolicy(name="no-public", description="Things are private.", validate=no_public,
                             enforcement_level=EnforcementLevel.MANDATORY),
    StackValidationPolicy(name="whole", description="The stack.", validate=whole),
])
"""

URN = "urn:pulumi:dev::hostile::test:index:Thing::a"
VIOLATION = "the thing is public"


def program(root: Path, before: str = "", after: str = "", *, options: str = "") -> Path:
    """A project ``hostile`` (stack ``dev``) in ``root/prog``; *options* are Pulumi.yaml
    ``runtime.options`` lines."""
    d = root / "prog"
    d.mkdir(parents=True, exist_ok=True)
    runtime = (
        f"runtime:\n  name: python\n  options:\n{textwrap.indent(options, '    ')}" if options else "runtime: python\n"
    )
    (d / "Pulumi.yaml").write_text(f"name: hostile\n{runtime}")
    (d / "Pulumi.dev.yaml").write_text("config: {}\n")
    (d / "__main__.py").write_text(PROGRAM.format(before=textwrap.dedent(before), after=textwrap.dedent(after)))
    return d


def pack(root: Path, name: str = "hostile-pack", *, load: str = "", validate: str = "", stack: str = "") -> Path:
    """A pack *name* in ``root/<name>`` whose ``no-public`` policy flags the thing; *load*
    runs while it loads, *validate* in the policy before it reports, *stack* in a stack policy."""
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (d / "__main__.py").write_text(
        PACK.format(
            name=name,
            load=textwrap.dedent(load),
            validate=textwrap.indent(textwrap.dedent(validate), " " * 8),
            stack=textwrap.indent(textwrap.dedent(stack), " " * 4),
        )
    )
    return d


def preview_args(prog: Path, *packs: Path, extra: tuple[str, ...] = ()) -> list[str]:
    args = ["preview", str(prog), "--stack", "dev"]
    for p in packs:
        args += ["--policy-pack", str(p)]
    return [*args, *extra]


def assert_violation_found(out: Outcome) -> None:
    """The run saw the mandatory violation: exit 1, the policy's message in the report."""
    assert out.code == 1, out.describe()
    assert VIOLATION in out.stdout, out.describe()


def worker_pids(group: int) -> list[int]:
    """cdcml's worker processes in process group *group*."""
    found = []
    for pid in descendants(group):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"_cdcml_worker" in cmdline:
            found.append(pid)
    return found
