"""plan_stack: the stack configuration schema, enforced. A good configuration plans into
the Args of every component; a bad one raises one ConfigError line naming the key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdcml.capture.project import load_project, load_stack_config
from cdcml.errors import ConfigError
from cdcml.stacks import EventHubsSku, LandingSku, ReferencePlan, SeedPlan, plan_stack
from cdcml.stacks.config import CONFIG_SCHEMA, Environment
from cdcml.stacks.wiring import DataRole, GrantScope, Principal

ROOT = Path(__file__).resolve().parents[2]

MINIMAL: dict[str, str] = {
    "azure-native:location": "westeurope",
    "cdcml:profile": "prod",
    "cdcml:tags": json.dumps({"owner": "me@example.com", "cost-center": "cc-1", "data-classification": "internal"}),
    "cdcml:sqlAdmin": json.dumps({"login": "sg-admins", "objectId": "6b0e9a2f-3c1d-4e5f-8a7b-9c0d1e2f3a4b"}),
    "cdcml:sources": json.dumps([{"name": "orders", "tables": ["dbo.orders"]}]),
}


def plan(values: dict[str, str], stack: str = "prod") -> ReferencePlan:
    result = plan_stack(values, project="cdcml", stack=stack)
    assert isinstance(result, ReferencePlan)
    return result


def with_(**changes: Any) -> dict[str, str]:
    values = dict(MINIMAL)
    for key, value in changes.items():
        # azure__native__location → azure-native:location; anything else is a cdcml: key.
        full = "azure-native:" + key.rsplit("__", 1)[1] if key.startswith("azure__") else f"cdcml:{key}"
        if value is None:
            values.pop(full, None)
        else:
            values[full] = value if isinstance(value, str) else json.dumps(value)
    return values


def test_the_seed_profile_plans_the_original_system() -> None:
    assert plan_stack({"cdcml:profile": "seed"}, project="cdcml", stack="anything") == SeedPlan()
    assert plan_stack({}, project="cdcml", stack="seed") == SeedPlan()


def test_a_minimal_configuration_gets_the_hardened_defaults() -> None:
    p = plan(MINIMAL)
    assert p.private_networking is True
    assert p.network is not None
    assert p.environment is Environment.PROD
    assert p.resource_group_name == "rg-cdcml-prod"
    assert p.landing.sku is LandingSku.STANDARD_ZRS
    assert p.landing.delete_lock is True
    assert p.landing.capture_container is True
    assert p.eventing.sku is EventHubsSku.STANDARD
    assert p.eventing.capture is True
    assert p.eventing.public_network_access is False
    assert p.ingestion.managed_virtual_network is True
    assert p.ml.managed_network is True
    assert p.observability.retention_days == 90
    assert dict(p.tags) == {
        "owner": "me@example.com",
        "cost-center": "cc-1",
        "data-classification": "internal",
        "environment": "prod",
        "cdcml-profile": "prod",
    }
    assert {(g.principal, g.role, g.scope, g.target) for g in p.identity.grants} == {
        (Principal.DATA_FACTORY, DataRole.STORAGE_BLOB_DATA_CONTRIBUTOR, GrantScope.LANDING_CONTAINER, "orders"),
        (Principal.ML_WORKSPACE, DataRole.STORAGE_BLOB_DATA_READER, GrantScope.LANDING_CONTAINER, "orders"),
        (Principal.EVENT_GRID_TOPIC, DataRole.EVENT_HUBS_DATA_SENDER, GrantScope.EVENT_HUB, "cdc-changes"),
        (
            Principal.EVENT_HUBS_NAMESPACE,
            DataRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
            GrantScope.CAPTURE_CONTAINER,
            "eventhub-capture",
        ),
    }


@pytest.mark.parametrize(
    ("stack", "environment"), [("prod", "prod"), ("team-prod", "prod"), ("uat", "test"), ("fanin", "dev")]
)
def test_the_environment_defaults_to_what_the_guardrails_derive_from_the_stack_name(
    stack: str, environment: str
) -> None:
    assert plan(MINIMAL, stack).environment.value == environment


def test_consumers_get_event_hub_receiver_on_the_hub() -> None:
    p = plan(with_(mlConsumers=[{"name": "churn-training"}, {"name": "churn-scoring", "purpose": "scoring"}]))
    assert [c.name for c in p.eventing.consumers] == ["churn-training", "churn-scoring"]
    assert p.eventing.consumer_workspace == "cdcml-ml"
    assert any(g.role is DataRole.EVENT_HUBS_DATA_RECEIVER for g in p.identity.grants)


def test_public_networking_drops_the_network_and_opens_every_component() -> None:
    p = plan(with_(privateNetworking=False))
    assert p.network is None
    assert all(s.public_network_access for s in p.sources)
    assert p.landing.public_network_access and p.eventing.public_network_access and p.ml.public_network_access
    assert not p.ingestion.managed_virtual_network and not p.ml.managed_network


@pytest.mark.parametrize("stack", ["dev", "prod", "fanin"])
def test_the_repository_profiles_plan(stack: str) -> None:
    values = dict(load_stack_config(load_project(ROOT), stack, None).values)
    p = plan(values, stack)
    assert p.profile == stack
    assert p.network is not None, "every repository profile uses private networking"
    assert len(p.sources) == (2 if stack == "fanin" else 1)
    assert len(p.eventing.consumers) == (1 if stack == "dev" else 2)
    assert [t.filesystem for t in p.targets] == [t.source for t in p.targets]


BAD: dict[str, tuple[dict[str, Any], str]] = {
    "no_location": ({"azure__native__location": None}, "azure-native:location is required"),
    "location_display_name": ({"azure__native__location": "West Europe"}, "azure-native:location must be"),
    "unknown_profile": ({"profile": "staging"}, "cdcml:profile must be one of seed, dev, prod or fanin"),
    "unknown_key": ({"sourcez": []}, "cdcml:sourcez is not a configuration key"),
    "nested_path_as_a_key": (
        {"ingestion.git": {"accountName": "c", "repositoryName": "r"}},
        "cdcml:ingestion.git is not a configuration key of this program",
    ),
    "unknown_nested_key": ({"landing": {"softDelete": 7}}, "cdcml:landing.softDelete is not a configuration key"),
    "bad_environment": ({"environment": "qa"}, "cdcml:environment must be one of dev, test or prod"),
    "bad_prefix": ({"prefix": "CDC"}, "cdcml:prefix must be 3 to 10 lowercase"),
    "no_tags": ({"tags": None}, "cdcml:tags is required"),
    "no_owner_tag": ({"tags": {"cost-center": "c", "data-classification": "internal"}}, "cdcml:tags.owner is required"),
    "bad_classification": (
        {"tags": {"owner": "o", "cost-center": "c", "data-classification": "secret"}},
        "cdcml:tags.data-classification must be one of public",
    ),
    "conflicting_environment_tag": (
        {"tags": {"owner": "o", "cost-center": "c", "data-classification": "internal", "environment": "dev"}},
        "cdcml:tags.environment must be absent or equal",
    ),
    "tag_name_with_slash": (
        {"tags": {"owner": "o", "cost-center": "c", "data-classification": "internal", "a/b": "x"}},
        "cdcml:tags must be tag names",
    ),
    "no_sql_admin": ({"sqlAdmin": None}, "cdcml:sqlAdmin is required"),
    "sql_admin_without_object_id": ({"sqlAdmin": {"login": "x"}}, "cdcml:sqlAdmin.objectId is required"),
    "sql_admin_bad_object_id": (
        {"sqlAdmin": {"login": "x", "objectId": "nope"}},
        "cdcml:sqlAdmin.objectId must be the Entra object id",
    ),
    "sql_admin_service_principal": (
        {"sqlAdmin": {"login": "x", "objectId": "6b0e9a2f-3c1d-4e5f-8a7b-9c0d1e2f3a4b", "principalType": "SP"}},
        "cdcml:sqlAdmin.principalType must be one of Group",
    ),
    "sources_not_json": ({"sources": "[{"}, "cdcml:sources must be valid JSON"),
    "no_sources": ({"sources": []}, "cdcml:sources must be a list of 1 to 4 objects"),
    "source_without_tables": ({"sources": [{"name": "orders"}]}, "cdcml:sources[0] needs a name and tables"),
    "duplicate_source": (
        {"sources": [{"name": "orders", "tables": ["dbo.a"]}, {"name": "orders", "tables": ["dbo.b"]}]},
        "cdcml:sources[1].name must be a source name not used before",
    ),
    "source_name_hyphen": ({"sources": [{"name": "ord-ers", "tables": ["dbo.a"]}]}, "cdcml:sources[0].name must be"),
    "tables_not_a_list": (
        {"sources": [{"name": "orders", "tables": "dbo.a"}]},
        "cdcml:sources[0].tables must be a list",
    ),
    "table_without_schema": (
        {"sources": [{"name": "orders", "tables": ["orders"]}]},
        "cdcml:sources[0].tables[0] must be a schema-qualified",
    ),
    "null_table": (
        {"sources": [{"name": "orders", "tables": [None]}]},
        "cdcml:sources[0].tables[0] must be a schema-qualified",
    ),
    "every_minute": (
        {"sources": [{"name": "orders", "tables": ["dbo.a"], "latencyMinutes": 1}]},
        "cdcml:sources[0].latencyMinutes must be an integer from 15 to 120",
    ),
    "sku_without_cdc": (
        {"sources": [{"name": "orders", "tables": ["dbo.a"], "sku": "S0"}]},
        "cdcml:sources[0].sku must be one of S3",
    ),
    "csv_target": (
        {"sources": [{"name": "orders", "tables": ["dbo.a"], "format": "csv"}]},
        "cdcml:sources[0].format must be one of delta or parquet",
    ),
    "private_as_string": ({"privateNetworking": "yes"}, "cdcml:privateNetworking must be true or false"),
    "subnet_outside": (
        {"network": {"addressSpace": "10.1.0.0/16", "privateEndpointSubnet": "10.2.0.0/24"}},
        "cdcml:network.privateEndpointSubnet must be a block inside",
    ),
    "core_count": ({"ingestion": {"coreCount": 64}}, "cdcml:ingestion.coreCount must be one of 8, 16 or 32"),
    "git_root": (
        {"ingestion": {"git": {"accountName": "c", "repositoryName": "r", "rootFolder": "adf"}}},
        "cdcml:ingestion.git.rootFolder must be",
    ),
    "git_unknown_key": (
        {"ingestion": {"git": {"accountName": "c", "repositoryName": "r", "branch": "main"}}},
        "cdcml:ingestion.git.branch is not a configuration key",
    ),
    "premium_landing": ({"landing": {"sku": "Premium_LRS"}}, "cdcml:landing.sku must be one of Standard_LRS"),
    "expire_delta": ({"landing": {"deleteAfterDays": 400}}, "cdcml:landing.deleteAfterDays must be 0 while a source"),
    "soft_delete_zero": ({"landing": {"softDeleteDays": 0}}, "cdcml:landing.softDeleteDays must be an integer"),
    "event_hubs_tier": ({"eventHubs": {"sku": "Gold"}}, "cdcml:eventHubs.sku must be one of Basic"),
    "retention_over_a_week": ({"eventHubs": {"retentionHours": 200}}, "cdcml:eventHubs.retentionHours must be"),
    "capture_as_string": ({"eventHubs": {"capture": "yes"}}, "cdcml:eventHubs.capture must be true or false"),
    "private_basic": (
        {"eventHubs": {"sku": "Basic", "retentionHours": 24, "capture": False}},
        "cdcml:privateNetworking must be false on the Basic tier (it has no private link) (got True)",
    ),
    "consumers_on_basic": (
        {
            "privateNetworking": False,
            "eventHubs": {"sku": "Basic", "retentionHours": 24, "capture": False},
            "mlConsumers": [{"name": "job-one"}],
        },
        "cdcml:mlConsumers must be empty on the Basic tier",
    ),
    "duplicate_consumer": (
        {"mlConsumers": [{"name": "job-one"}, {"name": "job-one"}]},
        "cdcml:mlConsumers[1].name must be a consumer name not used before",
    ),
    "consumer_purpose": (
        {"mlConsumers": [{"name": "job-one", "purpose": "fun"}]},
        "cdcml:mlConsumers[0].purpose must be one of training",
    ),
    "legacy_as_string": ({"ml": {"legacyDatasets": "no"}}, "cdcml:ml.legacyDatasets must be true or false"),
    "log_retention_week": ({"logs": {"retentionDays": 7}}, "cdcml:logs.retentionDays must be an integer from 30"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_value_raises_one_config_error_line_naming_the_key(case: str) -> None:
    changes, message = BAD[case]
    with pytest.raises(ConfigError) as caught:
        plan(with_(**changes))
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


# Every form of message, in full: derived from the schema's keywords, from x-allowed,
# x-error and x-missing, from the reader, and from the rules on top of the schema.
EXACT: dict[str, tuple[dict[str, Any], str]] = {
    "not_json": ({"landing": "{sku"}, "cdcml:landing must be valid JSON (got '{sku')"),
    "string_type": ({"environment": "15"}, "cdcml:environment must be a string (got 15)"),
    "pattern_after_type": (
        {"prefix": "abc\n"},
        "cdcml:prefix must be 3 to 10 lowercase letters or digits, starting with a letter (got 'abc\\n')",
    ),
    "location_empty_is_unset": (
        {"azure__native__location": ""},
        "azure-native:location is required: the Azure region of the stack (e.g. westeurope)",
    ),
    "location_not_decoded": (
        {"azure__native__location": "15"},
        "azure-native:location must be an Azure region name such as westeurope (got '15')",
    ),
    "required_object": ({"sqlAdmin": None}, "cdcml:sqlAdmin is required"),
    "object_type": ({"sqlAdmin": "admins"}, "cdcml:sqlAdmin must be an object (got 'admins')"),
    "unknown_field": (
        {"sqlAdmin": {"login": "x", "objectId": "6b0e9a2f-3c1d-4e5f-8a7b-9c0d1e2f3a4b", "type": "Group"}},
        "cdcml:sqlAdmin.type is not a configuration key (keys: login, objectId, principalType)",
    ),
    "required_field": ({"sqlAdmin": {"objectId": "x"}}, "cdcml:sqlAdmin.login is required"),
    "missing_list_is_empty": ({"sources": None}, "cdcml:sources must be a list of 1 to 4 objects (got [])"),
    "list_of_objects_shows_the_list": (
        {"sources": [{"name": "a"}] * 5},
        "cdcml:sources must be a list of 1 to 4 objects (got [{'name': 'a'}, {'name': 'a'}, {'name': 'a'}, "
        "{'name': 'a'}, {'name': 'a'}])",
    ),
    "list_of_strings_shows_the_count": (
        {"sources": [{"name": "orders", "tables": []}]},
        "cdcml:sources[0].tables must be a list of 1 to 20 items (got 0)",
    ),
    "item_type": ({"sources": [7]}, "cdcml:sources[0] must be an object (got 7)"),
    "missing_value_reads_as_none": (
        {"mlConsumers": [{"purpose": "scoring"}]},
        "cdcml:mlConsumers[0].name must be 3 to 50 lowercase letters, digits or '-', starting with a letter (got None)",
    ),
    "enum_of_numbers": (
        {"ingestion": {"coreCount": 12}},
        "cdcml:ingestion.coreCount must be one of 8, 16 or 32 (got 12)",
    ),
    "enum_without_type": (
        {"landing": {"sku": 3}},
        "cdcml:landing.sku must be one of Standard_LRS, Standard_ZRS, "
        "Standard_GRS, Standard_GZRS, Standard_RAGRS or Standard_RAGZRS (got 3)",
    ),
    "boolean": ({"landing": {"deleteLock": "no"}}, "cdcml:landing.deleteLock must be true or false (got 'no')"),
    "any_of": (
        {"logs": {"dailyQuotaGb": 0}},
        "cdcml:logs.dailyQuotaGb must be -1 (no cap) or an integer from 1 to 10000 (got 0)",
    ),
    "tier_range": (
        {"eventHubs": {"sku": "Premium", "capacity": "2"}},
        "cdcml:eventHubs.capacity must be an integer from 1 to 16 (got '2')",
    ),
    "tier_default_out_of_range": (
        {"privateNetworking": False, "mlConsumers": [], "eventHubs": {"sku": "Basic", "capture": False}},
        "cdcml:eventHubs.retentionHours must be an integer from 1 to 24 (got 72)",
    ),
    "tier_const": (
        {
            "privateNetworking": False,
            "mlConsumers": [],
            "eventHubs": {"sku": "Basic", "retentionHours": 1, "capture": True},
        },
        "cdcml:eventHubs.capture must be false on the Basic tier (Capture needs Standard or Premium) (got True)",
    ),
    "auto_inflate_below_capacity": (
        {"eventHubs": {"capacity": 8}},
        "cdcml:eventHubs.maxThroughputUnits must be 0 (no auto-inflate) or 8 to 40 (got 4)",
    ),
    "auto_inflate_off_tier": (
        {"eventHubs": {"sku": "Premium", "maxThroughputUnits": "4"}},
        "cdcml:eventHubs.maxThroughputUnits must be 0 on the Premium tier (auto-inflate is Standard only) (got '4')",
    ),
    "too_many_consumers_for_the_tier": (
        {"mlConsumers": [{"name": f"job-{i:02d}"} for i in range(20)]},
        "cdcml:mlConsumers must be a list of 0 to 19 items (got 20)",
    ),
    "float_integer": (
        {"sources": [{"name": "orders", "tables": ["dbo.a"], "latencyMinutes": 15.0}]},
        "cdcml:sources[0].latencyMinutes must be an integer from 15 to 120 (got 15.0)",
    ),
    "required_tag_blank": (
        {"tags": {"owner": " ", "cost-center": "c", "data-classification": "internal"}},
        "cdcml:tags.owner is required (a non-empty string)",
    ),
    "tag_value_type": (
        {"tags": {"owner": "o", "cost-center": "c", "data-classification": "internal", "tier": 1}},
        "cdcml:tags.tier must be a string (got 1)",
    ),
    "environment_tag_any_type": (
        {"tags": {"owner": "o", "cost-center": "c", "data-classification": "internal", "environment": 1}},
        "cdcml:tags.environment must be absent or equal to cdcml:environment (prod) (got 1)",
    ),
    "tag_value_too_long": (
        {"tags": {"owner": "o" * 257, "cost-center": "c", "data-classification": "internal"}},
        f"cdcml:tags['owner'] must be a string of at most 256 characters (got {'o' * 257!r})",
    ),
    "too_many_tags": (
        {
            "tags": {
                "owner": "o",
                "cost-center": "c",
                "data-classification": "internal",
                **{f"t{i}": "v" for i in range(46)},
            }
        },
        "cdcml:tags must be at most 50 tags (got '51 tags')",
    ),
    "duplicate_table": (
        {"sources": [{"name": "orders", "tables": ["dbo.a", "DBO.A"]}]},
        "cdcml:sources[0].tables[1] must be a table not listed before (got 'DBO.A')",
    ),
    "git_missing_account": (
        {"ingestion": {"git": {"repositoryName": "r"}}},
        "cdcml:ingestion.git.accountName must be a GitHub organisation or user name (got None)",
    ),
    "public_network_blocks_are_not_checked": ({"privateNetworking": False, "network": {"addressSpace": "x"}}, ""),
}


@pytest.mark.parametrize("case", EXACT)
def test_every_kind_of_bad_value_gets_its_exact_one_line_message(case: str) -> None:
    changes, message = EXACT[case]
    if not message:
        plan(with_(**changes))
        return
    with pytest.raises(ConfigError) as caught:
        plan(with_(**changes))
    assert str(caught.value) == message


def test_keys_of_other_namespaces_are_not_the_programs_to_check() -> None:
    plan(with_(**{"azure__native__subscriptionId": "x"}) | {"pulumi:template": "y", "aws:region": "z"})


def test_of_several_bad_values_the_first_in_schema_order_is_reported() -> None:
    """Keys in the order of docs/stacks.md's tables, fields in the order of their table."""
    bad = with_(logs={"retentionDays": 1}, prefix="X", landing={"softDeleteDays": 0, "sku": "Premium_LRS"})
    with pytest.raises(ConfigError, match=r"^cdcml:prefix must be"):
        plan(bad)
    with pytest.raises(ConfigError, match=r"^cdcml:landing\.sku must be"):
        plan({**bad, "cdcml:prefix": "cdcml"})
    with pytest.raises(ConfigError, match=r"^cdcml:prefix must be"):
        plan({**bad, "cdcml:landing": "{not json"})
    with pytest.raises(ConfigError, match=r"^cdcml:landing must be valid JSON"):
        plan({**bad, "cdcml:prefix": "cdcml", "cdcml:landing": "{not json"})


