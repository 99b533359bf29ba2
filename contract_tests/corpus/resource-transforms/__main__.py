"""Resource transforms (the successor of transformations, run by the engine through
callbacks): a stack transform protects every resource group, and a storage account's own
transform forces TLS 1.2 and no public blob access."""

import pulumi
from pulumi_azure_native import resources, storage


def protect_groups(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ == "azure-native:resources:ResourceGroup":
        return pulumi.ResourceTransformResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(protect=True))
        )
    return None


def harden(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ == "azure-native:storage:StorageAccount":
        props = {**args.props, "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False}
        return pulumi.ResourceTransformResult(props, args.opts)
    return None


pulumi.runtime.register_resource_transform(protect_groups)
rg = resources.ResourceGroup("rg")
storage.StorageAccount(
    "acct",
    resource_group_name=rg.name,
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_LRS"),
    minimum_tls_version="TLS1_0",
    opts=pulumi.ResourceOptions(transforms=[harden]),
)
