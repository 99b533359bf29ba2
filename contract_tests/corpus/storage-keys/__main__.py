"""Reads an account's keys with an invoke that has no offline answer and stores the
connection string as a Key Vault secret."""

import pulumi
from pulumi_azure_native import authorization, keyvault, resources, storage

client = authorization.get_client_config_output()
rg = resources.ResourceGroup("rg")
account = storage.StorageAccount(
    "legacy", resource_group_name=rg.name, kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS")
)
keys = storage.list_storage_account_keys_output(resource_group_name=rg.name, account_name=account.name)
connection = pulumi.Output.secret(
    pulumi.Output.format(
        "DefaultEndpointsProtocol=https;AccountName={0};AccountKey={1}", account.name, keys.keys[0].value
    )
)
vault = keyvault.Vault(
    "vault",
    resource_group_name=rg.name,
    properties=keyvault.VaultPropertiesArgs(
        tenant_id=client.tenant_id, sku=keyvault.SkuArgs(family="A", name="standard"), enable_rbac_authorization=True
    ),
)
keyvault.Secret(
    "legacy-connection",
    resource_group_name=rg.name,
    vault_name=vault.name,
    properties=keyvault.SecretPropertiesArgs(value=connection),
)
