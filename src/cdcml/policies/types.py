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
KEY_VAULT = "azure-native:keyvault:Vault"
SQL_SERVER = "azure-native:sql:Server"
SQL_DATABASE = "azure-native:sql:Database"
PG_SERVER = "azure-native:dbforpostgresql:Server"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
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
