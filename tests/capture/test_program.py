"""The entry: a project directory and a stack, or an inline program, captured the same
way; the public import paths."""

from __future__ import annotations

import pytest

import cdcml.capture
import cdcml.capture.program
from cdcml.capture.program import capture, capture_program
from cdcml.errors import ProjectError
from tests.capture._programs import write_program


def test_the_public_names_import_from_the_package_and_the_program_module():
    for module in (cdcml.capture, cdcml.capture.program):
        for name in ("CaptureOptions", "OutputMode", "capture", "capture_program"):
            assert name in module.__all__ and getattr(module, name) is getattr(cdcml.capture, name)


def test_unknown_stack_lists_the_stacks_there_are(tmp_path):
    write_program(tmp_path, "import pulumi\n")
    with pytest.raises(ProjectError, match=r"unknown stack 'prod'.*\(stacks: dev\)"):
        capture(tmp_path, "prod")


def test_inline_programs_capture_like_project_programs():
    def program() -> None:
        from pulumi_azure_native import resources

        resources.ResourceGroup("rg", location="northeurope")

    graph = capture_program(program, project="inline", stack="ci", mode="resolved")
    rg = next(r for r in graph if r.type == "azure-native:resources:ResourceGroup")
    assert rg.urn == "urn:pulumi:ci::inline::azure-native:resources:ResourceGroup::rg"
    assert rg.outputs["location"] == "northeurope"
    assert rg.id.startswith("/subscriptions/")


def test_an_inline_program_sees_its_config_and_secret_keys():
    def program() -> None:
        import pulumi

        cfg = pulumi.Config()
        pulumi.export("region", cfg.require("region"))
        pulumi.export("password", cfg.require_secret("password"))

    graph = capture_program(
        program,
        project="inline",
        config={"inline:region": "westeurope", "inline:password": "hunter2"},
        secret_keys=("inline:password",),
        organization="acme",
    )
    assert graph.outputs["region"] == "westeurope"
    assert graph.outputs["password"]["value"] == "hunter2"
    assert graph.config_secret_keys == ("inline:password",)
    assert (graph.organization, graph.source, graph.dry_run) == ("acme", "preview", True)
    assert dict(graph.tags) == {"pulumi:project": "inline"}
