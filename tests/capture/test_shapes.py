"""The shape rules of capture/shapes.py: inputs projected onto the SDK's output types, in
preview (azure-native's PreviewOutputs) and resolved mode."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cdcml.capture.sdk_types import SdkType, resource_type
from cdcml.capture.shapes import Shaper, resource_types
from cdcml.model.values import UNKNOWN, is_unknown, secret

ACCOUNT = "azure-native:storage:StorageAccount"
URN = "urn:pulumi:dev::p::azure-native:storage:StorageAccount::sa"
UAI = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u"


def shaped(inputs: dict[str, Any], *, preview: bool, token: str = ACCOUNT) -> tuple[dict[str, Any], list[str]]:
    found = resource_types(token)
    assert found is not None
    shaper = Shaper(preview, URN, tenant_id="t-1")
    return shaper.outputs(inputs, *found), shaper.notes


def prop_type(token: str, path: str) -> SdkType:
    """The output type at a dotted path of *token*'s outputs."""
    head, *rest = path.split(".")
    current = resource_type(token).outputs.properties[head].type
    for name in rest:
        assert current.object is not None
        current = current.object.properties[name].type
    return current


IDENTITY = {"type": "UserAssigned", "userAssignedIdentities": [UAI]}


def test_preview_user_assigned_identities_are_unknown_as_the_provider_answers_a_list_for_a_map() -> None:
    outputs, notes = shaped({"identity": IDENTITY}, preview=True)
    assert outputs["identity"]["type"] == "UserAssigned"
    assert is_unknown(outputs["identity"]["userAssignedIdentities"])
    assert notes == []


def test_resolved_user_assigned_identities_are_a_map_keyed_by_id_with_stable_guids() -> None:
    outputs, notes = shaped({"identity": IDENTITY}, preview=False)
    entry = outputs["identity"]["userAssignedIdentities"][UAI]
    assert set(entry) == {"principalId", "clientId"}
    assert entry["principalId"] == str(
        uuid.uuid5(uuid.NAMESPACE_OID, f"{URN}#identity.userAssignedIdentities.{UAI}.principalId")
    )
    assert entry["principalId"] != entry["clientId"]
    assert shaped({"identity": IDENTITY}, preview=False)[0] == outputs
    assert notes == []


def test_resolved_identity_ids_that_are_unknown_leave_the_map_unknown_and_say_so() -> None:
    outputs, notes = shaped({"identity": {"type": "UserAssigned", "userAssignedIdentities": [UNKNOWN]}}, preview=False)
    assert is_unknown(outputs["identity"]["userAssignedIdentities"])
    assert notes == [
        "identity.userAssignedIdentities (a list given, a map of an object (UserAssignedIdentityResponse) declared)"
    ]


def test_preview_marks_every_top_level_output_the_inputs_lack_unknown() -> None:
    outputs, _ = shaped({"kind": "StorageV2"}, preview=True)
    assert outputs["kind"] == "StorageV2"
    assert is_unknown(outputs["primaryEndpoints"]) and is_unknown(outputs["accessTier"])
    assert "resourceGroupName" not in outputs, "an input-only property is no output"


def test_preview_marks_nested_read_only_properties_unknown_and_leaves_nested_settings_out() -> None:
    outputs, _ = shaped({"sku": {"name": "Standard_LRS"}, "networkRuleSet": {"defaultAction": "Deny"}}, preview=True)
    assert outputs["sku"]["name"] == "Standard_LRS"
    assert is_unknown(outputs["sku"]["tier"]), "sku.tier is read-only: the provider fills it"
    assert outputs["networkRuleSet"] == {"defaultAction": "Deny"}, "ipRules, bypass … are settings left out"


def test_resolved_leaves_out_what_the_inputs_lack_and_keeps_what_they_give() -> None:
    outputs, notes = shaped({"sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}, preview=False)
    assert outputs == {"sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    assert notes == []


def test_nested_input_only_properties_are_dropped() -> None:
    shaper = Shaper(False, URN)
    sdk_type = SdkType("object", object=resource_type(ACCOUNT).outputs.properties["sku"].type.object)
    assert shaper.value({"name": "Standard_LRS", "notAnOutput": 1}, sdk_type, "sku") == {"name": "Standard_LRS"}


@pytest.mark.parametrize("preview", [True, False])
def test_a_value_of_another_shape_is_unknown_and_noted_only_when_resolved(preview: bool) -> None:
    shaper = Shaper(preview, URN)
    assert is_unknown(shaper.value({"a": 1}, SdkType("string"), "source"))
    assert is_unknown(shaper.value("x", SdkType("array", item=SdkType("string")), "list"))
    assert shaper.notes == (
        []
        if preview
        else ["source (an object given, a string declared)", "list (a string given, a list of a string declared)"]
    )


def test_resolved_a_string_of_digits_is_the_integer_azure_stores_and_unknown_in_preview() -> None:
    assert Shaper(False, URN).value("100", SdkType("integer"), "priority") == 100
    assert is_unknown(Shaper(True, URN).value("100", SdkType("integer"), "priority"))


def test_numbers_of_either_kind_are_kept_as_the_sdk_casts_them() -> None:
    shaper = Shaper(False, URN)
    assert shaper.value(2.0, SdkType("integer"), "n") == 2.0
    assert shaper.value(3, SdkType("number"), "n") == 3
    assert is_unknown(shaper.value(True, SdkType("number"), "n"))


def test_a_closed_enum_takes_only_its_members_an_open_one_any_string() -> None:
    from cdcml.capture.sdk_types import EnumType

    closed = SdkType("enum", enum=EnumType("E", ("A", "B"), open=False))
    opened = SdkType("enum", enum=EnumType("E", ("A", "B"), open=True))
    shaper = Shaper(False, URN)
    assert shaper.value("A", closed, "e") == "A"
    assert is_unknown(shaper.value("C", closed, "e"))
    assert shaper.value("C", opened, "e") == "C"


def test_secrets_stay_secret_around_their_shaped_value_and_unknowns_stay_unknown() -> None:
    shaper = Shaper(False, URN)
    sku = SdkType("object", object=resource_type(ACCOUNT).outputs.properties["sku"].type.object)
    assert shaper.value(secret({"name": "Standard_LRS", "x": 1}), sku, "sku") == secret({"name": "Standard_LRS"})
    assert is_unknown(shaper.value(UNKNOWN, sku, "sku"))
    assert shaper.value(None, sku, "sku") is None


def _union() -> SdkType:
    """Two datafactory linked-service output types, told apart by their ``type`` constant."""
    from pulumi_azure_native.datafactory import outputs

    from cdcml.capture.sdk_types import ObjectType

    members = (outputs.AzureBlobFSLinkedServiceResponse, outputs.AzureSqlDatabaseLinkedServiceResponse)
    return SdkType("union", members=tuple(SdkType("object", object=ObjectType(m.__name__, m, False)) for m in members))


def test_a_discriminated_union_is_projected_onto_the_member_its_constant_names() -> None:
    given = {"type": "AzureBlobFS", "url": "https://x", "notAnOutput": 1}
    assert Shaper(False, URN).value(given, _union(), "properties") == {"type": "AzureBlobFS", "url": "https://x"}


def test_a_union_value_no_member_claims_is_kept_as_given() -> None:
    given = {"type": "NoSuchKind", "a": 1}
    assert Shaper(False, URN).value(given, _union(), "properties") == given


def test_types_the_sdk_does_not_declare_have_no_shape() -> None:
    assert resource_types("random:index:RandomString") is None
    assert resource_types("azure-native:nosuch:Thing") is None
