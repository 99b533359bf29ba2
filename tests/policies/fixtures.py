"""A compliant CDC→ML pipeline, the ``BASE`` every policy's case table starts from.

``PIPELINE`` is a :func:`cdcml.testing.harness.graph_from_spec` spec of a hardened stack
(what the reference ``prod`` stack builds): Azure SQL source → Data Factory CDC in a
managed VNet → ADLS Gen2 landing zone → Azure ML datastore and data asset, Event Hubs for
change notifications, private endpoints with DNS, diagnostics and least-privilege role
assignments. Resource policy tests take one resource's props from it (:func:`props`);
stack policy tests patch the whole spec. Every resource and stack policy passes on it
(``tests/policies/test_catalogue.py`` checks that).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from cdcml.policies import types as T

__all__ = ["CDC", "LANDING_ID", "LAW_ID", "PIPELINE", "RG", "SUB", "TAGS", "arm", "props"]

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
RG = f"{SUB}/resourceGroups/rg-cdcml"
TAGS = {"owner": "data-platform", "cost-center": "cc-4711", "environment": "test", "data-classification": "internal"}
COMPONENT = "azure-native:applicationinsights:Component"


def arm(kind: str, name: str) -> str:
    """An ARM id in the pipeline's resource group (``kind`` like ``Microsoft.Storage/storageAccounts``)."""
    return f"{RG}/providers/{kind}/{name}"


def _dsl(**values: Any) -> list[dict[str, Any]]:
    return [{"name": k, "value": v} for k, v in values.items()]


LANDING_ID = arm("Microsoft.Storage/storageAccounts", "stcdclanding")
SQL_ID = arm("Microsoft.Sql/servers", "sql-cdcml-orders")
LAW_ID = arm("Microsoft.OperationalInsights/workspaces", "law-cdcml")

CDC: dict[str, Any] = {
    "factoryName": "adf-cdcml",
    "changeDataCaptureName": "orders_cdc",
    "status": "Running",
    "policy": {"mode": "Microbatch", "recurrence": {"frequency": "Hour", "interval": 1}},
    "sourceConnectionsInfo": [
        {
            "connection": {
                "type": "linkedservicetype",
                "linkedService": {"referenceName": "orders_sql", "type": "LinkedServiceReference"},
                "linkedServiceType": "AzureSqlDatabase",
                "isInlineDataset": True,
                "commonDslConnectorProperties": _dsl(format="table", store="sqlserver", skipInitialLoad=False),
            },
            "sourceEntities": [
                {
                    "name": "dbo.orders",
                    "dslConnectorProperties": _dsl(
                        schemaName="dbo", tableName="orders", enableNativeCdc=True, netChanges=True
                    ),
                }
            ],
        }
    ],
    "targetConnectionsInfo": [
        {
            "connection": {
                "type": "linkedservicetype",
                "linkedService": {"referenceName": "landing_adls", "type": "LinkedServiceReference"},
                "linkedServiceType": "AzureBlobFS",
                "isInlineDataset": True,
                "commonDslConnectorProperties": _dsl(format="delta"),
            },
            "targetEntities": [
                {
                    "name": "orders/cdc/dbo/orders",
                    "dslConnectorProperties": _dsl(
                        container="orders", fileSystem="orders", folderPath="cdc/dbo/orders"
                    ),
                }
            ],
            "dataMapperMappings": [{"sourceEntityName": "dbo.orders", "targetEntityName": "orders/cdc/dbo/orders"}],
        }
    ],
}

_CLOSED_STORAGE = {
    "kind": "StorageV2",
    "sku": {"name": "Standard_ZRS"},
    "location": "westeurope",
    "publicNetworkAccess": "Disabled",
    "allowBlobPublicAccess": False,
    "allowSharedKeyAccess": False,
    "defaultToOAuthAuthentication": True,
    "minimumTlsVersion": "TLS1_2",
    "enableHttpsTrafficOnly": True,
    "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"},
    "tags": TAGS,
}


