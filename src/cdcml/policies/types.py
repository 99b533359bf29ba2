"""Resource type tokens the guardrails look at (pulumi-azure-native 3.29)."""

from __future__ import annotations

CHANGE_DATA_CAPTURE = "azure-native:datafactory:ChangeDataCapture"
FACTORY = "azure-native:datafactory:Factory"
LINKED_SERVICE = "azure-native:datafactory:LinkedService"
INTEGRATION_RUNTIME = "azure-native:datafactory:IntegrationRuntime"
MANAGED_PRIVATE_ENDPOINT = "azure-native:datafactory:ManagedPrivateEndpoint"
TRIGGER = "azure-native:datafactory:Trigger"
PIPELINE = "azure-native:datafactory:Pipeline"

EH_NAMESPACE = "azure-native:eventhub:Namespace"
EH_NETWORK_RULE_SET = "azure-native:eventhub:NamespaceNetworkRuleSet"
EH_NAMESPACE_AUTH_RULE = "azure-native:eventhub:NamespaceAuthorizationRule"
EH_HUB_AUTH_RULE = "azure-native:eventhub:EventHubAuthorizationRule"
EVENT_HUB = "azure-native:eventhub:EventHub"
CONSUMER_GROUP = "azure-native:eventhub:ConsumerGroup"

ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
ML_COMPUTE = "azure-native:machinelearningservices:Compute"
ML_DATASET_V1 = "azure-native:machinelearningservices:MachineLearningDataset"
ML_DATASTORE_V1 = "azure-native:machinelearningservices:MachineLearningDatastore"
ML_DATASTORE = "azure-native:machinelearningservices:Datastore"
ML_DATA_CONTAINER = "azure-native:machinelearningservices:DataContainer"
ML_DATA_VERSION = "azure-native:machinelearningservices:DataVersion"

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
MANAGEMENT_POLICY = "azure-native:storage:ManagementPolicy"
KEY_VAULT = "azure-native:keyvault:Vault"
KEY_VAULT_KEY = "azure-native:keyvault:Key"
SQL_SERVER = "azure-native:sql:Server"
SQL_DATABASE = "azure-native:sql:Database"
SQL_FIREWALL_RULE = "azure-native:sql:FirewallRule"
SQL_AUDITING = "azure-native:sql:ServerBlobAuditingPolicy"
SQL_EXTENDED_AUDITING = "azure-native:sql:ExtendedServerBlobAuditingPolicy"
SQL_AAD_ONLY = "azure-native:sql:ServerAzureADOnlyAuthentication"
PG_SERVER = "azure-native:dbforpostgresql:Server"
PG_CONFIGURATION = "azure-native:dbforpostgresql:Configuration"
PG_FIREWALL_RULE = "azure-native:dbforpostgresql:FirewallRule"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
PRIVATE_DNS_ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
PRIVATE_ZONE = "azure-native:privatedns:PrivateZone"
VNET_LINK = "azure-native:privatedns:VirtualNetworkLink"
SUBNET = "azure-native:network:Subnet"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
USER_ASSIGNED_IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
LOG_ANALYTICS = "azure-native:operationalinsights:Workspace"
VIRTUAL_NETWORK = "azure-native:network:VirtualNetwork"

TAGGABLE = (
    RESOURCE_GROUP,
    FACTORY,
    EH_NAMESPACE,
    ML_WORKSPACE,
    ML_COMPUTE,
    STORAGE_ACCOUNT,
    KEY_VAULT,
    SQL_SERVER,
    SQL_DATABASE,
    PG_SERVER,
    PRIVATE_ENDPOINT,
    USER_ASSIGNED_IDENTITY,
    LOG_ANALYTICS,
    VIRTUAL_NETWORK,
)
"""Types F-01 requires tags on (ChangeDataCapture and LinkedService have no tags)."""

ARM_TYPES = {
    FACTORY: "microsoft.datafactory/factories",
    LINKED_SERVICE: "microsoft.datafactory/factories/linkedservices",
    INTEGRATION_RUNTIME: "microsoft.datafactory/factories/integrationruntimes",
    EH_NAMESPACE: "microsoft.eventhub/namespaces",
    EVENT_HUB: "microsoft.eventhub/namespaces/eventhubs",
    ML_WORKSPACE: "microsoft.machinelearningservices/workspaces",
    ML_DATASTORE: "microsoft.machinelearningservices/workspaces/datastores",
    STORAGE_ACCOUNT: "microsoft.storage/storageaccounts",
    BLOB_CONTAINER: "microsoft.storage/storageaccounts/blobservices/containers",
    KEY_VAULT: "microsoft.keyvault/vaults",
    SQL_SERVER: "microsoft.sql/servers",
    SQL_DATABASE: "microsoft.sql/servers/databases",
    PG_SERVER: "microsoft.dbforpostgresql/flexibleservers",
    PRIVATE_ENDPOINT: "microsoft.network/privateendpoints",
    PRIVATE_ZONE: "microsoft.network/privatednszones",
    VIRTUAL_NETWORK: "microsoft.network/virtualnetworks",
    SUBNET: "microsoft.network/virtualnetworks/subnets",
    LOG_ANALYTICS: "microsoft.operationalinsights/workspaces",
    USER_ASSIGNED_IDENTITY: "microsoft.managedidentity/userassignedidentities",
}
"""ARM resource types (lower-cased, child names dropped) of the tokens a cross-resource
join resolves from an ARM id."""

PUBLIC_ACCESS_PATHS = {
    FACTORY: "publicNetworkAccess",
    EH_NAMESPACE: "publicNetworkAccess",
    ML_WORKSPACE: "publicNetworkAccess",
    STORAGE_ACCOUNT: "publicNetworkAccess",
    KEY_VAULT: "properties.publicNetworkAccess",
    SQL_SERVER: "publicNetworkAccess",
    PG_SERVER: "network.publicNetworkAccess",
}
"""Where each PaaS type keeps its public network access flag."""

PRIVATE_LINK_GROUPS = {
    FACTORY: ("dataFactory",),
    EH_NAMESPACE: ("namespace",),
    ML_WORKSPACE: ("amlworkspace",),
    STORAGE_ACCOUNT: ("blob",),
    KEY_VAULT: ("vault",),
    SQL_SERVER: ("sqlServer",),
    PG_SERVER: ("postgresqlServer",),
}
"""Private-link group ids a private endpoint to each type needs (an HNS storage account
needs ``dfs`` too; see rule-catalogue §4.4)."""

PRIVATE_DNS_ZONES = {
    "datafactory": ("privatelink.datafactory.azure.net",),
    "portal": ("privatelink.adf.azure.com",),
    "namespace": ("privatelink.servicebus.windows.net",),
    "amlworkspace": ("privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"),
    "blob": ("privatelink.blob.core.windows.net",),
    "dfs": ("privatelink.dfs.core.windows.net",),
    "file": ("privatelink.file.core.windows.net",),
    "queue": ("privatelink.queue.core.windows.net",),
    "table": ("privatelink.table.core.windows.net",),
    "web": ("privatelink.web.core.windows.net",),
    "vault": ("privatelink.vaultcore.azure.net",),
    "sqlserver": ("privatelink.database.windows.net",),
    "postgresqlserver": ("privatelink.postgres.database.azure.com",),
}
"""Private DNS zones each (case-folded) group id resolves through (DOC-PE-DNS)."""
