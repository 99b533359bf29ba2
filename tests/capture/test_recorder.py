"""The recorder turns raw requests into records as the engine would see them, and all of
them into the graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture
from cdcml.capture.project import Project, StackConfig
from cdcml.capture.recorder import Recorder
from cdcml.errors import ProgramError
from cdcml.model.values import UNKNOWN
from tests.capture._programs import register_request, write_program

S = "urn:pulumi:dev::proj::"
STACK = S + "pulumi:pulumi:Stack::proj-dev"
DEFAULT = S + "pulumi:providers:azure-native::default_3_29_0"


def recorder(mode: str = "preview", config: dict[str, str] | None = None) -> Recorder:
    project = Project(name="proj", directory=Path("/nowhere"), runtime="python", main=Path("/nowhere"))
    stack_config = StackConfig(stack="dev", values=config or {}, tags={"pulumi:project": "proj"})
    return Recorder(project, stack_config, CaptureOptions(mode=OutputMode(mode)))


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


def test_a_duplicate_registration_is_refused_with_the_engine_message():
    rec = recorder()
    rec.register(register_request("a:b:C", "x"))
    with pytest.raises(RuntimeError, match=rf"^Duplicate resource URN '{S}a:b:C::x'; try giving it a unique name$"):
        rec.register(register_request("a:b:C", "x"))
    from pulumi.runtime.proto import resource_pb2

    with pytest.raises(RuntimeError, match="Duplicate resource URN"):
        rec.read(resource_pb2.ReadResourceRequest(id="i", type="a:b:C", name="x"))
    # The same name under another parent is another URN.
    rec.register(register_request("a:b:C", "x", parent=S + "p:q:R::parent"))


def test_a_custom_resource_gets_a_default_provider_registered_before_it():
    rec = recorder(config={"azure-native:location": "westeurope"})
    record = rec.register(
        register_request(
            "azure-native:resources:ResourceGroup", "rg", version="3.29.0", inputs={"resourceGroupName": "rg"}
        )
    )
    assert record.provider == f"{DEFAULT}::{UNKNOWN}"
    assert list(rec.records) == [DEFAULT, S + "azure-native:resources:ResourceGroup::rg"]
    assert rec.records[DEFAULT].inputs == {"location": "westeurope", "version": "3.29.0"}
    # Check ran: the location default is there.
    assert record.inputs == {"resourceGroupName": "rg", "location": "westeurope"}
    assert record.id == UNKNOWN and record.outputs["location"] == "westeurope"


def test_explicit_providers_components_and_providers_themselves_get_no_default_provider():
    rec = recorder()
    explicit = f"{S}pulumi:providers:azure-native::eu::id"
    assert rec.register(register_request("azure-native:resources:ResourceGroup", "rg", provider=explicit)).provider == (
        explicit
    )
    component = rec.register(register_request("test:index:Thing", "t", custom=False, inputs={"a": 1.0}))
    assert (component.provider, component.id, component.outputs) == ("", "", {})
    assert component.inputs == {"a": 1.0}
    provider = rec.register(register_request("pulumi:providers:azure-native", "eu", inputs={"location": "x"}))
    assert provider.provider == "" and provider.inputs == {"location": "x"}
    assert not any(urn.endswith("::default") or "::default_" in urn for urn in rec.records)


def test_the_root_stack_is_remembered_and_its_outputs_are_the_stack_outputs():
    rec = recorder("resolved")
    rec.register(register_request("pulumi:pulumi:Stack", "proj-dev", custom=False))
    assert rec.stack_urn == STACK
    rec.register_outputs(STACK, {"endpoint": "https://x"})
    assert rec.stack_outputs == {"endpoint": "https://x"}
    assert rec.records[STACK].outputs == {"endpoint": "https://x"}
    # A stack type under a parent is not the root.
    rec.register(register_request("pulumi:pulumi:Stack", "nested", custom=False, parent=STACK))
    assert rec.stack_urn == STACK


def test_registered_outputs_never_replace_a_custom_resource_outputs():
    rec = recorder("resolved")
    custom = rec.register(register_request("random:index:RandomString", "r", inputs={"length": 8.0}))
    rec.register_outputs(custom.urn, {"length": 1.0})
    assert rec.records[custom.urn].outputs == {"length": 8.0}
    rec.register_outputs(S + "not:registered:Yet::x", {"a": 1})  # ignored, as the engine does
    assert rec.stack_outputs == {}


def test_dependencies_and_property_dependencies_are_kept():
    from pulumi.runtime.proto import resource_pb2

    rec = recorder()
    request = register_request(
        "random:index:RandomString",
        "r",
        parent=S + "p:q:R::parent",
        dependencies=["urn:a", "urn:b"],
        propertyDependencies={"length": resource_pb2.RegisterResourceRequest.PropertyDependencies(urns=["urn:a"])},
    )
    record = rec.register(request)
    assert record.parent == S + "p:q:R::parent"
    assert record.dependencies == ["urn:a", "urn:b"]
    assert record.property_dependencies == {"length": ["urn:a"]}


def test_a_read_resource_is_external_with_its_given_id():
    from pulumi.runtime.proto import resource_pb2

    from cdcml.structs import to_struct

    rec = recorder("resolved")
    request = resource_pb2.ReadResourceRequest(
        id="/subscriptions/s/resourceGroups/existing",
        type="azure-native:resources:ResourceGroup",
        name="existing",
        version="3.29.0",
        additionalSecretOutputs=["tags"],
        properties=to_struct({"location": "westeurope", "tags": {"a": "b"}}),
    )
    record = rec.read(request)
    assert record.external and record.custom
    assert record.id == "/subscriptions/s/resourceGroups/existing"
    assert record.provider.startswith(DEFAULT + "::")
    assert record.options.additional_secret_outputs == ("tags",)
    assert record.outputs["location"] == "westeurope"
    assert record.outputs["tags"]["value"] == {"a": "b"}
    assert record.property_dependencies == {}


def test_diagnostics_are_listed_once_in_the_order_they_arose():
    rec = recorder("resolved")
    rec.invoke("x:y:getZ", {})
    rec.invoke("x:y:getZ", {})
    rec.diagnostics.append("program warning: w")
    graph = rec.graph()
    assert graph.diagnostics == (
        "no offline answer for invoke x:y:getZ: its result is unknown (answer it with --invokes FILE)",
        "program warning: w",
    )
    assert (graph.project, graph.stack, graph.source, graph.dry_run) == ("proj", "dev", "resolved", False)
    assert dict(graph.tags) == {"pulumi:project": "proj"}
