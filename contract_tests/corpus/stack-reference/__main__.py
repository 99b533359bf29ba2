"""Reads the subnet id from another stack and puts a private endpoint for a storage
account into it."""

import pulumi
from pulumi_azure_native import network, resources, storage

config = pulumi.Config()
net = pulumi.StackReference(config.require("networkStack"))
subnet_id = net.require_output("endpointSubnetId")

rg = resources.ResourceGroup("rg")
account = storage.StorageAccount(
    "private",
    resource_group_name=rg.name,
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_ZRS"),
    public_network_access=storage.PublicNetworkAccess.DISABLED,
)
network.PrivateEndpoint(
    "private-blob",
    resource_group_name=rg.name,
    subnet=network.SubnetArgs(id=subnet_id),
    private_link_service_connections=[
        network.PrivateLinkServiceConnectionArgs(name="blob", private_link_service_id=account.id, group_ids=["blob"])
    ],
)
pulumi.export("subnet", subnet_id)
