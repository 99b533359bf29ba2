"""Equivalent inputs for the peers benchmark: the same CDC→ML resources as a Pulumi state
export (for `cdcml policy analyze --file`), a Terraform plan (`terraform show -json` of an
azurerm/azapi configuration, for checkov and OPA) and an ARM template (for checkov and
cfn-guard).

The resources come in units of 12, one of each KIND: a Data Factory with its ADLS Gen2
linked service and change data capture, the landing storage account, an Event Hubs
namespace and hub, an ML workspace with a datastore and a data asset, a Key Vault, a
private endpoint and a role assignment. Every odd unit violates: public network access on,
no managed identity, an inline account key, a real-time CDC every minute, shared keys and
TLS 1.0, a datastore with a stored key, a SAS data URI, a vault without purge protection,
an Owner role at resource-group scope (the private endpoint and the hub are the same in
both). A resource group holds them all, so a document describes ``1 + 12 * units``
resources.

Standard library only: the test suite and the peers' virtualenv both import it.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUBSCRIPTION = "00000000-0000-4000-8000-00000000c0de"
TENANT = "00000000-0000-4000-8000-0000000a11ce"
RG = "rg-cdcml-bench"
LOCATION = "westeurope"
RG_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}"
PROJECT, STACK = "cdcml", "bench"
TAGS = {"environment": "prod", "owner": "data-platform@contoso.com", "cost-center": "cc-4711"}
OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
BLOB_CONTRIBUTOR_ROLE = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
FAKE_KEY = "YmVuY2htYXJrLW9ubHktbm90LWEta2V5"  # not a credential: base64 of "benchmark-only-not-a-key"

KINDS = (
    "factory",
    "cdc",
    "linked_service",
    "storage",
    "eventhub_namespace",
    "eventhub",
    "ml_workspace",
    "ml_datastore",
    "ml_data_asset",
    "key_vault",
    "private_endpoint",
    "role_assignment",
)
"""The kinds of one unit, in order; plus one ``resource_group`` per document."""

PULUMI_TYPES = {
    "resource_group": "azure-native:resources:ResourceGroup",
    "factory": "azure-native:datafactory:Factory",
    "cdc": "azure-native:datafactory:ChangeDataCapture",
    "linked_service": "azure-native:datafactory:LinkedService",
    "storage": "azure-native:storage:StorageAccount",
    "eventhub_namespace": "azure-native:eventhub:Namespace",
    "eventhub": "azure-native:eventhub:EventHub",
    "ml_workspace": "azure-native:machinelearningservices:Workspace",
    "ml_datastore": "azure-native:machinelearningservices:Datastore",
    "ml_data_asset": "azure-native:machinelearningservices:DataVersion",
    "key_vault": "azure-native:keyvault:Vault",
    "private_endpoint": "azure-native:network:PrivateEndpoint",
    "role_assignment": "azure-native:authorization:RoleAssignment",
}
TERRAFORM_TYPES = {
    "resource_group": "azurerm_resource_group",
    "factory": "azurerm_data_factory",
    "cdc": "azapi_resource",
    "linked_service": "azurerm_data_factory_linked_service_data_lake_storage_gen2",
    "storage": "azurerm_storage_account",
    "eventhub_namespace": "azurerm_eventhub_namespace",
    "eventhub": "azurerm_eventhub",
    "ml_workspace": "azurerm_machine_learning_workspace",
    "ml_datastore": "azurerm_machine_learning_datastore_datalake_gen2",
    "ml_data_asset": "azapi_resource",
    "key_vault": "azurerm_key_vault",
    "private_endpoint": "azurerm_private_endpoint",
    "role_assignment": "azurerm_role_assignment",
}
"""azurerm has no change data capture or data asset resource: those two are azapi_resource
(the Terraform way to reach any ARM type), told apart by their ``type`` value."""
AZAPI_TYPES = {
    "cdc": "Microsoft.DataFactory/factories/adfcdcs@2018-06-01",
    "ml_data_asset": "Microsoft.MachineLearningServices/workspaces/data/versions@2024-04-01",
}
ARM_TYPES = {
    "resource_group": "Microsoft.Resources/resourceGroups",
    "factory": "Microsoft.DataFactory/factories",
    "cdc": "Microsoft.DataFactory/factories/adfcdcs",
    "linked_service": "Microsoft.DataFactory/factories/linkedservices",
    "storage": "Microsoft.Storage/storageAccounts",
    "eventhub_namespace": "Microsoft.EventHub/namespaces",
    "eventhub": "Microsoft.EventHub/namespaces/eventhubs",
    "ml_workspace": "Microsoft.MachineLearningServices/workspaces",
    "ml_datastore": "Microsoft.MachineLearningServices/workspaces/datastores",
    "ml_data_asset": "Microsoft.MachineLearningServices/workspaces/data/versions",
    "key_vault": "Microsoft.KeyVault/vaults",
    "private_endpoint": "Microsoft.Network/privateEndpoints",
    "role_assignment": "Microsoft.Authorization/roleAssignments",
}
ARM_API_VERSIONS = {
    "resource_group": "2024-03-01",
    "factory": "2018-06-01",
    "cdc": "2018-06-01",
    "linked_service": "2018-06-01",
    "storage": "2023-05-01",
    "eventhub_namespace": "2024-01-01",
    "eventhub": "2024-01-01",
    "ml_workspace": "2024-04-01",
    "ml_datastore": "2024-04-01",
    "ml_data_asset": "2024-04-01",
    "key_vault": "2023-07-01",
    "private_endpoint": "2024-01-01",
    "role_assignment": "2022-04-01",
}

MIRRORED = {
    "network-disable-factory-public-access": ("factory",),
    "identity-require-factory-managed-identity": ("factory",),
    "governance-configure-factory-git": ("factory",),
    "cdc-enforce-mode-allowlist": ("cdc",),
    "cdc-enforce-recurrence-bounds": ("cdc",),
    "identity-require-linked-service-managed-identity": ("linked_service",),
    "identity-disallow-inline-secrets": ("linked_service",),
    "network-disable-storage-public-access": ("storage",),
    "network-disable-blob-anonymous-access": ("storage",),
    "identity-disable-storage-shared-key": ("storage",),
    "encryption-enforce-min-tls": ("storage", "eventhub_namespace"),
    "network-disable-eventhub-public-access": ("eventhub_namespace",),
    "identity-disable-eventhub-local-auth": ("eventhub_namespace",),
    "network-disable-workspace-public-access": ("ml_workspace",),
    "network-enforce-approved-outbound": ("ml_workspace",),
    "identity-require-datastore-identity": ("ml_datastore",),
    "ml-require-datastore-data-uri": ("ml_data_asset",),
    "protection-enable-keyvault-purge-protection": ("key_vault",),
    "identity-enable-keyvault-rbac": ("key_vault",),
    "network-disable-keyvault-public-access": ("key_vault",),
}
"""The cdcml policies that the OPA and Guard rules of benchmarks/peers/ restate, and the
kinds each one finds violating in every bad unit (and in no good one)."""


def units_for(resources: int) -> int:
    """Units of 12 for a document of at least *resources* resources (with the resource group)."""
    return max(1, math.ceil((resources - 1) / len(KINDS)))


def logical_name(kind: str, unit: int) -> str:
    """The Pulumi resource name of *kind* in *unit* (the URN's last part)."""
    return f"{kind.replace('_', '-')}-{unit:05d}"


def resource_count(units: int) -> int:
    return 1 + units * len(KINDS)


@dataclass(frozen=True)
class Unit:
    """The names and ids one unit's resources share; ``bad`` units violate."""

    index: int

    @property
    def bad(self) -> bool:
        return self.index % 2 == 1

    @property
    def sfx(self) -> str:
        return f"{self.index:05d}"

    @property
    def factory(self) -> str:
        return f"adf-bench-{self.sfx}"

    @property
    def storage(self) -> str:
        return f"cdclanding{self.sfx}"

    @property
    def namespace(self) -> str:
        return f"evhns-bench-{self.sfx}"

    @property
    def workspace(self) -> str:
        return f"mlw-bench-{self.sfx}"

    @property
    def vault(self) -> str:
        return f"kv-bench-{self.sfx}"

    @property
    def datastore(self) -> str:
        return f"cdc_landing_{self.sfx}"

    def arm_id(self, kind: str, name: str) -> str:
        provider, _, rest = ARM_TYPES[kind].partition("/")
        parts, names = rest.split("/"), name.split("/")
        path = "/".join(f"{p}/{n}" for p, n in zip(parts, names, strict=True))
        return f"{RG_ID}/providers/{provider}/{path}"

    @property
    def storage_id(self) -> str:
        return self.arm_id("storage", self.storage)

    @property
    def vault_id(self) -> str:
        return self.arm_id("key_vault", self.vault)

    @property
    def workspace_id(self) -> str:
        return self.arm_id("ml_workspace", self.workspace)

    @property
    def factory_id(self) -> str:
        return self.arm_id("factory", self.factory)

    @property
    def namespace_id(self) -> str:
        return self.arm_id("eventhub_namespace", self.namespace)

    @property
    def subnet_id(self) -> str:
        return f"{RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet-bench/subnets/private-endpoints"

    @property
    def data_uri(self) -> str:
        if self.bad:
            return f"https://{self.storage}.blob.core.windows.net/orders/cdc/?sv=2022-11-02&sp=rl&sig=benchmark"
        return f"azureml://datastores/{self.datastore}/paths/cdc/dbo/orders/"

    @property
    def role(self) -> tuple[str, str, str]:
        """(role definition guid, role name, scope)."""
        if self.bad:
            return OWNER_ROLE, "Owner", RG_ID
        return BLOB_CONTRIBUTOR_ROLE, "Storage Blob Data Contributor", f"{self.storage_id}/blobServices/default"


def units(count: int) -> Iterator[Unit]:
    return (Unit(i) for i in range(count))


# -- the resources, in ARM's shape (properties wrapped): the source of the other two ----------------------


def _cdc_properties(u: Unit) -> dict[str, Any]:
    mode, interval = ("Continuous", 1) if u.bad else ("Microbatch", 15)
    return {
        "policy": {"mode": mode, "recurrence": {"frequency": "Minute", "interval": interval}},
        "allowVNetOverride": False,
        "status": "Stopped",
        "sourceConnectionsInfo": [
            {
                "sourceEntities": [
                    {
                        "name": "dbo.orders",
                        "dslConnectorProperties": [
                            {"name": "schemaName", "value": "dbo"},
                            {"name": "tableName", "value": "orders"},
                            {"name": "enableNativeCdc", "value": True},
                        ],
                    }
                ],
                "connection": {
                    "linkedService": {"type": "LinkedServiceReference", "referenceName": "orders_sql"},
                    "type": "linkedservicetype",
                    "linkedServiceType": "AzureSqlDatabase",
                    "isInlineDataset": True,
                },
            }
        ],
        "targetConnectionsInfo": [
            {
                "targetEntities": [
                    {
                        "name": "orders/cdc/dbo/orders",
                        "dslConnectorProperties": [
                            {"name": "container", "value": "orders"},
                            {"name": "folderPath", "value": "cdc/dbo/orders"},
                        ],
                    }
                ],
                "connection": {
                    "linkedService": {"type": "LinkedServiceReference", "referenceName": f"landing_{u.sfx}"},
                    "type": "linkedservicetype",
                    "linkedServiceType": "AzureBlobFS",
                    "isInlineDataset": True,
                },
            }
        ],
    }


def _linked_service_properties(u: Unit) -> dict[str, Any]:
    type_properties: dict[str, Any] = {"url": f"https://{u.storage}.dfs.core.windows.net/"}
    if u.bad:
        type_properties["accountKey"] = {"type": "SecureString", "value": FAKE_KEY}
    return {
        "type": "AzureBlobFS",
        "description": "ADLS Gen2 landing zone",
        "connectVia": {"type": "IntegrationRuntimeReference", "referenceName": "managed-vnet-ir"},
        "typeProperties": type_properties,
    }


def _storage_properties(u: Unit) -> dict[str, Any]:
    return {
        "isHnsEnabled": True,
        "accessTier": "Hot",
        "publicNetworkAccess": "Enabled" if u.bad else "Disabled",
        "allowBlobPublicAccess": u.bad,
        "allowSharedKeyAccess": u.bad,
        "isLocalUserEnabled": u.bad,
        "minimumTlsVersion": "TLS1_0" if u.bad else "TLS1_2",
        "supportsHttpsTrafficOnly": True,
        "defaultToOAuthAuthentication": not u.bad,
        "allowCrossTenantReplication": False,
        "networkAcls": {"defaultAction": "Allow" if u.bad else "Deny", "bypass": "AzureServices"},
    }


def _workspace_properties(u: Unit) -> dict[str, Any]:
    return {
        "friendlyName": f"CDC consumers {u.sfx}",
        "publicNetworkAccess": "Enabled" if u.bad else "Disabled",
        "managedNetwork": {"isolationMode": "AllowInternetOutbound" if u.bad else "AllowOnlyApprovedOutbound"},
        "keyVault": u.vault_id,
        "storageAccount": u.storage_id,
        "v1LegacyMode": False,
    }


def _datastore_properties(u: Unit) -> dict[str, Any]:
    credentials: dict[str, Any] = {"credentialsType": "None"}
    if u.bad:
        credentials = {"credentialsType": "AccountKey", "secrets": {"secretsType": "AccountKey", "key": FAKE_KEY}}
    return {
        "datastoreType": "AzureDataLakeGen2",
        "accountName": u.storage,
        "filesystem": "orders",
        "endpoint": "core.windows.net",
        "protocol": "https",
        "credentials": credentials,
        "serviceDataAccessAuthIdentity": "None" if u.bad else "WorkspaceSystemAssignedIdentity",
    }


def _vault_properties(u: Unit) -> dict[str, Any]:
    return {
        "tenantId": TENANT,
        "sku": {"family": "A", "name": "standard"},
        "enablePurgeProtection": not u.bad,
        "enableSoftDelete": True,
        "softDeleteRetentionInDays": 90,
        "enableRbacAuthorization": not u.bad,
        "publicNetworkAccess": "enabled" if u.bad else "disabled",
        "networkAcls": {"defaultAction": "Allow" if u.bad else "Deny", "bypass": "AzureServices"},
    }


def arm_resources(u: Unit) -> list[dict[str, Any]]:
    """The unit's resources as ARM template resources, in KINDS order."""
    role, _, scope = u.role
    git = {
        "type": "FactoryGitHubConfiguration",
        "accountName": "contoso",
        "repositoryName": "adf",
        "collaborationBranch": "main",
        "rootFolder": "/",
    }
    factory: dict[str, Any] = {"publicNetworkAccess": "Enabled" if u.bad else "Disabled"}
    if not u.bad:
        factory["repoConfiguration"] = git
    body: dict[str, tuple[str, dict[str, Any]]] = {
        "factory": (u.factory, factory),
        "cdc": (f"{u.factory}/cdc_{u.sfx}", _cdc_properties(u)),
        "linked_service": (f"{u.factory}/landing_{u.sfx}", _linked_service_properties(u)),
        "storage": (u.storage, _storage_properties(u)),
        "eventhub_namespace": (
            u.namespace,
            {
                "publicNetworkAccess": "Enabled" if u.bad else "Disabled",
                "disableLocalAuth": not u.bad,
                "minimumTlsVersion": "1.0" if u.bad else "1.2",
                "zoneRedundant": True,
            },
        ),
        "eventhub": (
            f"{u.namespace}/cdc-changes",
            {"partitionCount": 4, "retentionDescription": {"retentionTimeInHours": 168, "cleanupPolicy": "Delete"}},
        ),
        "ml_workspace": (u.workspace, _workspace_properties(u)),
        "ml_datastore": (f"{u.workspace}/{u.datastore}", _datastore_properties(u)),
        "ml_data_asset": (
            f"{u.workspace}/orders-{u.sfx}/1",
            {"dataType": "uri_folder", "dataUri": u.data_uri, "isArchived": False},
        ),
        "key_vault": (u.vault, _vault_properties(u)),
        "private_endpoint": (
            f"pe-{u.storage}-dfs",
            {
                "subnet": {"id": u.subnet_id},
                "privateLinkServiceConnections": [
                    {
                        "name": f"{u.storage}-dfs",
                        "properties": {"privateLinkServiceId": u.storage_id, "groupIds": ["dfs"]},
                    }
                ],
            },
        ),
        "role_assignment": (
            f"ra-{u.sfx}",
            {
                "roleDefinitionId": f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/"
                f"roleDefinitions/{role}",
                "principalId": f"00000000-0000-4000-8000-{u.index:012d}",
                "principalType": "ServicePrincipal",
            },
        ),
    }
    out = []
    for kind in KINDS:
        name, properties = body[kind]
        r: dict[str, Any] = {"type": ARM_TYPES[kind], "apiVersion": ARM_API_VERSIONS[kind], "name": name}
        if kind in ("factory", "storage", "eventhub_namespace", "ml_workspace", "key_vault", "private_endpoint"):
            r["location"] = LOCATION
            r["tags"] = TAGS
        if kind in ("factory", "ml_workspace", "eventhub_namespace") and not (u.bad and kind == "factory"):
            r["identity"] = {"type": "SystemAssigned"}
        if kind == "storage":
            r["kind"] = "StorageV2"
            r["sku"] = {"name": "Standard_ZRS"}
        if kind == "eventhub_namespace":
            r["sku"] = {"name": "Standard", "tier": "Standard", "capacity": 1}
        if kind == "role_assignment":
            r["scope"] = scope
        r["properties"] = properties
        out.append(r)
    return out


def arm_template(count: int) -> dict[str, Any]:
    """An ARM deployment template of *count* units (the resource group as a subscription-level
    resource, as a template deployed at subscription scope would declare it)."""
    resources: list[dict[str, Any]] = [
        {
            "type": ARM_TYPES["resource_group"],
            "apiVersion": ARM_API_VERSIONS["resource_group"],
            "name": RG,
            "location": LOCATION,
            "tags": TAGS,
        }
    ]
    for u in units(count):
        resources.extend(arm_resources(u))
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {},
        "resources": resources,
    }


