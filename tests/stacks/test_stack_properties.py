"""Properties of the reference stacks over generated configurations and Args.

Capture costs ~20–50 ms per resource, so each property runs on a few examples; the
strategies (cdcml.testing.strategies) cover the schema, the examples cover the code.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cdcml.capture.program import capture_program
from cdcml.model import ResourceGraph, thaw
from cdcml.model.values import reveal
from cdcml.stacks import (
    Eventing,
    EventingArgs,
    LandingZone,
    LandingZoneArgs,
    Network,
    NetworkArgs,
    ReferencePlan,
    build,
    plan_stack,
)
from cdcml.stacks.eventing import consumer_metadata
from cdcml.stacks.wiring import PRIVATE_DNS_ZONES, PrivateLinkGroup, PrivateLinkTarget
from cdcml.testing.strategies import eventing_args, landing_zone_args, network_args, stack_configs

FEW = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AN = "azure-native:"


def _inputs(graph: ResourceGraph, short_type: str) -> list[dict[str, Any]]:
    return [{k: thaw(reveal(v)) for k, v in r.inputs.items()} for r in graph.resources if r.type == AN + short_type]


# Shrunk from a failure: the plan named the landing account for another stack than the
# one the program ran in, so the data assets pointed at an account the stack didn't have.
_SMALLEST_CONFIG = {
    "azure-native:location": "westeurope",
    "cdcml:profile": "dev",
    "cdcml:environment": "dev",
    "cdcml:prefix": "a00",
    "cdcml:tags": '{"owner":"team@example.com","cost-center":"cc-000","data-classification":"public"}',
    "cdcml:sqlAdmin": '{"login":"sg-sql-admins","objectId":"e3e70682-c209-4cac-629f-6fbed82c07cd"}',
    "cdcml:privateNetworking": "false",
    "cdcml:sources": '[{"name":"a00","tables":["A.A"],"format":"delta"}]',
    "cdcml:eventHubs": '{"sku":"Standard","partitions":1,"retentionHours":1,"capture":false}',
    "cdcml:mlConsumers": "[]",
}


@FEW
@given(stack_configs())
@example(values=_SMALLEST_CONFIG)
def test_every_generated_stack_config_plans_and_captures_with_a_cdc_per_source_and_an_asset_per_table(
    values: dict[str, str],
) -> None:
    """Every configuration the schema admits plans into Args that capture without
    error, declaring one CDC per source, one data asset version per captured table, and
    one consumer group per declared consumer."""
    plan = plan_stack(values, project="cdcml", stack="generated")
    assert isinstance(plan, ReferencePlan)
    graph = capture_program(lambda: build(plan), project="cdcml", stack="generated", config=values, mode="resolved")
    counts = Counter(r.type for r in graph.resources)
    sources = json.loads(values["cdcml:sources"])
    assert counts[AN + "datafactory:ChangeDataCapture"] == len(sources)
    assert counts[AN + "machinelearningservices:DataVersion"] == sum(len(s["tables"]) for s in sources)
    assert counts[AN + "eventhub:ConsumerGroup"] == len(json.loads(values["cdcml:mlConsumers"]))
    assert (counts[AN + "network:PrivateEndpoint"] > 0) == plan.private_networking
    assert graph.outputs["change_data_capture_name"] == f"{sources[0]['name']}_cdc"


def _landing_program(args: LandingZoneArgs) -> None:
    LandingZone("lz", args, resource_group_name="rg-test")


@FEW
@given(landing_zone_args())
def test_every_landing_container_is_private_and_its_cdc_folder_is_under_a_lifecycle_rule(
    args: LandingZoneArgs,
) -> None:
    """Each declared container exists without anonymous access, the lifecycle policy tiers
    each container's CDC folder, and public access is off unless the Args turn it on."""
    graph = capture_program(lambda: _landing_program(args), project="p", stack="s")
    containers = {c["containerName"]: c for c in _inputs(graph, "storage:BlobContainer")}
    assert set(args.containers) <= set(containers)
    assert all(c["publicAccess"] == "None" for c in containers.values())
    ((policy,),) = [[p["policy"] for p in _inputs(graph, "storage:ManagementPolicy")]]
    cdc_rule = next(r for r in policy["rules"] if r["name"] == "cdc-change-files")
    assert set(cdc_rule["definition"]["filters"]["prefixMatch"]) == {f"{c}/{args.cdc_folder}/" for c in args.containers}
    (account,) = _inputs(graph, "storage:StorageAccount")
    assert account["isHnsEnabled"] is True
    assert account["allowBlobPublicAccess"] is False
    assert account["publicNetworkAccess"] == ("Enabled" if args.public_network_access else "Disabled")
    assert len(_inputs(graph, "authorization:ManagementLockAtResourceLevel")) == int(args.delete_lock)


