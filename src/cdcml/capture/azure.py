"""What cdcml knows about pulumi-azure-native resources, read from the installed SDK.

The capture layer plays the part of the azure-native provider (Check and Create), so it
needs, per resource type: the Python class and its Args class (for input and output
names), which input is auto-named, the ARM ID the resource gets and the REST API version
the class uses. Input and output
names come from the SDK's own getter metadata; ARM resource paths come from the REST API
specs, curated below for the types of CDC→ML stacks, with a documented fallback.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
import uuid
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pulumi._types as pulumi_types

__all__ = [
    "ARM_PATHS",
    "api_version",
    "args_class",
    "arm_id",
    "arm_type",
    "autoname",
    "autoname_property",
    "input_names",
    "output_names",
    "resource_class",
]

_PKG = "azure-native"

# ARM resource ID templates, from the REST API specs' resource paths. Placeholders are
# the resource's camelCase input names; {subscriptionId} comes from the client config.
# The last placeholder is the name the provider auto-names when it is not given.
ARM_PATHS: dict[str, str] = {
    "resources:ResourceGroup": "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
    # Data Factory
    "datafactory:Factory": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}",
    "datafactory:ChangeDataCapture": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}"
    "/adfcdcs/{changeDataCaptureName}",
    "datafactory:LinkedService": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}"
    "/linkedservices/{linkedServiceName}",
    "datafactory:Dataset": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}/datasets/{datasetName}",
    "datafactory:DataFlow": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}/dataflows/{dataFlowName}",
    "datafactory:Pipeline": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}/pipelines/{pipelineName}",
    "datafactory:Trigger": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}/triggers/{triggerName}",
    "datafactory:IntegrationRuntime": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}"
    "/integrationRuntimes/{integrationRuntimeName}",
    "datafactory:ManagedPrivateEndpoint": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}"
    "/managedVirtualNetworks/{managedVirtualNetworkName}/managedPrivateEndpoints/{managedPrivateEndpointName}",
    "datafactory:GlobalParameter": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}"
    "/globalParameters/{globalParameterName}",
    "datafactory:CredentialOperation": "{rg}/providers/Microsoft.DataFactory/factories/{factoryName}"
    "/credentials/{credentialName}",
    # Event Hubs
    "eventhub:Namespace": "{rg}/providers/Microsoft.EventHub/namespaces/{namespaceName}",
    "eventhub:EventHub": "{rg}/providers/Microsoft.EventHub/namespaces/{namespaceName}/eventhubs/{eventHubName}",
    "eventhub:ConsumerGroup": "{rg}/providers/Microsoft.EventHub/namespaces/{namespaceName}/eventhubs/{eventHubName}"
    "/consumergroups/{consumerGroupName}",
    "eventhub:NamespaceAuthorizationRule": "{rg}/providers/Microsoft.EventHub/namespaces/{namespaceName}"
    "/authorizationRules/{authorizationRuleName}",
    "eventhub:EventHubAuthorizationRule": "{rg}/providers/Microsoft.EventHub/namespaces/{namespaceName}"
    "/eventhubs/{eventHubName}/authorizationRules/{authorizationRuleName}",
    "eventhub:NamespaceNetworkRuleSet": "{rg}/providers/Microsoft.EventHub/namespaces/{namespaceName}"
    "/networkRuleSets/default",
    # Azure ML
    "machinelearningservices:Workspace": "{rg}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}",
    "machinelearningservices:MachineLearningDataset": "{rg}/providers/Microsoft.MachineLearningServices"
    "/workspaces/{workspaceName}/datasets/{datasetName}",
    "machinelearningservices:MachineLearningDatastore": "{rg}/providers/Microsoft.MachineLearningServices"
    "/workspaces/{workspaceName}/datastores/{datastoreName}",
    "machinelearningservices:Datastore": "{rg}/providers/Microsoft.MachineLearningServices"
    "/workspaces/{workspaceName}/datastores/{name}",
    "machinelearningservices:DataContainer": "{rg}/providers/Microsoft.MachineLearningServices"
    "/workspaces/{workspaceName}/data/{name}",
    "machinelearningservices:DataVersion": "{rg}/providers/Microsoft.MachineLearningServices"
    "/workspaces/{workspaceName}/data/{name}/versions/{version}",
    "machinelearningservices:Compute": "{rg}/providers/Microsoft.MachineLearningServices"
    "/workspaces/{workspaceName}/computes/{computeName}",
    # Storage
    "storage:StorageAccount": "{rg}/providers/Microsoft.Storage/storageAccounts/{accountName}",
    "storage:BlobContainer": "{rg}/providers/Microsoft.Storage/storageAccounts/{accountName}"
    "/blobServices/default/containers/{containerName}",
    "storage:BlobServiceProperties": "{rg}/providers/Microsoft.Storage/storageAccounts/{accountName}"
    "/blobServices/{blobServicesName}",
    "storage:ManagementPolicy": "{rg}/providers/Microsoft.Storage/storageAccounts/{accountName}"
    "/managementPolicies/{managementPolicyName}",
    # Key Vault
    "keyvault:Vault": "{rg}/providers/Microsoft.KeyVault/vaults/{vaultName}",
    "keyvault:Key": "{rg}/providers/Microsoft.KeyVault/vaults/{vaultName}/keys/{keyName}",
    "keyvault:Secret": "{rg}/providers/Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}",
    # SQL and PostgreSQL sources
    "sql:Server": "{rg}/providers/Microsoft.Sql/servers/{serverName}",
    "sql:Database": "{rg}/providers/Microsoft.Sql/servers/{serverName}/databases/{databaseName}",
    "sql:FirewallRule": "{rg}/providers/Microsoft.Sql/servers/{serverName}/firewallRules/{firewallRuleName}",
    "sql:ServerBlobAuditingPolicy": "{rg}/providers/Microsoft.Sql/servers/{serverName}"
    "/auditingSettings/{blobAuditingPolicyName}",
    "sql:ManagedInstance": "{rg}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}",
    "documentdb:DatabaseAccount": "{rg}/providers/Microsoft.DocumentDB/databaseAccounts/{accountName}",
    "documentdb:SqlResourceSqlDatabase": "{rg}/providers/Microsoft.DocumentDB/databaseAccounts/{accountName}"
    "/sqlDatabases/{databaseName}",
    "documentdb:SqlResourceSqlContainer": "{rg}/providers/Microsoft.DocumentDB/databaseAccounts/{accountName}"
    "/sqlDatabases/{databaseName}/containers/{containerName}",
    "dbforpostgresql:Server": "{rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
    "dbforpostgresql:Configuration": "{rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}"
    "/configurations/{configurationName}",
    # Networking
    "network:VirtualNetwork": "{rg}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}",
    "network:Subnet": "{rg}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
    "network:NetworkSecurityGroup": "{rg}/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}",
    "network:PrivateEndpoint": "{rg}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}",
    "network:PrivateDnsZoneGroup": "{rg}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}"
    "/privateDnsZoneGroups/{privateDnsZoneGroupName}",
    "privatedns:PrivateZone": "{rg}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}",
    "privatedns:VirtualNetworkLink": "{rg}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}"
    "/virtualNetworkLinks/{virtualNetworkLinkName}",
    # Monitoring, identity, eventing glue
    "operationalinsights:Workspace": "{rg}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}",
    "applicationinsights:Component": "{rg}/providers/Microsoft.Insights/components/{resourceName}",
    "monitor:DiagnosticSetting": "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
    "managedidentity:UserAssignedIdentity": "{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
    "/{resourceName}",
    "authorization:RoleAssignment": "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
    "resources:Resource": "{rg}/providers/{resourceProviderNamespace}/{parentResourcePath}/{resourceType}"
    "/{resourceName}",
    "authorization:ManagementLockAtResourceLevel": "{rg}/providers/{resourceProviderNamespace}/{parentResourcePath}"
    "/{resourceType}/{resourceName}/providers/Microsoft.Authorization/locks/{lockName}",
    "eventgrid:SystemTopic": "{rg}/providers/Microsoft.EventGrid/systemTopics/{systemTopicName}",
    "eventgrid:SystemTopicEventSubscription": "{rg}/providers/Microsoft.EventGrid/systemTopics/{systemTopicName}"
    "/eventSubscriptions/{eventSubscriptionName}",
    "eventgrid:EventSubscription": "{scope}/providers/Microsoft.EventGrid/eventSubscriptions/{eventSubscriptionName}",
}

_RG = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
# Names that GUIDs, not "<logical><suffix>" (role assignments are named by a GUID in ARM).
_GUID_NAMED = {"authorization:RoleAssignment"}
# Names with a fixed value in ARM: the provider fills them with it.
_FIXED_NAMES = {
    "storage:BlobServiceProperties": "default",
    "storage:ManagementPolicy": "default",
}

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9]+)\}")
# Path segments ARM allows to be empty (a lock on a top-level resource has no parent path).
_OPTIONAL_SEGMENTS = {"parentResourcePath"}


def _key(token: str) -> str | None:
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != _PKG or "/" in parts[1]:
        return None
    return f"{parts[1]}:{parts[2]}"


def _module(token: str) -> tuple[Any, str] | None:
    """The SDK module of an azure-native type token and the resource's name in it."""
    key = _key(token)
    if key is None:
        return None
    module, name = key.split(":")
    try:
        return importlib.import_module(f"pulumi_azure_native.{module}"), name
    except ImportError:
        return None