# -- Pulumi: azure-native inputs are ARM's properties flattened to the top ----------------------------------

_PULUMI_NAME_ARG = {
    "factory": "factoryName",
    "cdc": "changeDataCaptureName",
    "linked_service": "linkedServiceName",
    "storage": "accountName",
    "eventhub_namespace": "namespaceName",
    "eventhub": "eventHubName",
    "ml_workspace": "workspaceName",
    "ml_datastore": "name",
    "ml_data_asset": "version",
    "key_vault": "vaultName",
    "private_endpoint": "privateEndpointName",
    "role_assignment": "roleAssignmentName",
}
_PULUMI_PARENT_ARGS = {
    "cdc": ("factoryName",),
    "linked_service": ("factoryName",),
    "eventhub": ("namespaceName",),
    "ml_datastore": ("workspaceName",),
    "ml_data_asset": ("workspaceName", "name"),
}
_PULUMI_WRAPPED = ("linked_service", "ml_datastore", "ml_data_asset", "key_vault")
"""azure-native keeps these under ``properties`` (the others are flattened), and a linked
service's ``typeProperties`` are flattened into its ``properties``."""


def pulumi_inputs(kind: str, arm: dict[str, Any]) -> dict[str, Any]:
    names = arm["name"].split("/")
    inputs: dict[str, Any] = {"resourceGroupName": RG}
    for arg, value in zip(_PULUMI_PARENT_ARGS.get(kind, ()), names, strict=False):
        inputs[arg] = value
    inputs[_PULUMI_NAME_ARG[kind]] = names[-1]
    for key in ("location", "tags", "identity", "kind", "sku", "scope"):
        if key in arm:
            inputs[key] = arm[key]
    properties = dict(arm["properties"])
    if kind == "linked_service":
        properties.update(properties.pop("typeProperties"))
    if kind == "storage":
        properties["networkRuleSet"] = properties.pop("networkAcls")
        properties["enableHttpsTrafficOnly"] = properties.pop("supportsHttpsTrafficOnly")
    if kind == "private_endpoint":
        properties["privateLinkServiceConnections"] = [
            {"name": c["name"], **c["properties"]} for c in properties["privateLinkServiceConnections"]
        ]
    if kind in _PULUMI_WRAPPED:
        inputs["properties"] = properties
    else:
        inputs.update(properties)
    return inputs


