"""Every capture runs isolated: its own context, settings, config, root stack, event loop
and cwd; the program's own modules are forgotten afterwards."""

from __future__ import annotations

import os
import sys

import pytest

from cdcml.capture.program import capture, capture_program
from tests.capture._programs import write_program


def test_many_captures_in_one_process_are_isolated(tmp_path):
    """Root stack, settings, config and registered resources never leak between captures."""
    write_program(
        tmp_path,
        """\
        import pulumi
        from pulumi_azure_native import resources
        cfg = pulumi.Config()
        resources.ResourceGroup(cfg.require("name"))
        pulumi.export("stack", pulumi.get_stack())
        pulumi.export("project", pulumi.get_project())
    """,
        "config:\n  prog:name: first\n",
    )
    first = capture(tmp_path, "dev")
    inline = capture_program(lambda: None, project="other", stack="x", config={"other:name": "y"})
    second = capture(tmp_path, "dev", config={"name": "second"})
    third = capture(tmp_path, "dev")
    assert [r.name for r in first if r.type.endswith("ResourceGroup")] == ["first"]
    assert [r.name for r in second if r.type.endswith("ResourceGroup")] == ["second"]
    assert first.resources == third.resources
    assert [r.type for r in inline] == ["pulumi:pulumi:Stack"]
    for g in (first, second, third):
        assert g.stack_urn == "urn:pulumi:dev::prog::pulumi:pulumi:Stack::prog-dev"
        assert dict(g.outputs) == {"stack": "dev", "project": "prog"}


def test_the_program_runs_in_its_directory_and_its_modules_are_forgotten(tmp_path):
    write_program(
        tmp_path,
        """\
        import os
        import pulumi
        import helper_of_the_program
        pulumi.export("cwd", os.getcwd())
        pulumi.export("helper", helper_of_the_program.VALUE)
    """,
    )
    (tmp_path / "helper_of_the_program.py").write_text("VALUE = 'from the program'\n")
    cwd = os.getcwd()
    graph = capture(tmp_path, "dev")
    assert dict(graph.outputs) == {"cwd": str(tmp_path), "helper": "from the program"}
    assert os.getcwd() == cwd
    assert "helper_of_the_program" not in sys.modules


def test_an_interrupt_stops_the_capture_as_an_interrupt():
    """Ctrl-C is not a program error: it propagates as it is."""

    def program() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        capture_program(program)
    # ... and the next capture runs normally.
    assert [r.type for r in capture_program(lambda: None)] == ["pulumi:pulumi:Stack"]


def test_a_forgotten_module_runs_afresh_each_capture_and_an_edited_one_runs_its_new_source(tmp_path):
    """The program's own modules reuse the code compiled by the last capture only while
    their source is unchanged; their module body still runs again in every capture."""
    write_program(
        tmp_path,
        """\
        import pulumi
        import counted_helper
        pulumi.export("helper", counted_helper.VALUE)
        pulumi.export("runs", counted_helper.RUNS)
    """,
    )
    log = tmp_path / "runs.log"
    helper = tmp_path / "counted_helper.py"
    body = (
        "import pathlib\nlog = pathlib.Path({log!r})\nlog.write_text(log.read_text() + 'x' if log.exists() else 'x')\n"
    )
    helper.write_text(body.format(log=str(log)) + "RUNS = len(log.read_text())\nVALUE = 'first'\n")
    assert dict(capture(tmp_path, "dev").outputs) == {"helper": "first", "runs": 1}
    assert dict(capture(tmp_path, "dev").outputs) == {"helper": "first", "runs": 2}
    helper.write_text(body.format(log=str(log)) + "RUNS = len(log.read_text())\nVALUE = 'the second'\n")
    assert dict(capture(tmp_path, "dev").outputs) == {"helper": "the second", "runs": 3}


def test_the_cut_stack_trace_keeps_the_sdks_frames_up_to_the_one_the_position_comes_from(tmp_path):
    """The stack trace a capture sends (cdcml.capture.positions.stack_trace) is the SDK's
    own (pulumi.runtime.resource._get_stack_trace) cut after the first frame outside the
    SDKs: the same frames, positions and source position, for a resource declared directly,
    through a component and through a provider SDK's ``get``."""
    from pulumi.runtime import resource

    from cdcml.capture import runtime
    from cdcml.capture.positions import stack_trace

    pairs = []
    original = resource._get_stack_trace

    def both() -> object:
        ours, sdk = stack_trace(), original()
        pairs.append((list(ours.frames), list(sdk.frames)))
        return ours

    write_program(
        tmp_path,
        """\
        import pulumi
        from pulumi_azure_native import resources

        class Group(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("test:index:Group", name)
                resources.ResourceGroup(name, opts=pulumi.ResourceOptions(parent=self))

        def declare():
            return resources.ResourceGroup("direct")

        declare()
        Group("inner")
        resources.ResourceGroup.get("existing", "/subscriptions/s/resourceGroups/existing")
    """,
    )
    cut = runtime.stack_trace
    try:
        runtime.stack_trace = both  # type: ignore[assignment]
        graph = capture(tmp_path, "dev")
    finally:
        runtime.stack_trace = cut  # type: ignore[assignment]
    assert len(pairs) == 6  # the stack, three resource groups, the component; a read takes two
    for ours, sdk in pairs:
        assert ours and ours == sdk[: len(ours)] and len(ours) < len(sdk)
    lines = {(r.type, r.name): r.source_position.line for r in graph.resources if r.source_position is not None}
    group = "azure-native:resources:ResourceGroup"
    expected = {(group, "direct"): 10, (group, "inner"): 7, ("test:index:Group", "inner"): 13, (group, "existing"): 14}
    assert lines == expected
    assert resource._get_stack_trace is original
