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