def pulumi_state(count: int) -> dict[str, Any]:
    """A `pulumi stack export` (version 3) of *count* units: the stack, the default provider,
    the resource group, and every unit's resources with their inputs and outputs."""
    prefix = f"urn:pulumi:{STACK}::{PROJECT}::"
    stack_urn = f"{prefix}pulumi:pulumi:Stack::{PROJECT}-{STACK}"
    provider_id = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    provider_urn = f"{prefix}pulumi:providers:azure-native::default_3_29_0"
    provider_ref = f"{provider_urn}::{provider_id}"
    rg_urn = f"{prefix}{PULUMI_TYPES['resource_group']}::{RG}"
    resources: list[dict[str, Any]] = [
        {"urn": stack_urn, "custom": False, "type": "pulumi:pulumi:Stack"},
        {
            "urn": provider_urn,
            "custom": True,
            "id": provider_id,
            "type": "pulumi:providers:azure-native",
            "inputs": {"location": LOCATION, "version": "3.29.0"},
            "outputs": {"location": LOCATION, "version": "3.29.0"},
            "parent": stack_urn,
        },
    ]

    def add(urn: str, type_: str, id_: str, inputs: dict[str, Any], name: str, deps: list[str]) -> None:
        outputs = {**inputs, "id": id_, "name": name}
        outputs.pop("resourceGroupName", None)
        resources.append(
            {
                "urn": urn,
                "custom": True,
                "id": id_,
                "type": type_,
                "inputs": inputs,
                "outputs": outputs,
                "parent": stack_urn,
                "dependencies": deps,
                "provider": provider_ref,
            }
        )

    add(rg_urn, PULUMI_TYPES["resource_group"], RG_ID, {"resourceGroupName": RG, "location": LOCATION}, RG, [])
    for u in units(count):
        for kind, arm in zip(KINDS, arm_resources(u), strict=True):
            urn = f"{prefix}{PULUMI_TYPES[kind]}::{logical_name(kind, u.index)}"
            if kind == "role_assignment":
                id_ = f"{arm['scope']}/providers/Microsoft.Authorization/roleAssignments/{arm['name']}"
            else:
                id_ = u.arm_id(kind, arm["name"])
            add(urn, PULUMI_TYPES[kind], id_, pulumi_inputs(kind, arm), arm["name"].split("/")[-1], [rg_urn])
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-01-01T00:00:00Z", "magic": "", "version": "v3.200.0"},
            "secrets_providers": {"type": "passphrase", "state": {}},
            "resources": resources,
        },
    }