def test_the_schema_is_checked_before_the_rules_that_relate_several_values() -> None:
    """A duplicate source name (a rule across items) waits for the schema's last error."""
    bad = with_(
        sources=[{"name": "orders", "tables": ["dbo.a"]}, {"name": "orders", "tables": ["dbo.b"]}],
        logs={"retentionDays": 1},
    )
    with pytest.raises(ConfigError, match=r"^cdcml:logs\.retentionDays must be"):
        plan(bad)
    with pytest.raises(ConfigError, match=r"^cdcml:sources\[1\]\.name must be a source name not used before"):
        plan({k: v for k, v in bad.items() if k != "cdcml:logs"})


def test_every_schema_key_is_documented() -> None:
    """docs/stacks.md documents every key of the configuration schema."""
    text = (ROOT / "docs" / "stacks.md").read_text()
    for key, fields in CONFIG_SCHEMA.items():
        assert f"`cdcml:{key}`" in text, key
        for field in fields:
            assert f"`{field}`" in text, f"{key}.{field}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"logs": '{"retentionDays": ' + "9" * 5000 + "}"}, "cdcml:logs: retentionDays: an integer of 5,000 digits"),
        ({"logs": '{"retentionDays": ' + "9" * 400 + "}"}, "cdcml:logs: retentionDays: an integer of 400 digits"),
        ({"tags": '{"a": "\\ud800"}'}, "cdcml:tags: a: the string has a lone surrogate"),
        ({"tags": "[" * 200 + "]" * 200}, "cdcml:tags: [0][0]"),
        ({"profile": "x" * 100_000}, "cdcml:profile must be one of seed, dev, prod or fanin (got 'xxx"),
        ({"landing": "{" + "x" * 100_000}, "cdcml:landing must be valid JSON (got '{xxx"),
    ],
)
def test_a_value_a_program_cannot_use_is_one_short_line(changes: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        plan(with_(**changes))
    assert str(caught.value).startswith(message) and len(str(caught.value)) < 380