def _eventing_program(args: EventingArgs) -> None:
    landing = LandingZone(
        "lz",
        LandingZoneArgs(containers=("orders",), location="westeurope", capture_container=True),
        resource_group_name="rg",
    )
    Eventing("ev", args, resource_group_name="rg", landing=landing, grant=lambda *_: ())


@FEW
@given(eventing_args())
def test_every_generated_consumer_reads_through_a_consumer_group_of_its_own(args: EventingArgs) -> None:
    """Each declared consumer gets its own named consumer group on the hub, recording the
    consumer in userMetadata; local (SAS) auth is off on every tier."""
    graph = capture_program(lambda: _eventing_program(args), project="p", stack="s")
    groups = _inputs(graph, "eventhub:ConsumerGroup")
    assert sorted(g["consumerGroupName"] for g in groups) == sorted(c.name for c in args.consumers)
    by_name = {c.name: c for c in args.consumers}
    for group in groups:
        assert group["userMetadata"] == consumer_metadata(args.consumer_workspace, by_name[group["consumerGroupName"]])
    (namespace,) = _inputs(graph, "eventhub:Namespace")
    assert namespace["disableLocalAuth"] is True
    assert namespace["sku"]["name"] == args.sku.value
    (hub,) = _inputs(graph, "eventhub:EventHub")
    assert ("captureDescription" in hub) == args.capture


def _network_program(args: NetworkArgs, groups: list[PrivateLinkGroup]) -> None:
    targets = [PrivateLinkTarget(f"t{i}", f"/subscriptions/s/resourceGroups/rg/x/{i}", g) for i, g in enumerate(groups)]
    Network("net", args, resource_group_name="rg", targets=targets)


@FEW
@given(network_args(), st.lists(st.sampled_from(PrivateLinkGroup), min_size=1, max_size=4))
def test_every_private_endpoint_is_registered_in_every_zone_of_its_group(
    args: NetworkArgs, groups: list[PrivateLinkGroup]
) -> None:
    """One endpoint per target, each with a zone group naming every DNS zone of its group
    id; one zone per distinct zone name, each linked to the VNet without registration."""
    graph = capture_program(lambda: _network_program(args, groups), project="p", stack="s", mode="resolved")
    endpoints = _inputs(graph, "network:PrivateEndpoint")
    assert [e["privateLinkServiceConnections"][0]["groupIds"] for e in endpoints] == [[g.value] for g in groups]
    zones = {r.id: r.outputs["name"] for r in graph.resources if r.type == AN + "privatedns:PrivateZone"}
    assert set(zones.values()) == {z for g in groups for z in PRIVATE_DNS_ZONES[g]}
    zone_groups = _inputs(graph, "network:PrivateDnsZoneGroup")
    for endpoint, group, zone_group in zip(endpoints, groups, zone_groups, strict=True):
        assert zone_group["privateEndpointName"] == endpoint["privateEndpointName"]
        assert {zones[c["privateDnsZoneId"]] for c in zone_group["privateDnsZoneConfigs"]} == set(
            PRIVATE_DNS_ZONES[group]
        )
    links = _inputs(graph, "privatedns:VirtualNetworkLink")
    assert sorted(lk["privateZoneName"] for lk in links) == sorted(zones.values())
    assert all(lk["registrationEnabled"] is False for lk in links)
    (subnet,) = _inputs(graph, "network:Subnet")
    assert subnet["addressPrefix"] == args.private_endpoint_subnet