# -- Terraform: azurerm attribute names, a `terraform show -json` plan ---------------------------------------


def _tf_factory(u: Unit, arm: dict[str, Any]) -> dict[str, Any]:
    p = arm["properties"]
    git = p.get("repoConfiguration")
    return {
        "name": u.factory,
        "location": LOCATION,
        "resource_group_name": RG,
        "public_network_enabled": p["publicNetworkAccess"] == "Enabled",
        "managed_virtual_network_enabled": True,
        "identity": [{"type": arm["identity"]["type"], "identity_ids": None}] if "identity" in arm else [],
        "github_configuration": [
            {
                "account_name": git["accountName"],
                "branch_name": git["collaborationBranch"],
                "repository_name": git["repositoryName"],
                "root_folder": git["rootFolder"],
                "git_url": "https://github.com",
                "publishing_enabled": True,
            }
        ]
        if git
        else [],
        "vsts_configuration": [],
        "customer_managed_key_id": None,
        "tags": TAGS,
    }


def _tf_values(u: Unit, kind: str, arm: dict[str, Any]) -> dict[str, Any]:
    """The planned values of *kind* in azurerm (or azapi) terms, from its ARM form."""
    p = arm["properties"]
    if kind == "factory":
        return _tf_factory(u, arm)
    if kind in AZAPI_TYPES:
        parent = u.factory_id if kind == "cdc" else f"{u.workspace_id}/data/orders-{u.sfx}"
        return {
            "type": AZAPI_TYPES[kind],
            "name": arm["name"].split("/")[-1],
            "parent_id": parent,
            "body": {"properties": p},
        }
    if kind == "linked_service":
        t = p["typeProperties"]
        return {
            "name": f"landing_{u.sfx}",
            "data_factory_id": u.factory_id,
            "url": t["url"],
            "use_managed_identity": "accountKey" not in t,
            "storage_account_key": t["accountKey"]["value"] if "accountKey" in t else None,
            "integration_runtime_name": "managed-vnet-ir",
        }
    if kind == "storage":
        return {
            "name": u.storage,
            "location": LOCATION,
            "resource_group_name": RG,
            "account_kind": "StorageV2",
            "account_tier": "Standard",
            "account_replication_type": "ZRS",
            "is_hns_enabled": True,
            "public_network_access_enabled": p["publicNetworkAccess"] == "Enabled",
            "allow_nested_items_to_be_public": p["allowBlobPublicAccess"],
            "shared_access_key_enabled": p["allowSharedKeyAccess"],
            "local_user_enabled": p["isLocalUserEnabled"],
            "min_tls_version": p["minimumTlsVersion"],
            "https_traffic_only_enabled": True,
            "enable_https_traffic_only": True,
            "default_to_oauth_authentication": p["defaultToOAuthAuthentication"],
            "cross_tenant_replication_enabled": False,
            "network_rules": [{"default_action": p["networkAcls"]["defaultAction"], "bypass": ["AzureServices"]}],
            "tags": TAGS,
        }
    if kind == "eventhub_namespace":
        return {
            "name": u.namespace,
            "location": LOCATION,
            "resource_group_name": RG,
            "sku": "Standard",
            "capacity": 1,
            "public_network_access_enabled": p["publicNetworkAccess"] == "Enabled",
            "local_authentication_enabled": not p["disableLocalAuth"],
            "minimum_tls_version": p["minimumTlsVersion"],
            "identity": [{"type": "SystemAssigned", "identity_ids": None}],
            "tags": TAGS,
        }
    if kind == "eventhub":
        return {"name": "cdc-changes", "namespace_id": u.namespace_id, "partition_count": 4, "message_retention": 7}
    if kind == "ml_workspace":
        return {
            "name": u.workspace,
            "location": LOCATION,
            "resource_group_name": RG,
            "public_network_access_enabled": p["publicNetworkAccess"] == "Enabled",
            "managed_network": [{"isolation_mode": p["managedNetwork"]["isolationMode"]}],
            "identity": [{"type": "SystemAssigned", "identity_ids": None}],
            "key_vault_id": u.vault_id,
            "storage_account_id": u.storage_id,
            "application_insights_id": f"{RG_ID}/providers/Microsoft.Insights/components/appi-bench",
            "v1_legacy_mode_enabled": False,
            "tags": TAGS,
        }
    if kind == "ml_datastore":
        bad = p["credentials"]["credentialsType"] != "None"
        return {
            "name": u.datastore,
            "workspace_id": u.workspace_id,
            "storage_container_id": f"{u.storage_id}/blobServices/default/containers/orders",
            "service_data_identity": p["serviceDataAccessAuthIdentity"],
            "tenant_id": TENANT if bad else None,
            "client_id": "00000000-0000-4000-8000-0000000c11e7" if bad else None,
            "client_secret": FAKE_KEY if bad else None,
        }
    if kind == "key_vault":
        return {
            "name": u.vault,
            "location": LOCATION,
            "resource_group_name": RG,
            "tenant_id": TENANT,
            "sku_name": "standard",
            "purge_protection_enabled": p["enablePurgeProtection"],
            "soft_delete_retention_days": p["softDeleteRetentionInDays"],
            "enable_rbac_authorization": p["enableRbacAuthorization"],
            "public_network_access_enabled": p["publicNetworkAccess"] == "enabled",
            "network_acls": [{"default_action": p["networkAcls"]["defaultAction"], "bypass": "AzureServices"}],
            "tags": TAGS,
        }
    if kind == "private_endpoint":
        return {
            "name": arm["name"],
            "location": LOCATION,
            "resource_group_name": RG,
            "subnet_id": u.subnet_id,
            "private_service_connection": [
                {
                    "name": f"{u.storage}-dfs",
                    "private_connection_resource_id": u.storage_id,
                    "subresource_names": ["dfs"],
                    "is_manual_connection": False,
                }
            ],
            "tags": TAGS,
        }
    if kind == "role_assignment":
        _, role_name, scope = u.role
        return {"scope": scope, "role_definition_name": role_name, "principal_id": p["principalId"]}
    raise ValueError(kind)


