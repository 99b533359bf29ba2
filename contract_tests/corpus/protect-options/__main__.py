"""Production data guarded by resource options."""

import pulumi
from pulumi_azure_native import resources, storage

rg = resources.ResourceGroup("rg", opts=pulumi.ResourceOptions(protect=True))
account = storage.StorageAccount(
    "lake",
    resource_group_name=rg.name,
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_GRS"),
    is_hns_enabled=True,
    tags={"owner": "data"},
    opts=pulumi.ResourceOptions(
        protect=True,
        retain_on_delete=True,
        ignore_changes=["tags"],
        custom_timeouts=pulumi.CustomTimeouts(create="30m"),
    ),
)
storage.BlobContainer(
    "bronze",
    resource_group_name=rg.name,
    account_name=account.name,
    opts=pulumi.ResourceOptions(delete_before_replace=True, replace_on_changes=["containerName"]),
)