def _pe(target: str, target_id: str, group: str) -> dict[str, Any]:
    return {
        "type": T.PRIVATE_ENDPOINT,
        "props": {
            "name": f"{target}-{group}-pe",
            "location": "westeurope",
            "subnet": {"id": f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet-cdcml/subnets/pe"},
            "privateLinkServiceConnections": [
                {"name": f"{target}-{group}", "privateLinkServiceId": target_id, "groupIds": [group]}
            ],
            "tags": TAGS,
        },
        "deps": {"privateLinkServiceConnections": [target], "subnet": ["subnet"]},
    }


_ZONES = {
    "dataFactory": ["privatelink.datafactory.azure.net"],
    "blob": ["privatelink.blob.core.windows.net"],
    "dfs": ["privatelink.dfs.core.windows.net"],
    "sqlServer": ["privatelink.database.windows.net"],
    "namespace": ["privatelink.servicebus.windows.net"],
    "amlworkspace": ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"],
    "vault": ["privatelink.vaultcore.azure.net"],
}
_ENDPOINTS = [
    ("factory", arm("Microsoft.DataFactory/factories", "adf-cdcml"), "dataFactory"),
    ("landing", LANDING_ID, "blob"),
    ("landing", LANDING_ID, "dfs"),
    ("sql", SQL_ID, "sqlServer"),
    ("events", arm("Microsoft.EventHub/namespaces", "evhns-cdcml"), "namespace"),
    ("workspace", arm("Microsoft.MachineLearningServices/workspaces", "ml-cdcml"), "amlworkspace"),
    ("ml-storage", arm("Microsoft.Storage/storageAccounts", "stmlcdcml"), "blob"),
    ("ml-vault", arm("Microsoft.KeyVault/vaults", "kv-cdcml"), "vault"),
]


def _diagnostics(target: str, target_id: str) -> dict[str, Any]:
    return {
        "type": T.DIAGNOSTIC_SETTING,
        "props": {
            "name": f"{target}-diagnostics",
            "resourceUri": target_id,
            "workspaceId": LAW_ID,
            "logAnalyticsDestinationType": "Dedicated",
            "logs": [{"categoryGroup": "allLogs", "enabled": True}],
            "metrics": [{"category": "AllMetrics", "enabled": True}],
        },
        "deps": {"resourceUri": [target], "workspaceId": ["law"]},
    }


def _role(name: str, principal: str, role: str, scope: str, scope_id: str) -> dict[str, Any]:
    return {
        "type": T.ROLE_ASSIGNMENT,
        "props": {
            "name": name,
            "principalId": f"{principal}-principal-id",
            "principalType": "ServicePrincipal",
            "roleDefinitionId": f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            "scope": scope_id,
        },
        "deps": {"principalId": [principal], "scope": [scope]},
    }


def _build() -> dict[str, Any]:
    spec: dict[str, Any] = {
        "rg": {"type": T.RESOURCE_GROUP, "props": {"name": "rg-cdcml", "location": "westeurope", "tags": TAGS}},
        "law": {
            "type": T.LOG_ANALYTICS,
            "props": {"name": "law-cdcml", "location": "westeurope", "retentionInDays": 90, "tags": TAGS},
            "deps": {"resourceGroupName": ["rg"]},
        },
        "vnet": {
            "type": T.VIRTUAL_NETWORK,
            "props": {"name": "vnet-cdcml", "location": "westeurope", "tags": TAGS},
            "deps": {"resourceGroupName": ["rg"]},
        },
        "subnet": {"type": T.SUBNET, "props": {"name": "pe"}, "deps": {"virtualNetworkName": ["vnet"]}},
        "factory": {
            "type": T.FACTORY,
            "props": {
                "name": "adf-cdcml",
                "location": "westeurope",
                "publicNetworkAccess": "Disabled",
                "identity": {"type": "SystemAssigned", "principalId": "factory-principal-id"},
                "tags": {**TAGS, "cdc-start": "external"},
            },
            "deps": {"resourceGroupName": ["rg"]},
        },
        "runtime": {
            "type": T.INTEGRATION_RUNTIME,
            "props": {
                "name": "cdc-ir",
                "properties": {
                    "type": "Managed",
                    "managedVirtualNetwork": {"referenceName": "default", "type": "ManagedVirtualNetworkReference"},
                    "computeProperties": {
                        "location": "AutoResolve",
                        "dataFlowProperties": {"computeType": "General", "coreCount": 8, "timeToLive": 10},
                    },
                },
            },
            "deps": {"factoryName": ["factory"]},
        },
        "landing": {
            "type": T.STORAGE_ACCOUNT,
            "props": {"name": "stcdclanding", "isHnsEnabled": True, **_CLOSED_STORAGE},
            "deps": {"resourceGroupName": ["rg"]},
        },
        "landing-blob-service": {
            "type": T.BLOB_SERVICE,
            "props": {
                "name": "default",
                "deleteRetentionPolicy": {"enabled": True, "days": 14},
                "containerDeleteRetentionPolicy": {"enabled": True, "days": 14},
            },
            "deps": {"accountName": ["landing"]},
        },
        "landing-container": {
            "type": T.BLOB_CONTAINER,
            "props": {"name": "orders", "publicAccess": "None"},
            "deps": {"accountName": ["landing"]},
        },
        "landing-lifecycle": {
            "type": T.MANAGEMENT_POLICY,
            "props": {
                "name": "default",
                "policy": {
                    "rules": [
                        {
                            "name": "cdc-tiering",
                            "enabled": True,
                            "type": "Lifecycle",
                            "definition": {
                                "filters": {"blobTypes": ["blockBlob"], "prefixMatch": ["orders/cdc"]},
                                "actions": {
                                    "baseBlob": {
                                        "tierToCool": {"daysAfterModificationGreaterThan": 30},
                                        "delete": {"daysAfterModificationGreaterThan": 365},
                                    }
                                },
                            },
                        }
                    ]
                },
            },
            "deps": {"accountName": ["landing"]},
        },
        "landing-link": {
            "type": T.LINKED_SERVICE,
            "props": {
                "name": "landing_adls",
                "properties": {
                    "type": "AzureBlobFS",
                    "url": "https://stcdclanding.dfs.core.windows.net",
                    "connectVia": {"referenceName": "cdc-ir", "type": "IntegrationRuntimeReference"},
                },
            },
            "deps": {"factoryName": ["factory"], "properties": ["runtime"]},
        },
        "sql": {
            "type": T.SQL_SERVER,
            "props": {
                "name": "sql-cdcml-orders",
                "location": "westeurope",
                "publicNetworkAccess": "Disabled",
                "minimalTlsVersion": "1.2",
                "administrators": {
                    "administratorType": "ActiveDirectory",
                    "azureADOnlyAuthentication": True,
                    "login": "sql-admins",
                    "sid": "00000000-0000-0000-0000-00000000abcd",
                    "principalType": "Group",
                },
                "tags": TAGS,
            },
            "deps": {"resourceGroupName": ["rg"]},
        },
        "sql-db": {
            "type": T.SQL_DATABASE,
            "props": {
                "name": "orders",
                "location": "westeurope",
                "sku": {"name": "GP_S_Gen5_2", "tier": "GeneralPurpose"},
                "requestedBackupStorageRedundancy": "Zone",
                "tags": TAGS,
            },
            "deps": {"serverName": ["sql"]},
        },
        "sql-audit": {
            "type": T.SQL_AUDITING,
            "props": {"name": "default", "state": "Enabled", "isAzureMonitorTargetEnabled": True},
            "deps": {"serverName": ["sql"]},
        },
        "orders-link": {
            "type": T.LINKED_SERVICE,
            "props": {
                "name": "orders_sql",
                "properties": {
                    "type": "AzureSqlDatabase",
                    "version": "2.0",
                    "server": "sql-cdcml-orders.database.windows.net",
                    "database": "orders",
                    "authenticationType": "SystemAssignedManagedIdentity",
                    "encrypt": "mandatory",
                    "trustServerCertificate": False,
                    "connectVia": {"referenceName": "cdc-ir", "type": "IntegrationRuntimeReference"},
                },
            },
            "deps": {"factoryName": ["factory"], "properties": ["runtime", "sql"]},
        },
        "mpe-landing-dfs": {
            "type": T.MANAGED_PRIVATE_ENDPOINT,
            "props": {"name": "landing-dfs", "properties": {"privateLinkResourceId": LANDING_ID, "groupId": "dfs"}},
            "deps": {"factoryName": ["factory"], "properties": ["landing"]},
        },
        "mpe-sql": {
            "type": T.MANAGED_PRIVATE_ENDPOINT,
            "props": {"name": "orders-sql", "properties": {"privateLinkResourceId": SQL_ID, "groupId": "sqlServer"}},
            "deps": {"factoryName": ["factory"], "properties": ["sql"]},
        },
        "cdc": {
            "type": T.CHANGE_DATA_CAPTURE,
            "props": {"name": "orders_cdc", **copy.deepcopy(CDC)},
            "deps": {
                "factoryName": ["factory"],
                "sourceConnectionsInfo": ["orders-link"],
                "targetConnectionsInfo": ["landing-link"],
            },
        },
        "events": {
            "type": T.EH_NAMESPACE,
            "props": {
                "name": "evhns-cdcml",
                "location": "westeurope",
                "sku": {"name": "Standard", "tier": "Standard", "capacity": 1},
                "isAutoInflateEnabled": True,
                "maximumThroughputUnits": 4,
                "publicNetworkAccess": "Disabled",
                "disableLocalAuth": True,
                "minimumTlsVersion": "1.2",
                "tags": TAGS,
            },
            "deps": {"resourceGroupName": ["rg"]},
        },
        "hub": {
            "type": T.EVENT_HUB,
            "props": {
                "name": "landing-events",
                "partitionCount": 4,
                "retentionDescription": {"cleanupPolicy": "Delete", "retentionTimeInHours": 72},
                "userMetadata": json.dumps({"purpose": "ml-training"}),
                "captureDescription": {
                    "enabled": True,
                    "encoding": "Avro",
                    "intervalInSeconds": 300,
                    "sizeLimitInBytes": 314572800,
                    "skipEmptyArchives": True,
                    "destination": {
                        "name": "EventHubArchive.AzureBlockBlob",
                        "storageAccountResourceId": LANDING_ID,
                        "blobContainer": "capture",
                        "archiveNameFormat": "{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}",
                        "identity": {"type": "SystemAssigned"},
                    },
                },
            },
            "deps": {"namespaceName": ["events"], "captureDescription": ["landing"]},
        },
        "group-training": {
            "type": T.CONSUMER_GROUP,
            "props": {
                "name": "orders-training",
                "userMetadata": json.dumps({"consumer": "aml:ml-cdcml/orders-training"}),
            },
            "deps": {"namespaceName": ["events"], "eventHubName": ["hub"]},
        },
        "group-scoring": {
            "type": T.CONSUMER_GROUP,
            "props": {
                "name": "orders-scoring",
                "userMetadata": json.dumps({"consumer": "aml:ml-cdcml/orders-scoring"}),
            },
            "deps": {"namespaceName": ["events"], "eventHubName": ["hub"]},
        },
        "ml-storage": {
            "type": T.STORAGE_ACCOUNT,
            "props": {"name": "stmlcdcml", "isHnsEnabled": False, **_CLOSED_STORAGE},
            "deps": {"resourceGroupName": ["rg"]},
        },
        "ml-vault": {
            "type": T.KEY_VAULT,
            "props": {
                "name": "kv-cdcml",
                "location": "westeurope",
                "properties": {
                    "tenantId": "00000000-0000-0000-0000-0000000000aa",
                    "sku": {"family": "A", "name": "standard"},
                    "publicNetworkAccess": "disabled",
                    "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
                    "enableRbacAuthorization": True,
                    "enablePurgeProtection": True,
                    "enableSoftDelete": True,
                    "softDeleteRetentionInDays": 90,
                },
                "tags": TAGS,
            },
            "deps": {"resourceGroupName": ["rg"]},
        },
        "ml-insights": {
            "type": COMPONENT,
            "props": {"name": "appi-cdcml", "kind": "web", "applicationType": "web", "tags": TAGS},
            "deps": {"resourceGroupName": ["rg"]},
        },
        "workspace": {
            "type": T.ML_WORKSPACE,
            "props": {
                "name": "ml-cdcml",
                "location": "westeurope",
                "identity": {"type": "SystemAssigned", "principalId": "workspace-principal-id"},
                "publicNetworkAccess": "Disabled",
                "allowPublicAccessWhenBehindVnet": False,
                "systemDatastoresAuthMode": "Identity",
                "v1LegacyMode": False,
                "hbiWorkspace": False,
                "storageAccount": arm("Microsoft.Storage/storageAccounts", "stmlcdcml"),
                "keyVault": arm("Microsoft.KeyVault/vaults", "kv-cdcml"),
                "applicationInsights": arm("Microsoft.Insights/components", "appi-cdcml"),
                "managedNetwork": {
                    "isolationMode": "AllowOnlyApprovedOutbound",
                    "outboundRules": {
                        "landing-blob": {
                            "type": "PrivateEndpoint",
                            "destination": {"serviceResourceId": LANDING_ID, "subresourceTarget": "blob"},
                        },
                        "landing-dfs": {
                            "type": "PrivateEndpoint",
                            "destination": {"serviceResourceId": LANDING_ID, "subresourceTarget": "dfs"},
                        },
                        "pypi": {"type": "FQDN", "destination": "pypi.org"},
                    },
                },
                "tags": TAGS,
            },
            "deps": {
                "resourceGroupName": ["rg"],
                "storageAccount": ["ml-storage"],
                "keyVault": ["ml-vault"],
                "applicationInsights": ["ml-insights"],
                "managedNetwork": ["landing"],
            },
        },
        "datastore": {
            "type": T.ML_DATASTORE,
            "props": {
                "name": "cdc_orders",
                "properties": {
                    "datastoreType": "AzureDataLakeGen2",
                    "accountName": "stcdclanding",
                    "filesystem": "orders",
                    "endpoint": "core.windows.net",
                    "protocol": "https",
                    "credentials": {"credentialsType": "None"},
                    "serviceDataAccessAuthIdentity": "WorkspaceSystemAssignedIdentity",
                },
            },
            "deps": {"workspaceName": ["workspace"]},
        },
        "asset": {
            "type": T.ML_DATA_CONTAINER,
            "props": {"name": "orders-dbo-orders", "properties": {"dataType": "uri_folder", "isArchived": False}},
            "deps": {"workspaceName": ["workspace"]},
        },
        "asset-version": {
            "type": T.ML_DATA_VERSION,
            "props": {
                "name": "orders-dbo-orders",
                "version": "1",
                "properties": {
                    "dataType": "uri_folder",
                    "dataUri": "azureml://datastores/cdc_orders/paths/cdc/dbo/orders/",
                    "isAnonymous": False,
                    "tags": {
                        "cdc-factory": "adf-cdcml",
                        "cdc-name": "orders_cdc",
                        "source-entity": "orders/dbo.orders",
                    },
                },
            },
            "deps": {"workspaceName": ["workspace"]},
        },
    }
    for target, target_id, group in _ENDPOINTS:
        spec[f"pe-{target}-{group}"] = _pe(target, target_id, group)
    zones = sorted({z for zs in _ZONES.values() for z in zs})
    for zone in zones:
        spec[f"zone-{zone}"] = {
            "type": T.PRIVATE_ZONE,
            "props": {"name": zone, "location": "global", "tags": TAGS},
            "deps": {"resourceGroupName": ["rg"]},
        }
        spec[f"link-{zone}"] = {
            "type": T.VNET_LINK,
            "props": {"name": f"{zone}-link", "registrationEnabled": False, "virtualNetwork": {"id": "vnet-id"}},
            "deps": {"privateZoneName": [f"zone-{zone}"], "virtualNetwork": ["vnet"]},
        }
    for target, _target_id, group in _ENDPOINTS:
        names = _ZONES[group]
        spec[f"dns-{target}-{group}"] = {
            "type": T.PRIVATE_DNS_ZONE_GROUP,
            "props": {
                "name": "default",
                "privateDnsZoneConfigs": [
                    {"name": z.replace(".", "-"), "privateDnsZoneId": arm("Microsoft.Network/privateDnsZones", z)}
                    for z in names
                ],
            },
            "deps": {
                "privateEndpointName": [f"pe-{target}-{group}"],
                "privateDnsZoneConfigs": [f"zone-{z}" for z in names],
            },
        }
    for target in ("factory", "events", "workspace", "ml-vault", "landing", "ml-storage", "sql-db"):
        spec[f"diag-{target}"] = _diagnostics(target, f"{target}-id")
    spec["role-factory-landing"] = _role(
        "factory-landing", "factory", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "landing", LANDING_ID
    )
    spec["role-workspace-landing"] = _role(
        "workspace-landing", "workspace", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "landing", LANDING_ID
    )
    return spec


PIPELINE: dict[str, Any] = _build()


def props(name: str) -> dict[str, Any]:
    """A copy of one pipeline resource's props: a compliant resource of its type."""
    return copy.deepcopy(PIPELINE[name]["props"])
