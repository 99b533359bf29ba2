"""What the emulated azure-native provider answers: Check's auto-names and defaults, the
id, the outputs (unknown in preview, filled in resolved mode, never silently missing),
and the diagnostics where resolved mode can't know a value."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest

from cdcml.capture import azure
from cdcml.capture.invokes import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, InvokeTable
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture
from cdcml.capture.project import StackConfig
from cdcml.capture.provider import EmulatedProvider, _arm_name
from cdcml.capture.records import Record
from cdcml.model import ResourceOptions
from cdcml.model.values import UNKNOWN, is_secret, is_unknown, reveal, secret
from tests.capture._programs import write_program

ACCOUNT = "azure-native:storage:StorageAccount"
RG_TYPE = "azure-native:resources:ResourceGroup"
URN = "urn:pulumi:dev::proj::azure-native:storage:StorageAccount::acct"
RG = f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg"


def emulated(
    mode: str = "resolved", config: dict[str, str] | None = None, invokes: InvokeTable | None = None
) -> tuple[EmulatedProvider, list[str]]:
    diagnostics: list[str] = []
    options = CaptureOptions(mode=OutputMode(mode), invokes=invokes or InvokeTable())
    return EmulatedProvider(StackConfig(stack="dev", values=config or {}), options, diagnostics), diagnostics


def record(type_: str = ACCOUNT, inputs: dict[str, Any] | None = None, *, urn: str = URN, **fields: Any) -> Record:
    values: dict[str, Any] = {
        "urn": urn,
        "type": type_,
        "name": urn.rsplit("::", 1)[1],
        "custom": True,
        "id": "",
        "inputs": dict(inputs or {}),
        "outputs": {},
        "parent": "",
        "dependencies": [],
        "property_dependencies": {},
        "provider": "",
        "options": ResourceOptions(),
    }
    values.update(fields)
    return Record(**values)


# ---- Check


def test_check_auto_names_a_missing_or_null_name_input():
    provider, _ = emulated()
    expected = "acct" + hashlib.sha256(URN.encode()).hexdigest()[:8]
    assert provider.check(ACCOUNT, "acct", URN, {"kind": "StorageV2"}) == {"kind": "StorageV2", "accountName": expected}
    assert provider.check(ACCOUNT, "acct", URN, {"accountName": None})["accountName"] == expected


def test_check_keeps_a_name_the_program_gave():
    provider, _ = emulated()
    inputs = {"accountName": "given"}
    assert provider.check(ACCOUNT, "acct", URN, inputs) == {"accountName": "given"}
    assert inputs == {"accountName": "given"}


def test_check_leaves_other_packages_alone():
    provider, _ = emulated()
    inputs = {"x": 1}
    assert provider.check("random:index:RandomString", "r", "urn:x", inputs) is inputs


def test_check_defaults_a_resource_group_location_from_the_provider_config():
    provider, _ = emulated(config={"azure-native:location": "northeurope"})
    rg_urn = "urn:pulumi:dev::proj::azure-native:resources:ResourceGroup::rg"
    checked = provider.check(RG_TYPE, "rg", rg_urn, {"resourceGroupName": "rg"})
    assert checked == {"resourceGroupName": "rg", "location": "northeurope"}
    assert provider.check(RG_TYPE, "rg", rg_urn, {"resourceGroupName": "rg", "location": "westus"})["location"] == (
        "westus"
    )
    # Only resource groups get it, and only when a location is configured.
    assert "location" not in provider.check(ACCOUNT, "acct", URN, {"accountName": "a"})
    no_location, _ = emulated()
    assert "location" not in no_location.check(RG_TYPE, "rg", rg_urn, {"resourceGroupName": "rg"})


# ---- ids


def test_the_id_is_unknown_in_preview():
    provider, diagnostics = emulated("preview")
    assert provider.id_for(record(inputs={"resourceGroupName": "rg", "accountName": "a"})) == UNKNOWN
    assert diagnostics == []


def test_the_resolved_id_is_the_arm_id_under_the_subscription():
    provider, diagnostics = emulated()
    rec = record(inputs={"resourceGroupName": "rg", "accountName": secret("acct1")})
    assert provider.id_for(rec) == f"{RG}/providers/Microsoft.Storage/storageAccounts/acct1"
    assert diagnostics == []


def test_the_configured_subscription_wins_over_the_client_config():
    provider, _ = emulated(config={"azure-native:subscriptionId": "sub-from-config"})
    assert provider.subscription_id() == "sub-from-config"
    rec = record(inputs={"resourceGroupName": "rg", "accountName": "a"})
    assert provider.id_for(rec).startswith("/subscriptions/sub-from-config/resourceGroups/rg/")
    from_invokes, _ = emulated(invokes=InvokeTable(subscription_id="sub-from-invokes"))
    assert from_invokes.subscription_id() == "sub-from-invokes"


def test_an_arm_id_that_needs_an_unknown_input_stays_unknown_and_is_noted():
    provider, diagnostics = emulated()
    rec = record(inputs={"resourceGroupName": UNKNOWN, "accountName": "a"})
    assert provider.id_for(rec) == UNKNOWN
    assert diagnostics == [f"resolved mode: the ARM id of {URN} depends on inputs that aren't known; it stays unknown"]


def test_types_without_an_arm_path_get_a_stable_uuid():
    provider, diagnostics = emulated()
    web = "urn:pulumi:dev::proj::azure-native:web:WebApp::app"
    assert provider.id_for(record("azure-native:web:WebApp", urn=web)) == str(uuid.uuid5(uuid.NAMESPACE_URL, web))
    other = "urn:pulumi:dev::proj::random:index:RandomString::r"
    assert provider.id_for(record("random:index:RandomString", urn=other)) == str(uuid.uuid5(uuid.NAMESPACE_URL, other))
    assert diagnostics == []


# ---- outputs


def test_provider_and_foreign_resources_echo_their_inputs():
    provider, _ = emulated("preview")
    rec = record("pulumi:providers:azure-native", {"location": "westeurope", "version": "3.0.0"})
    assert provider.outputs_for(rec) == {"location": "westeurope", "version": "3.0.0"}
    assert provider.outputs_for(rec) is not rec.inputs
    assert provider.outputs_for(record("random:index:RandomString", {"length": 8.0})) == {"length": 8.0}


def test_preview_outputs_are_every_output_name_with_unknown_where_not_an_input():
    provider, _ = emulated("preview")
    outputs = provider.outputs_for(record(inputs={"accountName": "a", "kind": "StorageV2", "resourceGroupName": "rg"}))
    assert list(outputs) == sorted(azure.output_names(ACCOUNT))
    assert outputs["kind"] == "StorageV2"
    assert outputs["name"] == UNKNOWN and outputs["primaryEndpoints"] == UNKNOWN
    assert "resourceGroupName" not in outputs and "accountName" not in outputs


def test_resolved_outputs_are_filled_as_the_provider_fills_them():
    provider, _ = emulated()
    inputs = {"accountName": "acct1", "kind": "StorageV2", "identity": {"type": "SystemAssigned"}}
    outputs = provider.outputs_for(record(inputs=inputs))
    assert list(outputs) == sorted(outputs)
    assert outputs["name"] == "acct1"
    assert outputs["type"] == "Microsoft.Storage/storageAccounts"
    assert outputs["azureApiVersion"] == azure.api_version(ACCOUNT)
    assert outputs["provisioningState"] == "Succeeded"
    assert outputs["kind"] == "StorageV2"
    assert outputs["identity"] == {
        "type": "SystemAssigned",
        "principalId": str(uuid.uuid5(uuid.NAMESPACE_OID, URN)),
        "tenantId": DEFAULT_TENANT_ID,
    }
    # Output-only values cdcml can't compute stay unknown; unset inputs stay unset.
    assert outputs["primaryEndpoints"] == UNKNOWN
    assert "accessTier" not in outputs and "minimumTlsVersion" not in outputs


def test_resolved_names_fall_back_to_the_name_input_then_the_logical_name():
    provider, _ = emulated()
    web = "urn:pulumi:dev::proj::azure-native:web:WebApp::app"
    assert provider.outputs_for(record("azure-native:web:WebApp", {"name": "site"}, urn=web))["name"] == "site"
    vault = "urn:pulumi:dev::proj::azure-native:keyvault:Vault::kv"
    assert provider.outputs_for(record("azure-native:keyvault:Vault", {}, urn=vault))["name"] == "kv"


def test_resolved_identities_only_get_a_principal_when_system_assigned():
    provider, _ = emulated(invokes=InvokeTable(tenant_id="tenant-x"))
    user = {"type": "UserAssigned", "userAssignedIdentities": {"/id": {}}}
    assert provider.outputs_for(record(inputs={"identity": user}))["identity"] == user
    both = provider.outputs_for(record(inputs={"identity": secret({"type": "SystemAssigned,UserAssigned"})}))
    assert is_secret(both["identity"]) and reveal(both["identity"])["tenantId"] == "tenant-x", "still secret"
    kept = {"type": "SystemAssigned", "principalId": "p", "tenantId": "t"}
    assert provider.outputs_for(record(inputs={"identity": kept}))["identity"] == kept


@pytest.mark.parametrize(
    ("type_", "key"), [("azure-native:storage:BlobContainer", "etag"), ("azure-native:datafactory:Factory", "eTag")]
)
def test_resolved_etags_derive_from_the_urn_whichever_way_the_type_spells_them(type_, key):
    provider, _ = emulated()
    urn = f"urn:pulumi:dev::proj::{type_}::x"
    outputs = provider.outputs_for(record(type_, {}, urn=urn))
    assert outputs[key] == 'W/"' + hashlib.sha256(urn.encode()).hexdigest()[:16] + '"'


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_additional_secret_outputs_are_made_secret_once(mode):
    provider, _ = emulated(mode)
    rec = record(
        inputs={"kind": "StorageV2", "tags": secret({"a": "b"})},
        options=ResourceOptions(additional_secret_outputs=("kind", "tags", "notAnOutput")),
    )
    outputs = provider.outputs_for(rec)
    assert outputs["kind"] == secret("StorageV2")
    assert outputs["tags"] == secret({"a": "b"})
    assert "notAnOutput" not in outputs


# ---- the answer to the SDK


def test_components_get_no_outputs_back():
    provider, _ = emulated()
    assert provider.response(record("cdcml:stacks:Landing", {"a": 1}, custom=False, outputs={"a": 1})) == ({}, False)


def test_preview_sends_only_known_outputs_and_the_rest_is_unknown_by_omission():
    provider, _ = emulated("preview")
    rec = record(outputs={"name": "a", "primaryEndpoints": UNKNOWN})
    assert provider.response(rec) == ({"name": "a"}, False)


def test_resolved_sends_unknown_outputs_as_unknown_so_the_sdk_never_reads_an_input_in_their_place():
    """Left out, an output is read from the program's input by the SDK (after ``pulumi
    up``), in the input's shape: a list of identity ids where a map is declared."""
    provider, _ = emulated("resolved")
    rec = record(outputs={"name": "a", "identity": UNKNOWN}, inputs={"identity": {"userAssignedIdentities": ["x"]}})
    assert provider.response(rec) == ({"name": "a", "identity": UNKNOWN}, True)


