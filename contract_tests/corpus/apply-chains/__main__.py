"""Derives names and JSON metadata from other resources' outputs."""

import json

import pulumi
from pulumi_azure_native import eventhub, resources

config = pulumi.Config()
team = config.require("team")
rg = resources.ResourceGroup("rg")
slug = rg.name.apply(lambda n: n.lower().replace("_", "-")).apply(lambda n: n[:20])
ns = eventhub.Namespace(
    "ns",
    resource_group_name=rg.name,
    namespace_name=pulumi.Output.concat(slug, "-ns"),
    sku=eventhub.SkuArgs(name="Standard", tier="Standard"),
    tags={"team": team.lower().replace(" ", "-")},
)
hub = eventhub.EventHub("orders", resource_group_name=rg.name, namespace_name=ns.name, partition_count=2)
metadata = pulumi.Output.all(ns.name, hub.name).apply(
    lambda args: json.dumps({"namespace": args[0], "hub": args[1], "team": team})
)
eventhub.ConsumerGroup(
    "scoring",
    resource_group_name=rg.name,
    namespace_name=ns.name,
    event_hub_name=hub.name,
    user_metadata=metadata,
)
pulumi.export("endpoint", pulumi.Output.format("sb://{0}.servicebus.windows.net/{1}", ns.name, hub.name))
