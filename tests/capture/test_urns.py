"""Engine-form URNs: a type is qualified by its parent's type chain, never by the root
stack's type (mock URNs include it)."""

from __future__ import annotations

from cdcml.capture.urns import ROOT_STACK_TYPE, engine_urn, provider_urn, root_stack_urn, with_own_type

STACK = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
COMPONENT = "urn:pulumi:dev::proj::cdcml:stacks:Landing::landing"


def test_the_root_stack_urn_names_project_and_stack():
    assert ROOT_STACK_TYPE == "pulumi:pulumi:Stack"
    assert root_stack_urn("dev", "proj") == STACK


def test_a_resource_without_parent_has_its_own_type_only():
    assert engine_urn("dev", "proj", "", "azure-native:resources:ResourceGroup", "rg") == (
        "urn:pulumi:dev::proj::azure-native:resources:ResourceGroup::rg"
    )


def test_a_child_of_the_root_stack_is_not_qualified_by_the_stack_type():
    urn = engine_urn("dev", "proj", STACK, "azure-native:resources:ResourceGroup", "rg")
    assert urn == "urn:pulumi:dev::proj::azure-native:resources:ResourceGroup::rg"
    assert "pulumi:pulumi:Stack$" not in urn


def test_a_child_of_a_component_is_qualified_by_the_parent_chain():
    child = engine_urn("dev", "proj", COMPONENT, "azure-native:storage:StorageAccount", "acct")
    assert child == "urn:pulumi:dev::proj::cdcml:stacks:Landing$azure-native:storage:StorageAccount::acct"
    grandchild = engine_urn("dev", "proj", child, "azure-native:storage:BlobContainer", "c")
    assert grandchild == (
        "urn:pulumi:dev::proj::cdcml:stacks:Landing$azure-native:storage:StorageAccount"
        "$azure-native:storage:BlobContainer::c"
    )


def test_a_mock_form_parent_under_the_stack_type_is_still_not_qualified():
    """Only the *last* type of the parent's chain decides: a parent whose own type is the
    stack's (whatever came before it) adds nothing."""
    mock_stack = "urn:pulumi:dev::proj::x:y:Z$pulumi:pulumi:Stack::proj-dev"
    assert engine_urn("dev", "proj", mock_stack, "a:b:C", "n") == "urn:pulumi:dev::proj::a:b:C::n"


def test_the_name_may_hold_any_characters():
    assert engine_urn("s", "p", "", "a:b:C", "name with spaces/and:colons") == (
        "urn:pulumi:s::p::a:b:C::name with spaces/and:colons"
    )


def test_with_own_type_replaces_only_the_last_type_of_the_chain():
    urn = "urn:pulumi:dev::proj::cdcml:stacks:Landing$azure-native:storage:StorageAccount::acct"
    assert with_own_type(urn, "azure-native:storage/v20230101:StorageAccount") == (
        "urn:pulumi:dev::proj::cdcml:stacks:Landing$azure-native:storage/v20230101:StorageAccount::acct"
    )
    top = "urn:pulumi:dev::proj::azure-native:resources:ResourceGroup::rg"
    assert with_own_type(top, "azure-native:resources/v1:ResourceGroup") == (
        "urn:pulumi:dev::proj::azure-native:resources/v1:ResourceGroup::rg"
    )


def test_provider_urn_drops_the_id_of_a_reference():
    ref = "urn:pulumi:dev::proj::pulumi:providers:azure-native::default_3_29_0::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert provider_urn(ref) == "urn:pulumi:dev::proj::pulumi:providers:azure-native::default_3_29_0"
    assert provider_urn("") == ""
