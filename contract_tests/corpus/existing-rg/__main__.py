"""A namespace placed in an existing resource group found by an invoke, at its location."""

import pulumi
from pulumi_azure_native import eventhub, resources

config = pulumi.Config()
shared = resources.get_resource_group_output(resource_group_name=config.require("resourceGroup"))
ns = eventhub.Namespace(
    "events",
    resource_group_name=shared.name,
    location=shared.location,
    sku=eventhub.SkuArgs(name=eventhub.SkuName.STANDARD, tier=eventhub.SkuTier.STANDARD, capacity=1),
    disable_local_auth=True,
)
eventhub.EventHub("changes", resource_group_name=shared.name, namespace_name=ns.name, partition_count=4)
pulumi.export("namespace", ns.name)
