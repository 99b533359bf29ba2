"""The type model of azure-native resources, read from the installed SDK
(cdcml.capture.sdk_types): wire names, kinds, enums, required properties, nesting."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cdcml.capture.sdk_types import ObjectType, SdkType, UnknownResourceType, resource_tokens, resource_type
from cdcml.errors import CdcmlError

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"


def _prop_type(object_type: ObjectType, path: str) -> SdkType:
    """The type at a dotted wire path (``[]`` steps into a list's elements)."""
    current: SdkType | None = None
    for step in path.split("."):
        obj = object_type if current is None else current.object
        assert obj is not None, path
        current = obj.properties[step.removesuffix("[]")].type
        if step.endswith("[]"):
            assert current.kind == "array" and current.item is not None
            current = current.item
    assert current is not None
    return current


def test_storage_account_inputs_are_keyed_by_wire_names_with_sdk_requiredness() -> None:
    inputs = resource_type(STORAGE_ACCOUNT).inputs
    assert inputs.name == "StorageAccountArgs"
    assert inputs.required == ("kind", "resourceGroupName", "sku")
    for wire in ("resourceGroupName", "accessTier", "allowBlobPublicAccess", "networkRuleSet", "minimumTlsVersion"):
        assert wire in inputs.properties
    assert not any("_" in name for name in inputs.properties), "snake_case Python names leaked"
    assert inputs.properties["resourceGroupName"].python_name == "resource_group_name"


def test_storage_account_input_kinds_follow_the_annotations() -> None:
    inputs = resource_type(STORAGE_ACCOUNT).inputs
    access_tier = _prop_type(inputs, "accessTier")  # pulumi.Input[Optional['AccessTier']]: a pure enum
    assert access_tier.kind == "enum" and access_tier.enum is not None
    assert not access_tier.enum.open and set(access_tier.enum.values) == {"Hot", "Cool", "Premium", "Cold"}
    kind = _prop_type(inputs, "kind")  # Union[str, 'Kind']: any string
    assert kind.kind == "enum" and kind.enum is not None and kind.enum.open and "StorageV2" in kind.enum.values
    assert _prop_type(inputs, "allowBlobPublicAccess").kind == "boolean"
    assert _prop_type(inputs, "location").kind == "string"
    tags = _prop_type(inputs, "tags")
    assert tags.kind == "map" and tags.item is not None and tags.item.kind == "string"
    sku = _prop_type(inputs, "sku")
    assert sku.kind == "object" and sku.object is not None and sku.object.name == "SkuArgs"
    assert sku.object.required == ("name",)
    ip_rule = _prop_type(inputs, "networkRuleSet.ipRules[]")
    assert ip_rule.object is not None and ip_rule.object.name == "IPRuleArgs"
    assert ip_rule.object.required == ("iPAddressOrRange",)
    assert _prop_type(inputs, "encryption.services.blob.keyType").kind == "enum"


def test_a_property_the_sdk_defaults_is_not_required() -> None:
    """NetworkRuleSetArgs.default_action's getter has no Optional, but its constructor
    defaults it to 'Allow' (and so does the provider): leaving it out is well-typed."""
    network_rule_set = _prop_type(resource_type(STORAGE_ACCOUNT).inputs, "networkRuleSet")
    assert network_rule_set.object is not None
    default_action = network_rule_set.object.properties["defaultAction"]
    assert not default_action.required and default_action.type.kind == "enum"


def test_storage_account_outputs_come_from_the_output_getters() -> None:
    outputs = resource_type(STORAGE_ACCOUNT).outputs
    assert "provisioningState" in outputs.required and "primaryEndpoints" in outputs.required
    assert "tags" in outputs.properties and "tags" not in outputs.required
    assert "resourceGroupName" not in outputs.properties  # input-only
    endpoints = _prop_type(outputs, "primaryEndpoints")
    assert endpoints.object is not None and endpoints.object.name == "EndpointsResponse"
    assert _prop_type(outputs, "primaryEndpoints.blob").kind == "string"
    connection = _prop_type(outputs, "privateEndpointConnections[]")
    assert connection.object is not None and connection.object.name == "PrivateEndpointConnectionResponse"
    # outputs of an enum-typed input are plain strings in the SDK's output types
    assert _prop_type(outputs, "accessTier").kind == "string"


def test_numbers_assets_and_discriminated_unions() -> None:
    event_hub = resource_type("azure-native:eventhub:EventHub").inputs
    assert _prop_type(event_hub, "partitionCount").kind == "number"
    assert _prop_type(resource_type("azure-native:storage:Blob").inputs, "source").kind == "asset"
    union = _prop_type(resource_type("azure-native:datafactory:LinkedService").inputs, "properties")
    assert union.kind == "union" and len(union.members) > 50
    consts = []
    for member in union.members:
        assert member.object is not None
        consts.append(member.object.properties["type"].const)
    assert "AzureBlobFS" in consts and len(set(consts)) == len(consts)


def test_type_tokens_are_listed_from_the_registry_across_many_services() -> None:
    tokens = resource_tokens()
    assert len(tokens) > 2000 and list(tokens) == sorted(tokens)
    assert len({t.split(":")[1] for t in tokens}) > 200
    assert STORAGE_ACCOUNT in tokens
    storage = resource_tokens("storage")
    assert STORAGE_ACCOUNT in storage and all(t.startswith("azure-native:storage:") for t in storage)


def test_types_are_cached_per_token() -> None:
    assert resource_type(STORAGE_ACCOUNT) is resource_type(STORAGE_ACCOUNT)
    a = _prop_type(resource_type(STORAGE_ACCOUNT).inputs, "sku")
    b = _prop_type(resource_type("azure-native:storage:StorageAccount").inputs, "sku")
    assert a.object is b.object


@pytest.mark.parametrize(
    "token",
    [
        "azure-native:storage:StorageAcount",
        "azure-native:storage/v20230101:StorageAccount",  # no versioned modules in SDK 3.x
        "azure-native:nosuchservice:Thing",
        "aws:s3:Bucket",
    ],
)
def test_an_unknown_token_is_a_clear_error_naming_it(token: str) -> None:
    with pytest.raises(UnknownResourceType) as raised:
        resource_type(token)
    assert isinstance(raised.value, CdcmlError) and isinstance(raised.value, LookupError)
    assert repr(token) in raised.value.message


def test_a_near_miss_suggests_the_token() -> None:
    with pytest.raises(UnknownResourceType, match="did you mean azure-native:storage:StorageAccount"):
        resource_type("azure-native:storage:StorageAcount")


def test_only_the_one_service_needed_is_imported() -> None:
    """Listing tokens imports no service; a type imports its own service package only
    (azure-native registers every service lazily, so the others stay unloaded)."""
    script = """
import json, sys
from cdcml.capture.sdk_types import resource_tokens, resource_type
resource_tokens()
listed = [m for m in sys.modules if m.startswith("pulumi_azure_native")]
resource_type("azure-native:eventhub:EventHub")
loaded = sorted({m.split(".")[1] for m in sys.modules
                 if m.startswith("pulumi_azure_native.") and m.count(".") >= 2})
print(json.dumps({"listed": listed, "loaded": loaded}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout)
    assert result == {"listed": [], "loaded": ["eventhub"]}
