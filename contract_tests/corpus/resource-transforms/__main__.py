"""A resource transform (``ResourceOptions.transforms``, run by the engine through a
callback) forces TLS 1.2 and no public blob access on a storage account."""

import pulumi
from pulumi_azure_native import resources, storage


def harden(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ == "azure-native:storage:StorageAccount":
        props = {**args.props, "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False}
        return pulumi.ResourceTransformResult(props, args.opts)
    return None


rg = resources.ResourceGroup("rg")
storage.StorageAccount(
    "acct",
    resource_group_name=rg.name,
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_LRS"),
    minimum_tls_version="TLS1_0",
    opts=pulumi.ResourceOptions(transforms=[harden]),
)
