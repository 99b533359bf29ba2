"""Capture with the namespace's identity, after the identity may write the container."""

import pulumi
from pulumi_azure_native import authorization, eventhub, resources, storage

rg = resources.ResourceGroup("rg")
account = storage.StorageAccount(
    "archive", resource_group_name=rg.name, kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS")
)
container = storage.BlobContainer("capture", resource_group_name=rg.name, account_name=account.name)
ns = eventhub.Namespace(
    "ns",
    resource_group_name=rg.name,
    sku=eventhub.SkuArgs(name="Standard", tier="Standard"),
    identity=eventhub.IdentityArgs(type=eventhub.ManagedServiceIdentityType.SYSTEM_ASSIGNED),
)
writer = authorization.RoleAssignment(
    "capture-writer",
    principal_id=ns.identity.principal_id,
    principal_type="ServicePrincipal",
    role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    scope=container.id,
)
eventhub.EventHub(
    "changes",
    resource_group_name=rg.name,
    namespace_name=ns.name,
    partition_count=4,
    capture_description=eventhub.CaptureDescriptionArgs(
        enabled=True,
        encoding="Avro",
        interval_in_seconds=300,
        destination=eventhub.DestinationArgs(
            name="EventHubArchive.AzureBlockBlob",
            storage_account_resource_id=account.id,
            blob_container="capture",
            archive_name_format="{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}",
            identity=eventhub.CaptureIdentityArgs(type="SystemAssigned"),
        ),
    ),
    opts=pulumi.ResourceOptions(depends_on=[writer]),
)