@cache
def resource_class(token: str) -> type | None:
    """The SDK class of an azure-native resource type token, or ``None``."""
    found = _module(token)
    if found is None:
        return None
    mod, name = found
    cls = getattr(mod, name, None)
    return cls if isinstance(cls, type) else None


@cache
def args_class(token: str) -> type | None:
    """The resource's Args class (``<Name>InitArgs`` where a nested type took ``<Name>Args``)."""
    found = _module(token)
    if found is None:
        return None
    mod, name = found
    # azure-native names a resource's Args "<Name>InitArgs" when a nested input type
    # already took "<Name>Args" (datafactory.ManagedPrivateEndpoint, network.VirtualNetwork).
    for candidate in (f"{name}InitArgs", f"{name}Args"):
        cls = getattr(mod, candidate, None)
        if isinstance(cls, type):
            return cls
    return None


@cache
def api_version(token: str) -> str | None:
    """The REST API version the SDK class uses ("Uses Azure REST API version 2024-01-01.")."""
    cls = resource_class(token)
    if cls is None:
        return None
    try:
        source = Path(inspect.getsourcefile(cls) or "").read_text(encoding="utf-8")
    except (OSError, TypeError):
        return None
    m = re.search(r"Uses Azure REST API version (\d{4}-\d{2}-\d{2}(?:-preview)?)", source)
    return m.group(1) if m else None