# ---- unknown inputs in resolved mode


def test_unknown_inputs_are_noted_in_resolved_mode_only():
    rec = record(
        inputs={"metadata": {"endpoint": UNKNOWN}, "kind": "StorageV2", "tags": [UNKNOWN]},
        property_dependencies={"metadata": ["urn:a", "urn:b"]},
    )
    preview, preview_diagnostics = emulated("preview")
    preview.note_unknown_inputs(rec)
    assert preview_diagnostics == []
    resolved, diagnostics = emulated()
    resolved.note_unknown_inputs(rec)
    assert diagnostics == [
        f"resolved mode: input 'metadata' of {URN} is unknown because an output it uses can't be computed "
        "offline (it depends on urn:a, urn:b)",
        f"resolved mode: input 'tags' of {URN} is unknown because an output it uses can't be computed offline",
    ]


def test_the_root_stack_has_no_unknown_inputs_to_note():
    provider, diagnostics = emulated()
    provider.note_unknown_inputs(record("pulumi:pulumi:Stack", {"x": UNKNOWN}))
    assert diagnostics == []


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


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_a_read_resource_is_named_by_its_arm_id_not_by_the_programs_name_for_it(tmp_path, mode):
    """``StorageAccount.get("shared", id=…/storageAccounts/stshared)``: the provider reads the
    account by its id, so its ``name`` output (and a container's ``accountName`` built from
    it) is ``stshared``, in both modes; a non-ARM id leaves the name alone."""
    write_program(
        tmp_path,
        f"""\
        from pulumi_azure_native import storage
        acct = storage.StorageAccount.get(
            "shared", "{RG}/providers/Microsoft.Storage/storageAccounts/stshared")
        storage.BlobContainer("raw", account_name=acct.name, resource_group_name="rg")
        """,
    )
    graph = capture(tmp_path, "dev", mode=mode)
    (shared,) = [r for r in graph.resources if r.name == "shared"]
    (raw,) = [r for r in graph.resources if r.name == "raw"]
    assert shared.outputs["name"] == "stshared" and raw.inputs["accountName"] == "stshared"
    assert _arm_name("not-an-arm-id") == "" and _arm_name(None) == ""


