"""The monitor answers like the engine: raw requests are kept, invokes never crash,
lookups of registered resources work, and what needs a live provider fails clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcml.capture.invokes import InvokeTable
from cdcml.capture.monitor import EngineLog, monitor_class
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture, capture_program
from cdcml.capture.project import Project, StackConfig
from cdcml.capture.recorder import Recorder
from cdcml.model.values import UNKNOWN, secret
from cdcml.structs import from_struct, to_struct
from tests.capture._programs import register_request, write_program

S = "urn:pulumi:dev::proj::"


def monitor(mode: str = "preview", invokes: InvokeTable | None = None) -> object:
    project = Project(name="proj", directory=Path("/nowhere"), runtime="python", main=Path("/nowhere"))
    options = CaptureOptions(mode=OutputMode(mode), invokes=invokes or InvokeTable())
    return monitor_class()(Recorder(project, StackConfig(stack="dev", values={}), options))


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


def test_invoke_arguments_reach_the_handler_as_plain_values():
    from pulumi.runtime.proto import resource_pb2

    seen = []
    table = InvokeTable().register("x:y:getZ", lambda args: seen.append(dict(args)) or {"n": 1})
    request = resource_pb2.ResourceInvokeRequest(tok="x:y:getZ", args=to_struct({"key": secret("k"), "n": 2}))
    response = monitor(invokes=table).Invoke(request)
    assert seen == [{"key": "k", "n": 2.0}]
    assert from_struct(getattr(response, "return")) == {"n": 1.0}


def test_get_resource_answers_for_registered_resources_only():
    from pulumi.runtime.proto import resource_pb2

    m = monitor("resolved")
    registered = m.RegisterResource(register_request("random:index:RandomString", "r", inputs={"length": 8.0}))
    get_resource = "pulumi:pulumi:getResource"
    request = resource_pb2.ResourceInvokeRequest(tok=get_resource, args=to_struct({"urn": registered.urn}))
    answer = from_struct(getattr(m.Invoke(request), "return"))
    assert answer == {"urn": registered.urn, "id": registered.id, "state": {"length": 8.0}}
    missing = resource_pb2.ResourceInvokeRequest(tok=get_resource, args=to_struct({"urn": "urn:nope"}))
    with pytest.raises(RuntimeError, match="unknown resource urn:nope"):
        m.Invoke(missing)


def test_register_resource_answers_ids_and_known_outputs_only():
    preview = monitor("preview").RegisterResource(
        register_request("azure-native:resources:ResourceGroup", "rg", inputs={"location": "westeurope"})
    )
    assert preview.urn == S + "azure-native:resources:ResourceGroup::rg"
    assert preview.id == ""  # unknown in preview
    assert not preview.unknown
    assert UNKNOWN not in from_struct(preview.object).values()
    assert from_struct(preview.object)["location"] == "westeurope"
    resolved = monitor("resolved").RegisterResource(
        register_request("azure-native:resources:ResourceGroup", "rg", inputs={"location": "westeurope"})
    )
    assert resolved.id.startswith("/subscriptions/") and resolved.unknown


def test_a_component_gets_an_empty_answer():
    answer = monitor("resolved").RegisterResource(register_request("test:index:Thing", "t", custom=False))
    assert (answer.id, from_struct(answer.object), answer.unknown) == ("", {}, False)


def test_output_values_stay_disabled_and_other_features_are_supported():
    from pulumi.runtime.proto import resource_pb2

    m = monitor()
    assert not m.SupportsFeature(resource_pb2.SupportsFeatureRequest(id="outputValues")).hasSupport
    assert m.SupportsFeature(resource_pb2.SupportsFeatureRequest(id="resourceReferences")).hasSupport


def test_method_calls_need_a_provider_that_cannot_run_offline():
    from pulumi.runtime.proto import resource_pb2

    with pytest.raises(RuntimeError, match=r"^method call x:y:Z/method on a component needs its provider"):
        monitor().Call(resource_pb2.ResourceCallRequest(tok="x:y:Z/method"))


def test_the_engine_log_keeps_errors_and_warnings():
    from pulumi.runtime.proto import engine_pb2

    log = EngineLog()
    for severity, message in [
        (engine_pb2.ERROR, " quota exceeded \n"),
        (engine_pb2.WARNING, "deprecated"),
        (engine_pb2.INFO, "hello"),
        (engine_pb2.DEBUG, "details"),
    ]:
        log.Log(engine_pb2.LogRequest(severity=severity, message=message))
    assert (log.errors, log.warnings) == (["quota exceeded"], ["deprecated"])


def test_program_warnings_become_diagnostics():
    def program() -> None:
        import pulumi

        pulumi.log.warn("first line\nsecond line")

    assert capture_program(program).diagnostics == ("program warning: first line",)
