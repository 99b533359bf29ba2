"""Hubs and consumer groups generated from one config object."""

import pulumi
from pulumi_azure_native import eventhub, resources

config = pulumi.Config()
eventing = config.require_object("eventing")
retention = config.get_int("retentionDays") or 1
zone_redundant = config.get_bool("zoneRedundant") or False

rg = resources.ResourceGroup("rg")
ns = eventhub.Namespace(
    "ns",
    resource_group_name=rg.name,
    sku=eventhub.SkuArgs(name=eventing["sku"], tier=eventing["sku"], capacity=eventing["capacity"]),
    zone_redundant=zone_redundant,
)
for hub in eventing["hubs"]:
    h = eventhub.EventHub(
        hub["name"],
        resource_group_name=rg.name,
        namespace_name=ns.name,
        partition_count=hub["partitions"],
        retention_description=eventhub.RetentionDescriptionArgs(
            cleanup_policy="Delete", retention_time_in_hours=retention * 24
        ),
    )
    for consumer in hub["consumers"]:
        eventhub.ConsumerGroup(
            f"{hub['name']}-{consumer}",
            resource_group_name=rg.name,
            namespace_name=ns.name,
            event_hub_name=h.name,
            consumer_group_name=consumer,
        )