@cache
def input_names(token: str) -> frozenset[str]:
    """camelCase names of the resource's inputs (empty when the type is unknown)."""
    cls = args_class(token)
    if cls is None:
        return frozenset()
    return frozenset(pulumi_types.input_type_py_to_pulumi_names(cls).values())


@cache
def output_names(token: str) -> frozenset[str]:
    """camelCase names of the resource's output properties (empty when unknown)."""
    cls = resource_class(token)
    if cls is None:
        return frozenset()
    return frozenset(pulumi_types.resource_pulumi_to_py_names(cls).keys())


def _template(token: str) -> str | None:
    key = _key(token)
    if key is None:
        return None
    path = ARM_PATHS.get(key)
    if path is None:
        return None
    return path.replace("{rg}", _RG)


@cache
def autoname_property(token: str) -> str | None:
    """The input the provider fills with an auto-generated name when it is not given."""
    template = _template(token)
    names = input_names(token)
    if template is not None:
        placeholders = [p for p in _PLACEHOLDER.findall(template) if p != "subscriptionId"]
        last = placeholders[-1] if placeholders else None
        return last if last in names else None
    # Fallback for types without a curated path: an optional "<type>Name" input.
    key = _key(token)
    if key is None:
        return None
    type_name = key.split(":")[1]
    guess = type_name[0].lower() + type_name[1:] + "Name"
    return guess if guess in names else None


def autoname(token: str, logical_name: str, urn: str) -> str:
    """The name the provider would generate: ``<logical name><8 hex>`` (deterministic per URN
    so reports and baselines are stable), a GUID for types ARM names by GUID, or the
    fixed ARM name (``default``) where the type has one."""
    key = _key(token) or ""
    if key in _FIXED_NAMES:
        return _FIXED_NAMES[key]
    if key in _GUID_NAMED:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, urn))
    suffix = hashlib.sha256(urn.encode("utf-8")).hexdigest()[:8]
    return f"{logical_name}{suffix}"


def arm_type(token: str) -> str | None:
    """The ARM resource type (``Microsoft.DataFactory/factories/adfcdcs``) of a token."""
    template = _template(token)
    if template is None:
        return None
    if template == _RG:
        return "Microsoft.Resources/resourceGroups"
    tail = template.rsplit("/providers/", 1)[1]
    segments = tail.split("/")
    namespace, rest = segments[0], segments[1:]
    if _PLACEHOLDER.fullmatch(namespace) or any(_PLACEHOLDER.fullmatch(s) for s in rest[0::2]):
        return None  # a generic resource: its type is an input, not part of the template
    types = [rest[i] for i in range(0, len(rest), 2)]
    return "/".join([namespace, *types])


def arm_id(token: str, inputs: Mapping[str, Any], subscription_id: str) -> str | None:
    """The ARM ID of a resource from its (revealed, known) inputs; ``None`` if a needed
    input is missing or not a string, or the type has no curated path."""
    template = _template(token)
    if template is None:
        return None
    values: dict[str, str] = {"subscriptionId": subscription_id}
    for name in _PLACEHOLDER.findall(template):
        if name == "subscriptionId":
            continue
        v = inputs.get(name, "" if name in _OPTIONAL_SEGMENTS else None)
        if not isinstance(v, str) or (not v and name not in _OPTIONAL_SEGMENTS):
            return None
        values[name] = (
            v.strip("/") if name in _OPTIONAL_SEGMENTS else (v.rstrip("/") if name in ("scope", "resourceUri") else v)
        )
    path = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    return re.sub(r"/{2,}", "/", path)
