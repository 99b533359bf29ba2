"""The monitor answers like the engine: raw requests are kept, invokes never crash,
lookups of registered resources work, and what needs a live provider fails clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcml.capture.invokes import InvokeAnswer, InvokeTable
from cdcml.capture.monitor import EngineLog, monitor_class
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture, capture_program
from cdcml.capture.project import Project, StackConfig
from cdcml.capture.recorder import Recorder
from cdcml.errors import ProgramError
from cdcml.model.values import UNKNOWN, is_unknown, secret
from cdcml.structs import from_struct, to_struct
from tests.capture._programs import register_request, write_program

S = "urn:pulumi:dev::proj::"


def monitor(mode: str = "preview", invokes: InvokeTable | None = None) -> object:
    project = Project(name="proj", directory=Path("/nowhere"), runtime="python", main=Path("/nowhere"))
    options = CaptureOptions(mode=OutputMode(mode), invokes=invokes or InvokeTable())
    return monitor_class()(Recorder(project, StackConfig(stack="dev", values={}), options))


def test_a_plain_invoke_without_an_answer_returns_none_fields_and_is_noted(tmp_path):
    """The plain form returns its result at once and can't carry an unknown: every field is
    None, and the diagnostic says so and names the token."""
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
        "no offline answer for invoke azure-native:keyvault:getVault: called in the plain form, which can't carry "
        "an unknown: every field of its result is None (answer it with --invokes FILE)",
    )


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_an_output_invoke_without_an_answer_is_unknown_and_so_is_everything_built_on_it(mode):
    """``list_storage_account_keys_output(...).keys[0].value`` is unknown, not a TypeError on
    None: the monitor answers ``unknown``, as the engine does for an invoke it can't serve
    yet; applies on it don't run, and the resource input it feeds is unknown."""
    ran: list[object] = []

    def program() -> None:
        import pulumi
        from pulumi_azure_native import storage

        keys = storage.list_storage_account_keys_output(account_name="acct", resource_group_name="rg")
        key = keys.keys[0].value
        key.apply(ran.append)
        storage.BlobContainer("c", account_name="acct", resource_group_name="rg", metadata={"k": key})
        pulumi.export("key", key)

    graph = capture_program(program, mode=mode)
    container = next(r for r in graph.resources if r.type == "azure-native:storage:BlobContainer")
    assert ran == []
    assert is_unknown(container.inputs["metadata"]["k"]) and is_unknown(graph.outputs["key"])
    assert (
        "no offline answer for invoke azure-native:storage:listStorageAccountKeys: its result is unknown "
        "(answer it with --invokes FILE)"
    ) in graph.diagnostics


def test_a_program_failing_after_an_unanswered_invoke_names_it_in_its_error():
    """The diagnostic is in the graph, which a failed program never gets: the one-line error
    carries it."""

    def program() -> None:
        from pulumi_azure_native import storage

        storage.list_storage_account_keys(account_name="acct", resource_group_name="rg").keys[0]

    with pytest.raises(ProgramError) as e:
        capture_program(program)
    assert str(e.value).endswith(
        "TypeError: 'NoneType' object is not subscriptable (no offline answer for invoke "
        "azure-native:storage:listStorageAccountKeys; answer it with --invokes FILE)"
    )


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_an_answer_given_for_an_invoke_is_its_result_in_both_forms_and_secrets_stay_secret(mode):
    """A user's answer (``--invokes``) matches on the token and a subset of the arguments; a
    secret result reaches the output form as a secret Output."""
    token = "azure-native:storage:listStorageAccountKeys"
    answers = (
        InvokeAnswer(token, {"keys": [{"value": "other"}]}, {"accountName": "x"}),
        InvokeAnswer(
            "azure-native:storage:listStorageAccountKeys",
            {"keys": [{"keyName": "key1", "value": "k3y-value", "permissions": "FULL"}]},
            {"accountName": "acct"},
            secret=True,
        ),
    )

    def program() -> None:
        import pulumi
        from pulumi_azure_native import storage

        args = {"account_name": "acct", "resource_group_name": "rg"}
        pulumi.export("output", storage.list_storage_account_keys_output(**args).keys[0].value)
        pulumi.export("plain", storage.list_storage_account_keys(**args).keys[0].value)

    graph = capture_program(program, mode=mode, invokes=InvokeTable(answers=answers))
    assert graph.outputs["output"] == secret("k3y-value")
    assert graph.outputs["plain"] == "k3y-value"  # the SDK's plain form drops secretness
    assert not [d for d in graph.diagnostics if "no offline answer" in d]


def test_an_answer_matches_on_its_token_and_every_argument_it_names():
    answer = InvokeAnswer("a:b:getC", {"x": 1}, {"name": "n", "count": 2, "on": True})
    assert answer.matches("a:b:getC", {"name": "n", "count": 2.0, "on": True, "extra": "e"})
    assert not answer.matches("a:b:getC", {"name": "n", "count": 2.0, "on": 1})
    assert not answer.matches("a:b:getC", {"name": "n", "count": 2.0})
    assert not answer.matches("a:b:getD", {"name": "n", "count": 2.0, "on": True})
    assert InvokeAnswer("a:b:getC", {}).matches("a:b:getC", {})
    assert InvokeAnswer.from_plain(answer.to_plain()) == answer


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
