"""A stack transformation adds the cost-center tag to every taggable resource and
forces TLS 1.2 on storage accounts."""

import pulumi
from pulumi_azure_native import eventhub, resources, storage

cost_center = pulumi.Config().require("costCenter")


def tag_everything(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    if args.type_.startswith("azure-native:") and "tags" in _settable(args.type_):
        props = {**args.props, "tags": {**(args.props.get("tags") or {}), "cost-center": cost_center}}
        return pulumi.ResourceTransformationResult(props, args.opts)
    return None


def _settable(type_: str) -> set[str]:
    return {"tags"} if not type_.startswith("azure-native:eventhub:EventHub") else set()


def tls12(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    if args.type_ == "azure-native:storage:StorageAccount":
        return pulumi.ResourceTransformationResult({**args.props, "minimum_tls_version": "TLS1_2"}, args.opts)
    return None


pulumi.runtime.register_stack_transformation(tag_everything)
pulumi.runtime.register_stack_transformation(tls12)
rg = resources.ResourceGroup("rg", tags={"env": "dev"})
storage.StorageAccount(
    "acct",
    resource_group_name=rg.name,
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_LRS"),
    minimum_tls_version="TLS1_0",
)
ns = eventhub.Namespace("ns", resource_group_name=rg.name, sku=eventhub.SkuArgs(name="Basic"))
eventhub.EventHub("hub", resource_group_name=rg.name, namespace_name=ns.name, partition_count=1)
