"""A factory with a user-assigned identity (an identity reused across environments)."""

import pulumi
from pulumi_azure_native import datafactory, managedidentity, resources

rg = resources.ResourceGroup("rg")
runner = managedidentity.UserAssignedIdentity("factory-runner", resource_group_name=rg.name)
factory = datafactory.Factory(
    "factory",
    resource_group_name=rg.name,
    identity=datafactory.FactoryIdentityArgs(
        type=datafactory.FactoryIdentityType.SYSTEM_ASSIGNED_USER_ASSIGNED,
        user_assigned_identities=runner.id.apply(lambda i: {i: {}}),
    ),
)
pulumi.export("runnerPrincipal", runner.principal_id)
pulumi.export("factoryIdentity", factory.identity)
