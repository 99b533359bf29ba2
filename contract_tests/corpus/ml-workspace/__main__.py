"""The resources an ML workspace needs, wired by ids, plus a datastore over a container."""

import pulumi
from pulumi_azure_native import (
    applicationinsights,
    authorization,
    keyvault,
    machinelearningservices,
    resources,
    storage,
)

prefix = pulumi.Config().require("prefix")
client = authorization.get_client_config_output()
rg = resources.ResourceGroup("rg")
account = storage.StorageAccount(
    f"{prefix}st", resource_group_name=rg.name, kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS")
)
vault = keyvault.Vault(
    f"{prefix}-kv",
    resource_group_name=rg.name,
    properties=keyvault.VaultPropertiesArgs(
        tenant_id=client.tenant_id, sku=keyvault.SkuArgs(family="A", name="standard"), enable_rbac_authorization=True
    ),
)
insights_component = applicationinsights.Component(
    f"{prefix}-ai", resource_group_name=rg.name, kind="web", application_type="web"
)
workspace = machinelearningservices.Workspace(
    f"{prefix}-ws",
    resource_group_name=rg.name,
    storage_account=account.id,
    key_vault=vault.id,
    application_insights=insights_component.id,
    identity=machinelearningservices.ManagedServiceIdentityArgs(type="SystemAssigned"),
    public_network_access="Disabled",
)
container = storage.BlobContainer("features", resource_group_name=rg.name, account_name=account.name)
machinelearningservices.Datastore(
    "features",
    resource_group_name=rg.name,
    workspace_name=workspace.name,
    name="features",
    properties=machinelearningservices.AzureBlobDatastoreArgs(
        datastore_type="AzureBlob",
        account_name=account.name,
        container_name=container.name,
        credentials=machinelearningservices.NoneDatastoreCredentialsArgs(credentials_type="None"),
    ),
)
pulumi.export("workspacePrincipal", workspace.identity.apply(lambda i: i.principal_id if i else None))