# ---- what mutation testing showed unpinned


def test_preview_shapes_nested_outputs_as_the_provider_does():
    """Preview: a nested read-only output is unknown (``sku.tier``, an identity's
    principal), and identity ids given as a list where a map is declared are unknown —
    the provider's PreviewOutputs, not the inputs echoed."""
    provider, _ = emulated("preview")
    identity = {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": ["/id"]}
    outputs = provider.outputs_for(record(inputs={"sku": {"name": "Standard_LRS"}, "identity": identity}))
    assert outputs["sku"] == {"name": "Standard_LRS", "tier": UNKNOWN}
    assert outputs["identity"]["type"] == "SystemAssigned,UserAssigned"
    assert is_unknown(outputs["identity"]["userAssignedIdentities"]) and is_unknown(outputs["identity"]["principalId"])


def test_preview_ignores_a_provider_outputs_hook_and_sends_only_known_outputs():
    """The hook is for resolved mode: in preview it is never asked and the answer to the
    SDK is what it would be without it."""
    asked: list[str] = []

    def hook(type_: str, name: str, inputs: Any) -> dict[str, Any]:
        asked.append(name)
        return {"id": "/hooked", "primaryEndpoints": {"blob": "https://x"}}

    diagnostics: list[str] = []
    options = CaptureOptions(mode=OutputMode.PREVIEW, provider_outputs=hook)
    provider = EmulatedProvider(StackConfig(stack="dev", values={}), options, diagnostics)
    rec = record(inputs={"accountName": "a"})
    assert provider.id_for(rec) == UNKNOWN
    rec = record(inputs={"accountName": "a"}, outputs=provider.outputs_for(rec))
    assert provider.response(rec) == ({}, False) and asked == []


@pytest.mark.parametrize("answer", [{"id": ""}, {"id": None}, {"id": 7}, {}])
def test_a_hook_without_a_usable_id_leaves_the_emulated_arm_id(answer):
    options = CaptureOptions(mode=OutputMode.RESOLVED, provider_outputs=lambda *_: answer)
    provider = EmulatedProvider(StackConfig(stack="dev", values={}), options, [])
    inputs = {"accountName": "acct1", "resourceGroupName": "rg"}
    assert provider.id_for(record(inputs=inputs)) == f"{RG}/providers/Microsoft.Storage/storageAccounts/acct1"


def test_a_hooks_answer_is_merged_into_the_shaped_value_not_the_programs_input():
    """Identity ids given as a list come out as the map keyed by them; the hook's
    principal for an entry is added to that map (the list the program gave would be the
    wrong shape for the SDK)."""
    uai = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u"
    added = {"userAssignedIdentities": {uai: {"principalId": "p-1", "clientId": "c-1"}}}
    options = CaptureOptions(mode=OutputMode.RESOLVED, provider_outputs=lambda *_: {"identity": added})
    provider = EmulatedProvider(StackConfig(stack="dev", values={}), options, [])
    identity = {"type": "UserAssigned", "userAssignedIdentities": [uai]}
    outputs = provider.outputs_for(record(inputs={"identity": identity}))
    assert outputs["identity"]["userAssignedIdentities"] == {uai: {"principalId": "p-1", "clientId": "c-1"}}


@pytest.mark.parametrize(
    ("answer", "principal"),
    [({}, str(uuid.uuid5(uuid.NAMESPACE_OID, URN))), ({"identity": {"principalId": "from-hook"}}, "from-hook")],
)
def test_under_a_hook_a_system_assigned_identity_still_has_its_principal_and_tenant(
    answer: dict[str, Any], principal: str
) -> None:
    """Azure always returns a system-assigned identity's principal and tenant: a hook that
    leaves them out gets cdcml's (programs wire role assignments from them after create);
    one that answers them wins. A secret identity stays secret."""
    options = CaptureOptions(mode=OutputMode.RESOLVED, provider_outputs=lambda *_: answer)
    provider = EmulatedProvider(StackConfig(stack="dev", values={}), options, [])
    outputs = provider.outputs_for(record(inputs={"identity": {"type": "SystemAssigned"}}))
    assert outputs["identity"]["principalId"] == principal
    assert outputs["identity"]["tenantId"] == DEFAULT_TENANT_ID
    hidden = provider.outputs_for(record(inputs={"identity": secret({"type": "SystemAssigned"})}, urn=URN + "2"))
    assert is_secret(hidden["identity"]) and "principalId" in reveal(hidden["identity"])
    user = provider.outputs_for(record(inputs={"identity": {"type": "UserAssigned"}}, urn=URN + "3"))
    assert user["identity"].get("principalId") == answer.get("identity", {}).get("principalId")


@pytest.mark.parametrize("name", ["stshared", "STSHAREDX"])
@pytest.mark.parametrize("suffix", ["", "/"])
def test_the_name_in_an_arm_id_is_its_last_segment_a_trailing_slash_aside(name, suffix):
    arm = f"{RG}/providers/Microsoft.Storage/storageAccounts/{name}"
    assert _arm_name(arm + suffix) == name
