"""Adopts nothing: reads a shared account by id and adds a container to it."""

import pulumi
from pulumi_azure_native import storage

account_id = pulumi.Config().require("accountId")
shared = storage.StorageAccount.get("shared", account_id)
storage.BlobContainer(
    "cdc",
    resource_group_name="rg-shared",
    account_name=shared.name,
    container_name="cdc",
    public_access=storage.PublicAccess.NONE,
)
pulumi.export("sharedKind", shared.kind)
