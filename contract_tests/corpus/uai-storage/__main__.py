"""A user-assigned identity shared by a storage account and a role assignment on it."""

import pulumi
from pulumi_azure_native import authorization, managedidentity, resources, storage

rg = resources.ResourceGroup("rg")
uai = managedidentity.UserAssignedIdentity("landing-id", resource_group_name=rg.name)
account = storage.StorageAccount(
    "landing",
    resource_group_name=rg.name,
    kind=storage.Kind.STORAGE_V2,
    sku=storage.SkuArgs(name=storage.SkuName.STANDARD_ZRS),
    is_hns_enabled=True,
    identity=storage.IdentityArgs(type=storage.IdentityType.USER_ASSIGNED, user_assigned_identities=[uai.id]),
)
authorization.RoleAssignment(
    "landing-writer",
    principal_id=uai.principal_id,
    principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
    role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    scope=account.id,
)
pulumi.export("identityClientId", uai.client_id)
pulumi.export("accountIdentity", account.identity)