def _tf_resource(kind: str, name: str, values: dict[str, Any]) -> dict[str, Any]:
    type_ = TERRAFORM_TYPES[kind]
    provider = (
        "registry.terraform.io/azure/azapi" if type_ == "azapi_resource" else "registry.terraform.io/hashicorp/azurerm"
    )
    return {
        "address": f"{type_}.{name}",
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider_name": provider,
        "schema_version": 0,
        "values": values,
        "sensitive_values": {},
    }


def terraform_plan(count: int) -> dict[str, Any]:
    """`terraform show -json` of a plan creating *count* units: planned_values, resource_changes
    (all creates) and the configuration (with the references checkov's graph connects)."""
    planned = [_tf_resource("resource_group", "bench", {"name": RG, "location": LOCATION, "tags": TAGS})]
    for u in units(count):
        for kind, arm in zip(KINDS, arm_resources(u), strict=True):
            planned.append(_tf_resource(kind, f"{kind}_{u.sfx}", _tf_values(u, kind, arm)))
    changes = [
        {
            "address": r["address"],
            "mode": "managed",
            "type": r["type"],
            "name": r["name"],
            "provider_name": r["provider_name"],
            "change": {
                "actions": ["create"],
                "before": None,
                "after": r["values"],
                "after_unknown": {"id": True},
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
        for r in planned
    ]
    configuration = {
        "provider_config": {
            "azurerm": {"name": "azurerm", "full_name": "registry.terraform.io/hashicorp/azurerm"},
            "azapi": {"name": "azapi", "full_name": "registry.terraform.io/azure/azapi"},
        },
        "root_module": {
            "resources": [
                {
                    "address": r["address"],
                    "mode": "managed",
                    "type": r["type"],
                    "name": r["name"],
                    "provider_config_key": "azapi" if r["type"] == "azapi_resource" else "azurerm",
                    "expressions": {
                        k: {"constant_value": v} for k, v in r["values"].items() if not isinstance(v, list | dict)
                    },
                    "schema_version": 0,
                }
                for r in planned
            ]
        },
    }
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": configuration,
    }


# -- what each document describes, per kind (for the test and the table) ------------------------------------

_BY_PULUMI = {v: k for k, v in PULUMI_TYPES.items()}
_BY_ARM = {v: k for k, v in ARM_TYPES.items()}
_BY_AZAPI = {v: k for k, v in AZAPI_TYPES.items()}
_BY_TERRAFORM = {v: k for k, v in TERRAFORM_TYPES.items() if v != "azapi_resource"}


def kinds_in_state(state: dict[str, Any]) -> Counter[str]:
    return Counter(_BY_PULUMI[r["type"]] for r in state["deployment"]["resources"] if r["type"] in _BY_PULUMI)


def kinds_in_plan(plan: dict[str, Any]) -> Counter[str]:
    out: Counter[str] = Counter()
    for r in plan["planned_values"]["root_module"]["resources"]:
        out[_BY_AZAPI[r["values"]["type"]] if r["type"] == "azapi_resource" else _BY_TERRAFORM[r["type"]]] += 1
    return out


def kinds_in_template(template: dict[str, Any]) -> Counter[str]:
    return Counter(_BY_ARM[r["type"]] for r in template["resources"])


@dataclass(frozen=True)
class Inputs:
    """The three files of one size."""

    resources: int
    state: Path
    plan: Path
    template: Path


def write_inputs(directory: Path, resources: int) -> Inputs:
    """Write the state, plan and template of at least *resources* resources into *directory*
    (reused when already there: the documents are a pure function of the size)."""
    count = units_for(resources)
    n = resource_count(count)
    directory.mkdir(parents=True, exist_ok=True)
    out = Inputs(n, directory / f"state-{n}.json", directory / f"plan-{n}.json", directory / f"template-{n}.json")
    for path, build in ((out.state, pulumi_state), (out.plan, terraform_plan), (out.template, arm_template)):
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(build(count)))
            tmp.replace(path)
    return out
