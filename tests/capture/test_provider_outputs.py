"""The ``provider_outputs`` hook: in resolved mode it answers for the provider — its id and
output-only values replace the emulated ones, the program's inputs stay, objects the
program set get the read-only keys the hook adds — and the program sees what it answered,
inside ``apply`` too. In preview, and without a hook, nothing changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture_program
from cdcml.capture.project import StackConfig
from cdcml.capture.provider import EmulatedProvider
from cdcml.errors import ProgramError
from cdcml.model.values import UNKNOWN, is_unknown, secret
from tests.capture.test_provider import ACCOUNT, record

INPUTS = {
    "resourceGroupName": "rg",
    "accountName": "acct1",
    "kind": "StorageV2",
    "sku": {"name": "Standard_LRS"},
    "identity": {"type": "SystemAssigned"},
    "networkRuleSet": {"defaultAction": "Deny", "ipRules": [{"iPAddressOrRange": "1.2.3.4"}]},
    "tags": secret({"owner": "me"}),
}


def provider_with(hook: Any, mode: str = "resolved") -> EmulatedProvider:
    options = CaptureOptions(mode=OutputMode(mode), provider_outputs=hook)
    return EmulatedProvider(StackConfig(stack="dev", values={}), options, [])


def test_the_hooks_id_and_output_only_values_replace_the_emulated_ones() -> None:
    calls: list[tuple[str, str, Mapping[str, Any]]] = []

    def hook(type_: str, name: str, inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        calls.append((type_, name, inputs))
        return {
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/other",
            "provisioningState": "Failed",
            "primaryEndpoints": {"blob": "https://acct1.blob.core.windows.net/"},
            "secondaryEndpoints": None,
        }

    provider = provider_with(hook)
    rec = record(inputs=INPUTS)
    rec.id = provider.id_for(rec)
    outputs = provider.outputs_for(rec)
    assert rec.id.endswith("/storageAccounts/other")
    assert outputs["provisioningState"] == "Failed"
    assert outputs["primaryEndpoints"] == {"blob": "https://acct1.blob.core.windows.net/"}
    assert outputs["secondaryEndpoints"] is None
    assert outputs["name"] == "acct1" and outputs["type"] == "Microsoft.Storage/storageAccounts"  # still emulated
    assert is_unknown(outputs["creationTime"])  # the hook said nothing: unknown as before
    assert len(calls) == 1 and calls[0][:2] == (ACCOUNT, "acct")  # asked once per resource
    assert calls[0][2]["accountName"] == "acct1"


def test_the_programs_inputs_stay_and_objects_it_set_get_the_keys_the_hook_adds() -> None:
    def hook(type_: str, name: str, inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        return {
            "kind": "BlobStorage",  # settable and set: the program's value stays
            "accessTier": "Cool",  # settable, left out by the program: ignored
            "sku": {"name": "Premium_LRS", "tier": "Standard"},
            "identity": {"principalId": "p-1", "tenantId": "t-1"},
            "networkRuleSet": {"ipRules": [{"action": "Allow"}]},
            "tags": {"extra": "x"},  # a secret of the program stays as it is
            "notAnOutput": 1,
        }

    outputs = provider_with(hook).outputs_for(record(inputs=INPUTS))
    assert outputs["kind"] == "StorageV2"
    assert "accessTier" not in outputs and "notAnOutput" not in outputs
    assert outputs["sku"] == {"name": "Standard_LRS", "tier": "Standard"}
    assert outputs["identity"] == {"type": "SystemAssigned", "principalId": "p-1", "tenantId": "t-1"}
    assert outputs["networkRuleSet"] == {
        "defaultAction": "Deny",
        "ipRules": [{"iPAddressOrRange": "1.2.3.4", "action": "Allow"}],
    }
    assert outputs["tags"] == INPUTS["tags"]


def test_a_list_of_another_length_is_the_programs() -> None:
    outputs = provider_with(lambda *_: {"networkRuleSet": {"ipRules": [{}, {"action": "Allow"}]}}).outputs_for(
        record(inputs=INPUTS)
    )
    assert outputs["networkRuleSet"]["ipRules"] == [{"iPAddressOrRange": "1.2.3.4"}]


def test_the_hook_is_not_asked_in_preview_nor_for_other_packages() -> None:
    def hook(*_: Any) -> Mapping[str, Any]:
        raise AssertionError("asked")

    preview = provider_with(hook, "preview")
    rec = record(inputs=INPUTS)
    assert preview.id_for(rec) == UNKNOWN
    assert is_unknown(preview.outputs_for(rec)["primaryEndpoints"])
    other = record("random:index:RandomString", {"length": 3}, urn="urn:pulumi:dev::proj::random:index:RandomString::r")
    assert provider_with(hook).outputs_for(other) == {"length": 3}


def _program(seen: dict[str, Any]) -> Any:
    def program() -> None:
        from pulumi_azure_native import storage

        account = storage.StorageAccount(
            "acct", resource_group_name="rg", kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS")
        )

        def blob(endpoints: Any) -> str:
            seen["endpoints"] = endpoints
            return str(endpoints.blob).rstrip("/")

        storage.BlobContainer(
            "c",
            account_name="acct",
            resource_group_name="rg",
            metadata=account.primary_endpoints.apply(lambda e: {"blob": blob(e)}),
            default_encryption_scope=account.access_tier.apply(lambda t: "none" if t is None else t),
        )

    return program


def test_the_program_sees_the_hooks_outputs_inside_apply() -> None:
    seen: dict[str, Any] = {}
    hook = {"primaryEndpoints": {"blob": "https://acct.blob.core.windows.net/"}}
    graph = capture_program(
        _program(seen), mode="resolved", provider_outputs=lambda t, *_: hook if "Account" in t else {}
    )
    container = next(r for r in graph if r.type == "azure-native:storage:BlobContainer")
    assert container.inputs["metadata"] == {"blob": "https://acct.blob.core.windows.net"}
    # A settable output the program left out resolves to None, as after `pulumi up`.
    assert container.inputs["defaultEncryptionScope"] == "none"
    assert seen["endpoints"].blob == "https://acct.blob.core.windows.net/"


def test_a_null_output_reaches_the_program_as_none() -> None:
    seen: dict[str, Any] = {}
    with pytest.raises(ProgramError, match="AttributeError: 'NoneType' object has no attribute 'blob'"):
        capture_program(_program(seen), mode="resolved", provider_outputs=lambda t, *_: {"primaryEndpoints": None})
    assert seen["endpoints"] is None


def test_without_a_hook_resolved_outputs_the_provider_cant_compute_stay_unknown() -> None:
    seen: dict[str, Any] = {}
    graph = capture_program(_program(seen), mode="resolved")
    container = next(r for r in graph if r.type == "azure-native:storage:BlobContainer")
    assert is_unknown(container.inputs["metadata"]) and "endpoints" not in seen
