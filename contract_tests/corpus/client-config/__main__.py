"""A Key Vault whose tenant comes from the plain invoke and whose access policy comes
from the invoke's ``_output`` form."""

import pulumi
from pulumi_azure_native import authorization, keyvault, resources

plain = authorization.get_client_config()
later = authorization.get_client_config_output()

rg = resources.ResourceGroup("rg", tags={"subscription": plain.subscription_id})
vault = keyvault.Vault(
    "vault",
    resource_group_name=rg.name,
    properties=keyvault.VaultPropertiesArgs(
        tenant_id=plain.tenant_id,
        sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.STANDARD),
        enable_rbac_authorization=False,
        enable_purge_protection=True,
        access_policies=[
            keyvault.AccessPolicyEntryArgs(
                tenant_id=later.tenant_id,
                object_id=later.object_id,
                permissions=keyvault.PermissionsArgs(secrets=["get", "list"]),
            )
        ],
    ),
)
pulumi.export("vaultUri", vault.properties.vault_uri)
pulumi.export("tenant", later.tenant_id)
