"""The entry: a project directory and a stack, or an inline program, captured the same
way; the public import paths."""

from __future__ import annotations

from pathlib import Path

import pytest

import cdcml.capture
import cdcml.capture.program
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture, capture_program
from cdcml.capture.project import Project, StackConfig
from cdcml.errors import ProjectError
from cdcml.model import freeze
from cdcml.model.values import REDACTED, UNKNOWN, is_unknown, secret
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


def test_a_failing_program_is_scrubbed_of_the_secrets_it_declared_and_forgets_them_after():
    """An inline capture: the program's secret config, a secret property and an
    ``Output.secret`` literal quoted by its crash or its warnings are ``[secret]``; the
    process keeps none of them afterwards, and ``Output.secret`` is the SDK's again."""
    import pulumi

    from cdcml import secrets
    from cdcml.errors import ProgramError

    before = pulumi.Output.__dict__["secret"]
    secrets.forget_all()

    def prog() -> None:
        s = pulumi.Output.secret("literal-secret-1")
        pulumi.CustomResource("test:index:Thing", "a", {"token": pulumi.Output.secret("property-secret-2"), "s": s})
        pulumi.log.warn("warned " + pulumi.Config("p").require("token"))
        raise RuntimeError("literal-secret-1 property-secret-2 " + pulumi.Config("p").require("token"))

    with pytest.raises(ProgramError) as e:
        capture_program(prog, project="p", config={"p:token": "config-secret-3"}, secret_keys=("p:token",))
    assert str(e.value).endswith("RuntimeError: [secret] [secret] [secret]"), str(e.value)
    assert secrets.scrub("literal-secret-1 property-secret-2") == "literal-secret-1 property-secret-2"
    assert pulumi.Output.__dict__["secret"] is before

    def warns() -> None:
        pulumi.log.warn("warned " + pulumi.Config("p").require("token"))

    graph = capture_program(warns, project="p", config={"p:token": "config-secret-3"}, secret_keys=("p:token",))
    assert "program warning: warned [secret]" in graph.diagnostics


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_a_stack_references_outputs_are_unknown_offline_in_both_modes(mode):
    """Another stack's outputs can't be read offline: `get_output` is unknown (its applies
    don't run), in resolved mode too — not None, which broke every program using one — and
    resolved mode says so in the graph's diagnostics."""
    seen: list[object] = []

    def program() -> None:
        import pulumi
        from pulumi_azure_native import resources

        shared = pulumi.StackReference("acme/shared/prod")
        vnet = shared.get_output("vnetId")
        vnet.apply(lambda v: seen.append(v.upper()))
        resources.ResourceGroup("rg", tags=pulumi.Output.all(vnet).apply(lambda vs: {"vnet": str(vs[0])}))

    graph = capture_program(program, project="inline", stack="ci", mode=mode)
    assert seen == []
    rg = next(r for r in graph.resources if r.type == "azure-native:resources:ResourceGroup")
    assert is_unknown(rg.inputs["tags"])
    notes = [d for d in graph.diagnostics if "(another stack's)" in d]
    assert (len(notes), mode) in ((0, "preview"), (1, "resolved"))
    assert all("can't be read offline; they stay unknown" in d for d in notes)


REFERENCED = {"vnetId": "/subscriptions/s/vnet", "hubKey": secret("hub-key-value")}


def _referencing(seen: list[object]) -> object:
    def program() -> None:
        import pulumi

        shared = pulumi.StackReference("acme/net/shared")
        shared.get_output("vnetId").apply(seen.append)
        pulumi.export("vnet", shared.require_output("vnetId"))
        pulumi.export("key", shared.get_output("hubKey"))
        pulumi.export("missing", shared.get_output("nope"))

    return program


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_a_stack_reference_given_its_outputs_reads_them_in_both_modes_secrets_secret(mode):
    """As the engine's built-in provider reads another stack: ``get_output`` and
    ``require_output`` give its root outputs (applies run, in preview too), a secret output
    stays secret, a missing name is None."""
    seen: list[object] = []
    options = CaptureOptions(mode=OutputMode(mode), stack_references={"acme/net/shared": freeze(REFERENCED)})
    graph = cdcml.capture.program._capture(_project(), _config(), _referencing(seen), options, inline=True)
    assert seen == ["/subscriptions/s/vnet"]
    assert graph.outputs["vnet"] == "/subscriptions/s/vnet"
    assert graph.outputs["key"] == secret("hub-key-value")
    assert "missing" not in graph.outputs
    ref = next(r for r in graph.resources if r.type == "pulumi:pulumi:StackReference")
    assert ref.outputs["secretOutputNames"] == ("hubKey",) and ref.outputs["name"] == "acme/net/shared"
    assert graph.diagnostics == ()


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_a_stack_reference_with_an_undecryptable_secret_stays_unknown_and_says_why(mode):
    """A secret of the other stack that couldn't be decrypted (``[secret]``) can't be given
    to the program as if it were the value: the reference's outputs stay unknown."""
    seen: list[object] = []
    outputs = {**REFERENCED, "hubKey": secret(REDACTED), "spokeKey": {"nested": secret(REDACTED)}}
    options = CaptureOptions(mode=OutputMode(mode), stack_references={"acme/net/shared": freeze(outputs)})
    graph = cdcml.capture.program._capture(_project(), _config(), _referencing(seen), options, inline=True)
    assert seen == [] and is_unknown(graph.outputs["vnet"])
    assert graph.outputs["key"] == secret(UNKNOWN)
    ref = next(r for r in graph.resources if r.type == "pulumi:pulumi:StackReference")
    assert is_unknown(ref.outputs["outputs"]) and ref.outputs["secretOutputNames"] == ("hubKey", "spokeKey")
    assert graph.diagnostics == (
        "the outputs of urn:pulumi:stack::project::pulumi:pulumi:StackReference::acme/net/shared stay unknown: "
        "the secret output(s) hubKey, spokeKey of stack acme/net/shared are encrypted and can't be decrypted "
        "offline",
    )


def _project() -> Project:
    return Project(name="project", directory=Path.cwd(), runtime="python", main=Path.cwd())


def _config() -> StackConfig:
    return StackConfig(stack="stack", values={}, tags={"pulumi:project": "project"})
