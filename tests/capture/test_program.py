"""Capture: errors are one line at the program's own file:line, captures are isolated,
invokes never crash, resolved mode never loses an input silently."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cdcml.capture.invokes import InvokeTable
from cdcml.capture.program import capture, capture_program
from cdcml.errors import ProgramError, ProjectError
from cdcml.model.values import UNKNOWN, is_unknown

PROJECT_YAML = "name: prog\nruntime: python\n"


def write_program(tmp_path: Path, body: str, stack_config: str = "config: {}\n") -> Path:
    (tmp_path / "Pulumi.yaml").write_text(PROJECT_YAML)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_config)
    (tmp_path / "__main__.py").write_text(textwrap.dedent(body))
    return tmp_path


def test_a_program_that_raises_names_its_own_file_and_line(tmp_path):
    write_program(
        tmp_path,
        """\
        import pulumi
        from pulumi_azure_native import resources

        resources.ResourceGroup("rg")
        raise ValueError("the landing zone needs a name")
    """,
    )
    with pytest.raises(ProgramError) as err:
        capture(tmp_path, "dev")
    assert err.value.message == "program prog failed at __main__.py:5: ValueError: the landing zone needs a name"


def test_a_class_the_installed_sdk_lacks_is_reported_at_its_line(tmp_path):
    write_program(
        tmp_path,
        """\
        from pulumi_azure_native import datafactory

        policy = datafactory.ChangeDataCapturePolicyArgs(mode="Microbatch")
    """,
    )
    with pytest.raises(ProgramError) as err:
        capture(tmp_path, "dev")
    msg = err.value.message
    assert msg.startswith("program prog failed at __main__.py:3: AttributeError:")
    assert "ChangeDataCapturePolicyArgs" in msg and "\n" not in msg


def test_an_import_failure_is_reported_at_its_line(tmp_path):
    write_program(tmp_path, "import pulumi\nimport no_such_module_anywhere\n")
    with pytest.raises(ProgramError, match=r"__main__\.py:2: ModuleNotFoundError: No module named"):
        capture(tmp_path, "dev")


def test_a_syntax_error_is_reported_at_its_line(tmp_path):
    write_program(tmp_path, "import pulumi\ndef broken(:\n")
    with pytest.raises(ProgramError, match=r"__main__\.py:2: SyntaxError"):
        capture(tmp_path, "dev")


def test_missing_required_config_is_one_line(tmp_path):
    write_program(tmp_path, "import pulumi\npulumi.Config().require('region')\n")
    with pytest.raises(ProgramError) as err:
        capture(tmp_path, "dev")
    assert "Missing required configuration variable 'prog:region'" in err.value.message
    assert "\n" not in err.value.message


def test_a_logged_error_fails_the_capture(tmp_path):
    write_program(tmp_path, "import pulumi\npulumi.log.error('quota exceeded')\n")
    with pytest.raises(ProgramError, match="the program logged an error: quota exceeded"):
        capture(tmp_path, "dev")


def test_duplicate_urns_are_refused(tmp_path):
    write_program(
        tmp_path,
        """\
        from pulumi_azure_native import resources
        resources.ResourceGroup("rg")
        resources.ResourceGroup("rg")
    """,
    )
    with pytest.raises(ProgramError, match="Duplicate resource URN"):
        capture(tmp_path, "dev")


def test_unknown_stack_lists_the_stacks_there_are(tmp_path):
    write_program(tmp_path, "import pulumi\n")
    with pytest.raises(ProjectError, match=r"unknown stack 'prod'.*\(stacks: dev\)"):
        capture(tmp_path, "prod")


def test_an_invoke_without_an_answer_returns_empty_and_is_noted(tmp_path):
    write_program(
        tmp_path,
        """\
        import pulumi
        from pulumi_azure_native import keyvault
        vault = keyvault.get_vault(resource_group_name="rg", vault_name="kv")
        pulumi.export("uri", vault.properties)
    """,
    )
    graph = capture(tmp_path, "dev", mode="resolved")
    assert graph.outputs.get("uri") is None
    assert graph.diagnostics == (
        "invoke azure-native:keyvault:getVault has no offline answer; it returned an empty result",
    )


def test_the_invoke_table_is_pluggable(tmp_path):
    write_program(
        tmp_path,
        """\
        import pulumi
        from pulumi_azure_native import authorization
        pulumi.export("sub", authorization.get_client_config().subscription_id)
    """,
    )
    table = InvokeTable(subscription_id="11111111-2222-3333-4444-555555555555")
    graph = capture(tmp_path, "dev", mode="resolved", invokes=table)
    assert graph.outputs["sub"] == "11111111-2222-3333-4444-555555555555"


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


def test_an_uncomputable_output_makes_dependents_unknown_not_missing(tmp_path):
    write_program(
        tmp_path,
        """\
        from pulumi_azure_native import resources, storage
        rg = resources.ResourceGroup("rg")
        account = storage.StorageAccount("sa", resource_group_name=rg.name, kind="StorageV2",
                                         sku=storage.SkuArgs(name="Standard_LRS"))
        storage.BlobContainer("c", resource_group_name=rg.name, account_name=account.name,
                              metadata={"endpoint": account.primary_endpoints.blob})
    """,
    )
    graph = capture(tmp_path, "dev", mode="resolved")
    container = next(r for r in graph if r.type == "azure-native:storage:BlobContainer")
    assert container.inputs["metadata"] == {"endpoint": UNKNOWN}
    account_urn = next(r.urn for r in graph if r.type == "azure-native:storage:StorageAccount")
    assert account_urn in container.dependencies
    assert any("input 'metadata'" in d and "can't be computed offline" in d for d in graph.diagnostics)
    assert not is_unknown(container.inputs["accountName"])


def test_inline_programs_capture_like_project_programs():
    def program() -> None:
        from pulumi_azure_native import resources

        resources.ResourceGroup("rg", location="northeurope")

    graph = capture_program(program, project="inline", stack="ci", mode="resolved")
    rg = next(r for r in graph if r.type == "azure-native:resources:ResourceGroup")
    assert rg.urn == "urn:pulumi:ci::inline::azure-native:resources:ResourceGroup::rg"
    assert rg.outputs["location"] == "northeurope"
    assert rg.id.startswith("/subscriptions/")


def test_an_inline_program_error_is_one_line():
    def program() -> None:
        raise RuntimeError("boom")

    with pytest.raises(ProgramError, match=r"^the program failed at .*test_program\.py:\d+: RuntimeError: boom$"):
        capture_program(program)


def test_resource_order_is_the_declaration_order_on_every_run():
    """Registrations arrive in an order the SDK's scheduling varies; the graph lists them
    in the program's declaration order (deterministic, and topological)."""
    root = Path(__file__).resolve().parents[2]
    orders = set()
    for _ in range(3):
        graph = capture(root, "fanin")
        seen: set[str] = set()
        for r in graph:
            provider = r.provider.rsplit("::", 1)[0] if r.provider else ""
            for needed in (*r.dependencies, r.parent, provider):
                assert not needed or needed in seen, f"{r.urn} comes before {needed}"
            seen.add(r.urn)
        orders.add(tuple(r.urn for r in graph))
    assert len(orders) == 1
