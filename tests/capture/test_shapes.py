"""The shape rules of capture/shapes.py: inputs projected onto the SDK's output types, in
preview (azure-native's PreviewOutputs) and resolved mode."""

from __future__ import annotations

import functools
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


def test_resolved_leaves_out_what_the_inputs_lack_keeps_what_they_give_and_fills_nested_read_only() -> None:
    """A top-level output is the provider's to fill; ``sku.tier``, read-only, is the
    prefix of the sku's name, as Azure fills it."""
    outputs, notes = shaped({"sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}, preview=False)
    assert outputs == {"sku": {"name": "Standard_LRS", "tier": "Standard"}, "kind": "StorageV2"}
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


# ---- what the mutation run of shapes.py showed unpinned


def test_resolved_an_unknown_of_any_declared_shape_stays_unknown_without_a_note() -> None:
    shaper = Shaper(False, URN)
    sku = prop_type(ACCOUNT, "sku")
    assert is_unknown(shaper.value(UNKNOWN, sku, "sku"))
    assert is_unknown(shaper.value(UNKNOWN, SdkType("integer"), "n"))
    assert shaper.notes == [], "an unknown is no mismatch: the capture knows why it is unknown"


def test_resolved_a_secret_of_the_wrong_shape_is_plain_unknown_and_noted_at_its_path() -> None:
    shaper = Shaper(False, URN)
    shaped_value = shaper.value(secret({"a": 1}), SdkType("string"), "source")
    assert is_unknown(shaped_value), "an unknown is not wrapped as a secret"
    assert shaper.notes == ["source (an object given, a string declared)"]


def test_preview_a_secret_object_keeps_its_read_only_properties_unknown_inside_the_secret() -> None:
    outputs, _ = shaped({"sku": secret({"name": "Standard_LRS"})}, preview=True)
    assert outputs["sku"] == secret({"name": "Standard_LRS", "tier": UNKNOWN})


def test_resolved_a_list_of_objects_is_projected_element_by_element() -> None:
    rules = [{"iPAddressOrRange": "1.2.3.4", "action": "Allow", "notAnOutput": 1}, {"iPAddressOrRange": "5.6.7.8"}]
    outputs, notes = shaped({"networkRuleSet": {"defaultAction": "Deny", "ipRules": rules}}, preview=False)
    assert outputs["networkRuleSet"]["ipRules"] == [
        {"iPAddressOrRange": "1.2.3.4", "action": "Allow"},
        {"iPAddressOrRange": "5.6.7.8"},
    ]
    assert notes == []


def test_resolved_a_list_element_of_the_wrong_shape_is_unknown_and_noted_by_its_index() -> None:
    rules = [{"iPAddressOrRange": "1.2.3.4"}, {"iPAddressOrRange": 5}]
    outputs, notes = shaped({"networkRuleSet": {"ipRules": rules}}, preview=False)
    assert outputs["networkRuleSet"]["ipRules"][0] == {"iPAddressOrRange": "1.2.3.4"}
    assert is_unknown(outputs["networkRuleSet"]["ipRules"][1]["iPAddressOrRange"])
    assert notes == ["networkRuleSet.ipRules[1].iPAddressOrRange (a number given, a string declared)"]


def test_preview_read_only_properties_of_list_elements_are_unknown() -> None:
    """A virtual network's subnets: ``purpose`` is read-only (not in SubnetArgs),
    ``natGateway`` a setting the program left out."""
    subnet = {"name": "a", "addressPrefix": "10.0.0.0/24"}
    outputs, _ = shaped({"subnets": [subnet]}, preview=True, token="azure-native:network:VirtualNetwork")
    (shaped_subnet,) = outputs["subnets"]
    assert shaped_subnet["addressPrefix"] == "10.0.0.0/24"
    assert is_unknown(shaped_subnet["purpose"]) and is_unknown(shaped_subnet["ipConfigurations"])
    assert "natGateway" not in shaped_subnet


def test_resolved_an_object_where_a_list_is_declared_is_unknown_and_noted() -> None:
    outputs, notes = shaped({"networkRuleSet": {"ipRules": {"iPAddressOrRange": "1.2.3.4"}}}, preview=False)
    assert is_unknown(outputs["networkRuleSet"]["ipRules"])
    assert notes == ["networkRuleSet.ipRules (an object given, a list of an object (IPRuleResponse) declared)"]


def test_resolved_a_string_where_an_object_is_declared_is_unknown_and_noted() -> None:
    outputs, notes = shaped({"sku": "Standard_LRS"}, preview=False)
    assert is_unknown(outputs["sku"])
    assert notes == [f"sku (a string given, {prop_type(ACCOUNT, 'sku').describe()} declared)"]


HDINSIGHT = "azure-native:hdinsight:Cluster"


def test_map_values_are_projected_one_by_one_and_noted_by_key() -> None:
    outputs, notes = shaped({"tags": {"env": "dev", "cost": 5}}, preview=False)
    assert outputs["tags"]["env"] == "dev"
    assert is_unknown(outputs["tags"]["cost"])
    assert notes == ["tags.cost (a number given, a string declared)"]
    shaper = Shaper(False, URN)
    counts = SdkType("map", item=SdkType("integer"))
    assert shaper.value({"a": "3"}, counts, "counts") == {"a": 3}, "each value is shaped as the item type"


def test_identities_given_as_a_map_keep_their_keys_read_only_entries_unknown_in_preview() -> None:
    """hdinsight takes ``userAssignedIdentities`` as a map of id → {tenantId} and answers a
    map of id → {principalId, clientId, tenantId}: the first two read-only, filled with
    stable GUIDs when resolved."""
    identity = {"type": "UserAssigned", "userAssignedIdentities": {UAI: {"notAnOutput": 1}}}
    preview, _ = shaped({"identity": identity}, preview=True, token=HDINSIGHT)
    entry = preview["identity"]["userAssignedIdentities"][UAI]
    assert set(entry) == {"principalId", "clientId"}, "tenantId is a setting the program left out"
    assert all(is_unknown(v) for v in entry.values())
    resolved, notes = shaped({"identity": identity}, preview=False, token=HDINSIGHT)
    guid = functools.partial(_guid, f"identity.userAssignedIdentities.{UAI}")
    assert resolved["identity"]["userAssignedIdentities"] == {
        UAI: {"principalId": guid("principalId"), "clientId": guid("clientId")}
    }
    assert notes == []


@pytest.mark.parametrize("tenant_id", ["t-1", ""])
def test_resolved_identity_entries_carry_the_tenant_only_when_the_capture_knows_it(tenant_id: str) -> None:
    shaper = Shaper(False, URN, tenant_id=tenant_id)
    declared = prop_type(HDINSIGHT, "identity.userAssignedIdentities")
    entry = shaper.value([UAI], declared, "identity.userAssignedIdentities")[UAI]
    guid = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{URN}#identity.userAssignedIdentities.{UAI}.clientId"))
    assert entry["clientId"] == guid
    assert entry == (
        {"principalId": entry["principalId"], "clientId": guid, "tenantId": "t-1"}
        if tenant_id
        else {"principalId": entry["principalId"], "clientId": guid}
    )


def _guid(path: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{URN}#{path}.{name}"))


@pytest.mark.parametrize("kind", ["SystemAssigned", "SystemAssigned,UserAssigned", "systemAssigned"])
def test_resolved_a_system_assigned_identity_gets_its_principal_and_the_captures_tenant(kind: str) -> None:
    """The resource's own identity's principal is derived from the URN alone, as the
    capture always derived it."""
    outputs, _ = shaped({"identity": {"type": kind}}, preview=False)
    assert outputs["identity"] == {
        "type": kind,
        "principalId": str(uuid.uuid5(uuid.NAMESPACE_OID, URN)),
        "tenantId": "t-1",
    }


def test_resolved_an_identity_without_a_system_assigned_one_has_no_principal_and_an_unknown_type_unknown_ones():
    """Azure returns no ``principalId`` or ``tenantId`` for a user-assigned identity; while
    the type is unknown (or secret and unknown) so are they; with no tenant known the
    tenant is unknown."""
    user, _ = shaped({"identity": IDENTITY}, preview=False)
    assert set(user["identity"]) == {"type", "userAssignedIdentities"}
    for unknown_type in (UNKNOWN, secret(UNKNOWN)):
        outputs, _ = shaped({"identity": {"type": unknown_type}}, preview=False)
        assert is_unknown(outputs["identity"]["principalId"]) and is_unknown(outputs["identity"]["tenantId"])
    shaper = Shaper(False, URN)
    outputs = shaper.outputs({"identity": {"type": "SystemAssigned"}}, *resource_types(ACCOUNT))
    assert outputs["identity"]["principalId"] and is_unknown(outputs["identity"]["tenantId"])


@pytest.mark.parametrize(("kind", "filled"), [("SystemAssigned", True), ("UserAssigned", False), (UNKNOWN, False)])
def test_resolved_an_identity_that_declares_its_principal_settable_still_gets_it_from_azure(kind, filled) -> None:
    """Event Grid's ``IdentityInfoArgs`` takes ``principalId`` and ``tenantId`` as inputs;
    Azure fills them all the same for a system-assigned identity (a setting left out
    otherwise stays out, unknown type or not)."""
    outputs, _ = shaped({"identity": {"type": kind}}, preview=False, token="azure-native:eventgrid:Topic")
    expected = {"principalId": str(uuid.uuid5(uuid.NAMESPACE_OID, URN)), "tenantId": "t-1"} if filled else {}
    assert outputs["identity"] == {"type": kind, **expected}


def test_resolved_a_secret_identity_is_filled_inside_the_secret() -> None:
    outputs, _ = shaped({"identity": secret({"type": "SystemAssigned"})}, preview=False)
    assert outputs["identity"] == secret(
        {"type": "SystemAssigned", "principalId": str(uuid.uuid5(uuid.NAMESPACE_OID, URN)), "tenantId": "t-1"}
    )


VNET = "azure-native:network:VirtualNetwork"


@pytest.mark.parametrize("preview", [True, False])
def test_nested_read_only_properties_of_list_elements_are_never_absent(preview: bool) -> None:
    """A subnet given inline answers ``ipConfigurations``, ``purpose`` … it can't be given:
    unknown in both modes (what cdcml can't compute after `pulumi up` is unknown, as at
    the top level), each element's own; settings the program left out stay out."""
    subnets = [{"name": "a", "addressPrefix": "10.0.0.0/24"}, {"name": "b", "addressPrefix": "10.0.1.0/24"}]
    outputs, notes = shaped({"subnets": subnets}, preview=preview, token=VNET)
    for given, got in zip(subnets, outputs["subnets"], strict=True):
        assert {k: got[k] for k in given} == given
        read_only = set(got) - set(given)
        assert read_only == {"ipConfigurationProfiles", "ipConfigurations", "privateEndpoints", "purpose"}
        assert all(is_unknown(got[k]) for k in read_only)
    assert notes == []


@pytest.mark.parametrize(
    ("sku", "tier"), [("Premium_ZRS", "Premium"), ("Standard_GRS", "Standard"), ("Custom_X", None), ("P1", None)]
)
def test_resolved_a_sku_tier_is_the_prefix_of_its_name_when_that_is_a_tier_else_unknown(sku: str, tier) -> None:
    outputs, _ = shaped({"sku": {"name": sku}}, preview=False)
    assert outputs["sku"]["tier"] == tier if tier else is_unknown(outputs["sku"]["tier"])


def test_resolved_a_nested_provisioning_state_succeeded_and_nothing_is_filled_for_a_hook() -> None:
    """Nested ``provisioningState`` is ``Succeeded`` after `pulumi up`; with a
    ``provider_outputs`` hook (*fill* false) the nested read-only properties are the
    hook's to give."""
    token = "azure-native:network:ApplicationGateway"
    found = resource_types(token)
    assert found is not None
    declared = found[0].properties["backendAddressPools"].type.item
    assert declared is not None and declared.object is not None
    assert "provisioningState" in declared.object.properties
    pools = {"backendAddressPools": [{"name": "pool"}]}
    (pool,) = Shaper(False, URN).outputs(pools, *found)["backendAddressPools"]
    assert pool["provisioningState"] == "Succeeded"
    assert all(is_unknown(v) for k, v in pool.items() if k not in ("name", "provisioningState"))
    (bare,) = Shaper(False, URN, fill=False).outputs(pools, *found)["backendAddressPools"]
    assert bare == {"name": "pool"}


def test_resolved_a_string_that_is_no_integer_is_unknown_and_noted() -> None:
    shaper = Shaper(False, URN)
    assert is_unknown(shaper.value("high", SdkType("integer"), "priority"))
    assert shaper.notes == ["priority (a string given, an integer declared)"]


@pytest.mark.parametrize(("given", "shape"), [(True, "a boolean"), (5, "a number"), (2.5, "a number"), ([1], "a list")])
def test_the_note_names_the_shape_given(given: Any, shape: str) -> None:
    shaper = Shaper(False, URN)
    shaper.value(given, SdkType("string"), "p")
    assert shaper.notes == [f"p ({shape} given, a string declared)"]


def test_a_closed_enum_notes_a_non_member_and_an_open_one_rejects_a_non_string_non_member() -> None:
    from cdcml.capture.sdk_types import EnumType

    closed = SdkType("enum", enum=EnumType("E", ("A", "B"), open=False))
    opened = SdkType("enum", enum=EnumType("E", (1, 2), open=True))
    shaper = Shaper(False, URN)
    assert is_unknown(shaper.value("C", closed, "e"))
    assert shaper.value(1, opened, "o") == 1, "a member of an open enum is kept whatever its kind"
    assert is_unknown(shaper.value(3, opened, "o"))
    assert shaper.notes == [
        f"e (a string given, {closed.describe()} declared)",
        f"o (a number given, {opened.describe()} declared)",
    ]


def _triggers() -> tuple[SdkType, SdkType]:
    """Two datafactory trigger types as output and input unions, told apart by ``type``;
    the outputs add the read-only ``runtimeState``."""
    from pulumi_azure_native.datafactory import _inputs, outputs

    from cdcml.capture.sdk_types import ObjectType

    def union(classes: tuple[type, ...], *, is_output: bool) -> SdkType:
        members = tuple(SdkType("object", object=ObjectType(c.__name__, c, is_output)) for c in classes)
        return SdkType("union", members=members)

    return (
        union((outputs.ScheduleTriggerResponse, outputs.BlobTriggerResponse), is_output=True),
        union((_inputs.ScheduleTriggerArgs, _inputs.BlobTriggerArgs), is_output=False),
    )


def test_preview_a_union_member_gets_its_read_only_properties_unknown() -> None:
    declared, settable = _triggers()
    given = {"type": "ScheduleTrigger", "description": "nightly"}
    shaped_value = Shaper(True, URN).value(given, declared, "properties", settable)
    assert shaped_value == {"type": "ScheduleTrigger", "description": "nightly", "runtimeState": UNKNOWN}


def test_resolved_a_union_member_notes_its_properties_by_their_full_path() -> None:
    declared, _ = _triggers()
    shaper = Shaper(False, URN)
    shaped_value = shaper.value({"type": "BlobTrigger", "folderPath": 7}, declared, "properties")
    assert shaped_value["type"] == "BlobTrigger" and is_unknown(shaped_value["folderPath"])
    assert shaper.notes == ["properties.folderPath (a number given, a string declared)"]


def test_a_union_that_also_admits_a_scalar_is_still_projected_onto_the_member_its_constant_names() -> None:
    with_string = SdkType("union", members=(SdkType("string"), *_union().members))
    given = {"type": "AzureSqlDatabase", "connectionString": "c", "notAnOutput": 1}
    assert Shaper(False, URN).value(given, with_string, "properties") == {
        "type": "AzureSqlDatabase",
        "connectionString": "c",
    }
