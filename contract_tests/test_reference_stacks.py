"""The reference stacks as a contract: what each profile declares, and the CDC→ML
invariants that cross resources (the CDC writes where the ML data asset reads, every
consumer has its own consumer group, every private resource is reachable through a
private endpoint resolved by private DNS, roles are least privilege).

Joins use ``resolved`` captures (ARM ids, names and principal ids as after ``pulumi up``);
each profile is captured once per mode per session (the ``stack_captures`` fixture of
contract_tests/conftest.py).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from tests.fixtures.cli import cli, one_line_error
from tests.fixtures.reference_stacks import STACK_PROFILES

from cdcml.capture.project import load_project, load_stack_config
from cdcml.model import Resource, ResourceGraph, thaw
from cdcml.model.values import is_unknown, reveal
from cdcml.stacks.config import REQUIRED_TAGS, ReferencePlan, plan_stack
from cdcml.stacks.wiring import PRIVATE_DNS_ZONES, ROLE_DEFINITION_IDS, PrivateLinkGroup
from contract_tests.conftest import ROOT

REFERENCE_PROFILES = ("dev", "prod", "fanin")
AN = "azure-native:"

# The resources each profile declares, by type (components included, the root stack and
# the default provider left out). docs/stacks.md shows the same table.
_COMMON = {
    "applicationinsights:Component": 1,
    "datafactory:Factory": 1,
    "eventgrid:SystemTopic": 1,
    "eventhub:EventHub": 1,
    "eventhub:Namespace": 1,
    "keyvault:Vault": 1,
    "machinelearningservices:Workspace": 1,
    "operationalinsights:Workspace": 1,
    "resources:ResourceGroup": 1,
    "storage:BlobServiceProperties": 1,
    "storage:ManagementPolicy": 1,
    "storage:StorageAccount": 2,
    "cdcml:stacks:CdcIngestion": 1,
    "cdcml:stacks:Eventing": 1,
    "cdcml:stacks:Identity": 1,
    "cdcml:stacks:LandingZone": 1,
    "cdcml:stacks:MlConsumption": 1,
    "cdcml:stacks:Observability": 1,
}
_PRIVATE = {
    "authorization:ManagementLockAtResourceLevel": 1,
    "datafactory:IntegrationRuntime": 1,
    "eventhub:NamespaceNetworkRuleSet": 1,
    "network:NetworkSecurityGroup": 1,
    "network:Subnet": 1,
    "network:VirtualNetwork": 1,
    "privatedns:PrivateZone": 9,
    "privatedns:VirtualNetworkLink": 9,
    "resources:Resource": 1,
    "cdcml:stacks:Network": 1,
}
EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    "seed": {
        "datafactory:ChangeDataCapture": 1,
        "datafactory:Factory": 1,
        "eventhub:ConsumerGroup": 1,
        "eventhub:EventHub": 1,
        "eventhub:Namespace": 1,
        "machinelearningservices:MachineLearningDataset": 1,
        "machinelearningservices:Workspace": 1,
        "resources:ResourceGroup": 1,
    },
    "dev": {
        **_COMMON,
        **{k: v for k, v in _PRIVATE.items() if k != "authorization:ManagementLockAtResourceLevel"},
        "authorization:RoleAssignment": 4,
        "cdcml:stacks:CdcSource": 1,
        "datafactory:ChangeDataCapture": 1,
        "datafactory:LinkedService": 2,
        "datafactory:ManagedPrivateEndpoint": 3,
        "eventgrid:SystemTopicEventSubscription": 1,
        "eventhub:ConsumerGroup": 1,
        "machinelearningservices:DataContainer": 2,
        "machinelearningservices:DataVersion": 2,
        "machinelearningservices:Datastore": 1,
        "monitor:DiagnosticSetting": 11,
        "network:PrivateDnsZoneGroup": 9,
        "network:PrivateEndpoint": 9,
        "sql:Database": 1,
        "sql:Server": 1,
        "sql:ServerBlobAuditingPolicy": 1,
        "storage:BlobContainer": 1,
    },
    "prod": {
        **_COMMON,
        **_PRIVATE,
        "authorization:RoleAssignment": 5,
        "cdcml:stacks:CdcSource": 1,
        "datafactory:ChangeDataCapture": 1,
        "datafactory:LinkedService": 2,
        "datafactory:ManagedPrivateEndpoint": 3,
        "eventgrid:SystemTopicEventSubscription": 1,
        "eventhub:ConsumerGroup": 2,
        "machinelearningservices:DataContainer": 2,
        "machinelearningservices:DataVersion": 2,
        "machinelearningservices:Datastore": 1,
        "monitor:DiagnosticSetting": 11,
        "network:PrivateDnsZoneGroup": 9,
        "network:PrivateEndpoint": 9,
        "sql:Database": 1,
        "sql:Server": 1,
        "sql:ServerBlobAuditingPolicy": 1,
        "storage:BlobContainer": 2,
    },
    "fanin": {
        **_COMMON,
        **_PRIVATE,
        "authorization:RoleAssignment": 7,
        "cdcml:stacks:CdcSource": 2,
        "datafactory:ChangeDataCapture": 2,
        "datafactory:LinkedService": 3,
        "datafactory:ManagedPrivateEndpoint": 4,
        "eventgrid:SystemTopicEventSubscription": 2,
        "eventhub:ConsumerGroup": 2,
        "machinelearningservices:DataContainer": 4,
        "machinelearningservices:DataVersion": 4,
        "machinelearningservices:Datastore": 2,
        "monitor:DiagnosticSetting": 13,
        "network:PrivateDnsZoneGroup": 10,
        "network:PrivateEndpoint": 10,
        "sql:Database": 2,
        "sql:Server": 2,
        "sql:ServerBlobAuditingPolicy": 2,
        "storage:BlobContainer": 3,
    },
}

# Public-access flags and the private-link groups a private endpoint must cover, per type.
_PUBLIC_FLAG = {
    "storage:StorageAccount": ("publicNetworkAccess", "Disabled"),
    "sql:Server": ("publicNetworkAccess", "Disabled"),
    "datafactory:Factory": ("publicNetworkAccess", "Disabled"),
    "eventhub:Namespace": ("publicNetworkAccess", "Disabled"),
    "machinelearningservices:Workspace": ("publicNetworkAccess", "Disabled"),
    "keyvault:Vault": ("properties.publicNetworkAccess", "disabled"),
}
_EXPECTED_GROUPS = {
    "sql:Server": {"sqlServer"},
    "datafactory:Factory": {"dataFactory"},
    "eventhub:Namespace": {"namespace"},
    "machinelearningservices:Workspace": {"amlworkspace"},
    "keyvault:Vault": {"vault"},
}
# Resources with platform logs (a SQL logical server has none of its own: its databases
# do, and its audit events arrive through the master database).
_PAAS = (*(t for t in _PUBLIC_FLAG if t != "sql:Server"), "sql:Database", "eventgrid:SystemTopic")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def stack_config_values() -> Callable[[str], dict[str, str]]:
    """``stack_config_values("prod")`` → the profile's flat stack configuration."""
    project = load_project(ROOT)
    return lambda stack: dict(load_stack_config(project, stack, None).values)


# --------------------------------------------------------------------------- helpers


def _props(resource: Resource) -> dict[str, Any]:
    return {k: thaw(reveal(v)) for k, v in resource.inputs.items()}


def _get(props: Mapping[str, Any], path: str) -> Any:
    value: Any = props
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _of(graph: ResourceGraph, short_type: str) -> list[Resource]:
    token = short_type if short_type.startswith("cdcml:") else AN + short_type
    return [r for r in graph.resources if r.type == token]


def _dsl(props: Any) -> dict[str, Any]:
    return {p["name"]: p["value"] for p in props or []}


def _plan(values: Mapping[str, str], stack: str) -> ReferencePlan:
    plan = plan_stack(values, project="cdcml", stack=stack)
    assert isinstance(plan, ReferencePlan)
    return plan


def _all_values(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _all_values(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _all_values(v)
    else:
        yield value


# --------------------------------------------------------------------------- capture


@pytest.mark.parametrize("profile", STACK_PROFILES)
def test_every_profile_captures_with_its_documented_resources(stack_captures: Any, profile: str) -> None:
    """Every profile captures without error, in both output modes, declaring exactly the
    resources per type that docs/stacks.md documents."""
    for mode in ("preview", "resolved"):
        graph = stack_captures(profile, mode)
        counts = Counter(r.type.removeprefix(AN) for r in graph.resources if r.type.startswith((AN, "cdcml:stacks:")))
        assert dict(counts) == EXPECTED_COUNTS[profile], mode
        assert not [d for d in graph.diagnostics if "failed" in d or "error" in d], graph.diagnostics


def test_docs_list_every_profile_resource_count() -> None:
    """docs/stacks.md shows the resource table the previous test enforces."""
    text = (ROOT / "docs" / "stacks.md").read_text()
    for profile, counts in EXPECTED_COUNTS.items():
        assert f"| **{profile}** | **{sum(counts.values())}** |" in text, profile


# --------------------------------------------------------------------------- CDC → ML


def _cdc_targets(graph: ResourceGraph) -> set[tuple[str, str, str]]:
    """(account, filesystem, folder) of every CDC target entity, through its linked service."""
    links = {
        (_get(_props(r), "factoryName"), _get(_props(r), "linkedServiceName")): _props(r)["properties"]
        for r in _of(graph, "datafactory:LinkedService")
    }
    out: set[tuple[str, str, str]] = set()
    for cdc in _of(graph, "datafactory:ChangeDataCapture"):
        props = _props(cdc)
        for info in props["targetConnectionsInfo"]:
            ref = info["connection"]["linkedService"]["referenceName"]
            link = links[(props["factoryName"], ref)]
            assert link["type"] == "AzureBlobFS"
            match = re.fullmatch(r"https://([a-z0-9]+)\.dfs\.core\.windows\.net/?", link["url"])
            assert match, link["url"]
            for entity in info["targetEntities"]:
                dsl = _dsl(entity["dslConnectorProperties"])
                out.add((match.group(1), dsl["fileSystem"], dsl["folderPath"].strip("/")))
    return out


def _asset_paths(graph: ResourceGraph) -> set[tuple[str, str, str]]:
    """(account, filesystem, folder) every ML data asset version reads, through its datastore."""
    stores = {
        (_get(_props(r), "workspaceName"), _props(r)["name"]): _props(r)["properties"]
        for r in _of(graph, "machinelearningservices:Datastore")
    }
    out: set[tuple[str, str, str]] = set()
    for version in _of(graph, "machinelearningservices:DataVersion"):
        props = _props(version)
        uri = props["properties"]["dataUri"]
        match = re.fullmatch(r"azureml://datastores/([a-z0-9_]+)/paths/(.+?)/?", uri)
        assert match, uri
        store = stores[(props["workspaceName"], match.group(1))]
        assert store["datastoreType"] == "AzureDataLakeGen2"
        out.add((store["accountName"], store["filesystem"], match.group(2)))
    return out


@pytest.mark.parametrize("profile", REFERENCE_PROFILES)
def test_the_cdc_target_is_the_path_the_ml_data_asset_reads(stack_captures: Any, profile: str) -> None:
    """For every CDC target entity, the (account, filesystem, folder) it writes equals
    the one an ML data asset reads through its datastore, and no data asset reads a path
    no CDC writes."""
    graph = stack_captures(profile)
    targets = _cdc_targets(graph)
    assert targets, "the profile declares no CDC target"
    assert _asset_paths(graph) == targets
    accounts = {r.outputs["name"] for r in _of(graph, "storage:StorageAccount") if _props(r).get("isHnsEnabled")}
    assert {account for account, _, _ in targets} <= accounts


@pytest.mark.parametrize("profile", REFERENCE_PROFILES)
def test_every_data_asset_records_its_cdc_lineage(stack_captures: Any, profile: str) -> None:
    """Each data asset names the factory, the CDC and the source entity that produce it."""
    graph = stack_captures(profile)
    cdcs = {
        (_props(c)["factoryName"], _props(c)["changeDataCaptureName"])
        for c in _of(graph, "datafactory:ChangeDataCapture")
    }
    for version in _of(graph, "machinelearningservices:DataVersion"):
        tags = _props(version)["properties"]["tags"]
        assert (tags["cdc-factory"], tags["cdc-name"]) in cdcs
        assert _props(version)["version"] == "1"


# --------------------------------------------------------------------------- consumers


@pytest.mark.parametrize("profile", REFERENCE_PROFILES)
def test_every_declared_consumer_has_its_own_consumer_group(
    stack_captures: Any, stack_config_values: Any, profile: str
) -> None:
    """Each ML consumer declared in cdcml:mlConsumers reads the hub through a consumer
    group of its own, recorded as its consumer in userMetadata."""
    plan = _plan(stack_config_values(profile), profile)
    graph = stack_captures(profile)
    groups = _of(graph, "eventhub:ConsumerGroup")
    hubs = {r.outputs["name"] for r in _of(graph, "eventhub:EventHub")}
    assert plan.eventing.consumers
    assert len(groups) == len(plan.eventing.consumers)
    names = [_props(g)["consumerGroupName"] for g in groups]
    assert len(set(names)) == len(names)
    assert "$Default" not in names
    for consumer in plan.eventing.consumers:
        (group,) = [g for g in groups if _props(g)["consumerGroupName"] == consumer.name]
        assert _props(group)["eventHubName"] in hubs
        metadata = json.loads(_props(group)["userMetadata"])
        assert metadata["consumer"].endswith(f"/{consumer.name}")
        assert metadata["purpose"] == consumer.purpose.value


def test_fanin_fans_two_sources_into_one_landing_zone_for_two_consumers(stack_captures: Any) -> None:
    """fanin: two sources, two CDCs, one HNS landing account, two consumer groups."""
    graph = stack_captures("fanin")
    landing = [r for r in _of(graph, "storage:StorageAccount") if _props(r).get("isHnsEnabled")]
    assert len(landing) == 1
    targets = _cdc_targets(graph)
    assert {account for account, _, _ in targets} == {landing[0].outputs["name"]}
    assert len({fs for _, fs, _ in targets}) == 2
    assert len(_of(graph, "datafactory:ChangeDataCapture")) == 2
    assert len({_props(g)["consumerGroupName"] for g in _of(graph, "eventhub:ConsumerGroup")}) == 2


# --------------------------------------------------------------------------- private access


@pytest.mark.parametrize("profile", REFERENCE_PROFILES)
def test_every_resource_without_public_access_has_private_endpoints_resolved_by_private_dns(
    stack_captures: Any, profile: str
) -> None:
    """A PaaS resource with public network access disabled has private endpoints covering
    its group ids (an HNS account both blob and dfs), each in a DNS zone group holding
    every zone of its group id, each zone linked to the VNet without auto-registration."""
    graph = stack_captures(profile)
    endpoints = _of(graph, "network:PrivateEndpoint")
    zone_groups = _of(graph, "network:PrivateDnsZoneGroup")
    zones = {r.id: r for r in _of(graph, "privatedns:PrivateZone")}
    links = _of(graph, "privatedns:VirtualNetworkLink")
    vnets = {r.id for r in _of(graph, "network:VirtualNetwork")}
    private_types: set[str] = set()
    for short_type, (flag, disabled) in _PUBLIC_FLAG.items():
        for resource in _of(graph, short_type):
            props = _props(resource)
            if _get(props, flag) != disabled:
                continue
            private_types.add(short_type)
            expected = _EXPECTED_GROUPS.get(short_type) or ({"blob", "dfs"} if props.get("isHnsEnabled") else {"blob"})
            mine = [
                pe
                for pe in endpoints
                if any(c["privateLinkServiceId"] == resource.id for c in _props(pe)["privateLinkServiceConnections"])
            ]
            covered = {g for pe in mine for c in _props(pe)["privateLinkServiceConnections"] for g in c["groupIds"]}
            assert expected <= covered, (resource.name, covered)
            for pe in mine:
                (group,) = [g for c in _props(pe)["privateLinkServiceConnections"] for g in c["groupIds"]]
                (zone_group,) = [zg for zg in zone_groups if _props(zg)["privateEndpointName"] == pe.outputs["name"]]
                zone_ids = [c["privateDnsZoneId"] for c in _props(zone_group)["privateDnsZoneConfigs"]]
                zone_names = {zones[z].outputs["name"] for z in zone_ids}
                assert zone_names == set(PRIVATE_DNS_ZONES[PrivateLinkGroup(group)]), pe.name
                for zone_id in zone_ids:
                    zone_links = [lk for lk in links if _props(lk)["privateZoneName"] == zones[zone_id].outputs["name"]]
                    assert zone_links, zone_id
                    for link in zone_links:
                        assert _props(link)["virtualNetwork"]["id"] in vnets
                        assert _props(link)["registrationEnabled"] is False
    assert private_types == set(_PUBLIC_FLAG)


# --------------------------------------------------------------------------- identity, tags, logs


@pytest.mark.parametrize("profile", REFERENCE_PROFILES)
def test_role_assignments_grant_least_privilege_on_single_containers_and_the_hub(
    stack_captures: Any, profile: str
) -> None:
    """Every role assignment goes to a managed identity of the pipeline, for a data-plane
    role, on one container or the hub: ADF writes (Contributor), ML reads (Reader)."""
    graph = stack_captures(profile)
    containers = {r.id: r for r in _of(graph, "storage:BlobContainer")}
    hubs = {r.id for r in _of(graph, "eventhub:EventHub")}
    principals = {
        _get(r.outputs, "identity.principalId"): r.type.removeprefix(AN)
        for short in (
            "datafactory:Factory",
            "machinelearningservices:Workspace",
            "eventhub:Namespace",
            "eventgrid:SystemTopic",
        )
        for r in _of(graph, short)
        if isinstance(r.outputs.get("identity"), Mapping)
    }
    roles = {guid: role for role, guid in ROLE_DEFINITION_IDS.items()}
    granted: set[tuple[str, str]] = set()
    for assignment in _of(graph, "authorization:RoleAssignment"):
        props = _props(assignment)
        role = roles[props["roleDefinitionId"].rsplit("/", 1)[1]]
        who = principals[props["principalId"]]
        assert props["principalType"] == "ServicePrincipal"
        assert props["scope"] in containers or props["scope"] in hubs
        granted.add((who, role.value))
        if who == "datafactory:Factory":
            assert role.value == "Storage Blob Data Contributor"
            assert _props(containers[props["scope"]])["metadata"]["purpose"] == "cdc-landing"
        if who == "machinelearningservices:Workspace" and props["scope"] in containers:
            assert role.value == "Storage Blob Data Reader"
    assert ("datafactory:Factory", "Storage Blob Data Contributor") in granted
    assert ("machinelearningservices:Workspace", "Storage Blob Data Reader") in granted


@pytest.mark.parametrize("profile", REFERENCE_PROFILES)
def test_every_taggable_resource_carries_the_required_tags(stack_captures: Any, profile: str) -> None:
    """Every resource whose type takes tags carries owner, cost-center, environment and
    data-classification (private DNS zones and links included). The generic ARM resource
    (the factory's managed VNet, a proxy resource) takes no tags in ARM."""
    from cdcml.capture.azure import input_names

    graph = stack_captures(profile, "preview")
    taggable = [
        r
        for r in graph.resources
        if r.type.startswith(AN) and "tags" in input_names(r.type) and r.type != AN + "resources:Resource"
    ]
    assert len(taggable) > 10
    for resource in taggable:
        tags = _props(resource).get("tags") or {}
        missing = [t for t in (*REQUIRED_TAGS, "environment") if not tags.get(t)]
        assert not missing, (resource.name, missing)


@pytest.mark.parametrize("profile", REFERENCE_PROFILES)
def test_every_paas_resource_sends_its_logs_to_log_analytics(stack_captures: Any, profile: str) -> None:
    """Each PaaS resource (and each storage account's blob service) has a diagnostic
    setting to the stack's Log Analytics workspace with logs or metrics enabled."""
    graph = stack_captures(profile)
    (workspace,) = _of(graph, "operationalinsights:Workspace")
    settings = {_props(d)["resourceUri"]: _props(d) for d in _of(graph, "monitor:DiagnosticSetting")}
    uris = [r.id for short in _PAAS for r in _of(graph, short)]
    uris += [f"{r.id}/blobServices/default" for r in _of(graph, "storage:StorageAccount")]
    for uri in uris:
        setting = settings[uri]
        assert setting["workspaceId"] == workspace.id
        enabled = [x for x in (setting.get("logs") or []) + (setting.get("metrics") or []) if x["enabled"]]
        assert enabled, uri
    sql_servers = [r.id for r in _of(graph, "sql:Server")]
    for server in sql_servers:
        audit = settings[f"{server}/databases/master"]
        assert {x["category"] for x in audit["logs"]} == {"SQLSecurityAuditEvents"}


# --------------------------------------------------------------------------- outputs


@pytest.mark.parametrize("profile", STACK_PROFILES)
def test_the_seed_outputs_are_still_exported(stack_captures: Any, profile: str) -> None:
    """change_data_capture_name and machine_learning_dataset_name name a CDC and an ML
    dataset (the legacy dataset, or the v2 data asset that replaced it) of the stack."""
    graph = stack_captures(profile)
    cdc = graph.outputs["change_data_capture_name"]
    dataset = graph.outputs["machine_learning_dataset_name"]
    assert cdc in {r.outputs["name"] for r in _of(graph, "datafactory:ChangeDataCapture")}
    datasets = {r.outputs["name"] for r in _of(graph, "machinelearningservices:MachineLearningDataset")}
    datasets |= {r.outputs["name"] for r in _of(graph, "machinelearningservices:DataContainer")}
    assert dataset in datasets
    for value in _all_values(thaw(graph.outputs)):
        assert not is_unknown(value)


# --------------------------------------------------------------------------- the pack and the CLI


def test_prod_has_no_mandatory_violation_with_the_pack() -> None:
    """`cdcml preview --stack prod` reports no mandatory violation with the pack as it
    stands, in preview and in resolved mode."""
    from cdcml.engine.pack import DEFAULT_PACK
    from cdcml.runs.preview import preview

    for mode in ("preview", "resolved"):
        result = preview(ROOT, "prod", pack_dirs=[ROOT / DEFAULT_PACK], mode=mode)
        assert [(f.policy, f.urn) for f in result.stacks[0].findings.mandatory] == [], mode


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        (
            "cdcml:sources",
            '[{"name":"orders","tables":["dbo.orders"],"latencyMinutes":5}]',
            "cdcml:sources[0].latencyMinutes",
        ),
        ("cdcml:sources", '[{"name":"orders","tables":["dbo.orders"],"sku":"S1"}]', "cdcml:sources[0].sku"),
        ("cdcml:eventHubs", '{"sku":"Gold"}', "cdcml:eventHubs.sku"),
        ("cdcml:eventHubs", '{"retentionHours":500}', "cdcml:eventHubs.retentionHours"),
        ("cdcml:privateNetworking", "maybe", "cdcml:privateNetworking"),
        ("cdcml:prefix", "Bad_Prefix", "cdcml:prefix"),
        ("cdcml:tags", '{"owner":"me"}', "cdcml:tags.cost-center"),
        ("cdcml:sqlAdmin", '{"login":"sg-admins","objectId":"not-a-guid"}', "cdcml:sqlAdmin.objectId"),
        ("cdcml:landing", '{"deleteAfterDays":400}', "cdcml:landing.deleteAfterDays"),
        ("cdcml:sourcez", "[]", "cdcml:sourcez"),
    ],
)
def test_a_bad_config_value_exits_2_with_one_line_naming_the_key(
    capsys: pytest.CaptureFixture[str], key: str, value: str, named: str
) -> None:
    """`cdcml preview --stack dev --config <key>=<bad>` exits 2 and prints one line that
    names the key (no traceback)."""
    code, out, err = cli(capsys, "preview", str(ROOT), "--stack", "dev", "--config", f"{key}={value}")
    assert code == 2 and out == ""
    assert named in one_line_error(err)
