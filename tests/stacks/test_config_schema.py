"""The stack configuration schema (src/cdcml/stacks/config.schema.json): shipped in the
package, a valid JSON Schema, in step with the components' Args, and the source of the
docs tables and of Pulumi.yaml's config: block."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from cdcml.capture.project import load_project
from cdcml.errors import ConfigError
from cdcml.model.values import render_config_value
from cdcml.stacks import (
    AdminPrincipalType,
    BackupRedundancy,
    ConsumerPurpose,
    EventHubsSku,
    LandingSku,
    SqlSku,
    TargetFormat,
    docs,
    plan_stack,
    schema,
)
from cdcml.stacks._args import LOCATION
from cdcml.stacks.cdc_ingestion import BRANCH, CORE_COUNTS, GITHUB_NAME, LATENCY_MINUTES, REPOSITORY, ROOT_FOLDER
from cdcml.stacks.cdc_source import ADMIN_LOGIN, GUID, SOURCE_NAME, TABLE
from cdcml.stacks.config import CONFIG_SCHEMA, PROFILES, REQUIRED_TAGS
from cdcml.stacks.eventing import CONSUMER, TIER_LIMITS
from cdcml.stacks.plan import DataClassification, Environment

ROOT = Path(__file__).resolve().parents[2]
KEYS = schema.SCHEMA["properties"]


def node(path: str) -> dict[str, Any]:
    """The schema of ``"cdcml:sources/items/name"``-style paths (``/`` between steps)."""
    head, *rest = path.split("/")
    current: dict[str, Any] = KEYS[head]
    for step in rest:
        current = current[step] if step == "items" else current["properties"][step]
    return current


def test_the_schema_is_package_data_and_a_valid_draft_2020_12_schema() -> None:
    text = resources.files("cdcml.stacks").joinpath("config.schema.json").read_text(encoding="utf-8")
    assert json.loads(text) == schema.SCHEMA
    Draft202012Validator.check_schema(schema.SCHEMA)


def test_the_repository_profiles_are_valid_against_the_schema() -> None:
    """A reference profile's config: mapping, as YAML, is an instance of the schema."""
    validator = Draft202012Validator(schema.SCHEMA)
    for profile in ("dev", "prod", "fanin"):
        config = yaml.safe_load((ROOT / f"Pulumi.{profile}.yaml").read_text())["config"]
        assert not list(validator.iter_errors(config)), profile


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("cdcml:profile", PROFILES),
        ("cdcml:environment", [e.value for e in Environment]),
        ("cdcml:tags/data-classification", [c.value for c in DataClassification]),
        ("cdcml:sqlAdmin/principalType", [t.value for t in AdminPrincipalType]),
        ("cdcml:sources/items/sku", [s.value for s in SqlSku]),
        ("cdcml:sources/items/format", [f.value for f in TargetFormat]),
        ("cdcml:sources/items/backupRedundancy", [b.value for b in BackupRedundancy]),
        ("cdcml:ingestion/coreCount", list(CORE_COUNTS)),
        ("cdcml:landing/sku", [s.value for s in LandingSku]),
        ("cdcml:ml/storageSku", [s.value for s in LandingSku]),
        ("cdcml:eventHubs/sku", [s.value for s in EventHubsSku]),
        ("cdcml:mlConsumers/items/purpose", [p.value for p in ConsumerPurpose]),
    ],
)
def test_every_schema_enum_lists_the_values_of_its_args_enum(path: str, values: list[Any]) -> None:
    target = node(path)
    enum = target["enum"] if "enum" in target else target["allOf"][0]["enum"]
    assert enum == list(values)


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("azure-native:location", LOCATION.pattern),
        ("cdcml:sqlAdmin/login", ADMIN_LOGIN.pattern),
        ("cdcml:sqlAdmin/objectId", GUID.pattern),
        ("cdcml:sources/items/name", SOURCE_NAME.pattern),
        ("cdcml:sources/items/tables/items", TABLE.pattern),
        ("cdcml:ingestion/git/accountName", GITHUB_NAME.pattern),
        ("cdcml:ingestion/git/repositoryName", REPOSITORY.pattern),
        ("cdcml:ingestion/git/collaborationBranch", BRANCH.pattern),
        ("cdcml:ingestion/git/rootFolder", ROOT_FOLDER.pattern),
        ("cdcml:mlConsumers/items/name", CONSUMER.pattern),
    ],
)
def test_every_schema_pattern_is_its_args_pattern(path: str, pattern: str) -> None:
    assert node(path)["pattern"] == pattern


def test_the_schema_states_the_event_hubs_tier_limits_of_the_eventing_component() -> None:
    """Each tier's conditional carries TIER_LIMITS' capacity, partitions and retention."""
    for branch in KEYS["cdcml:eventHubs"]["allOf"]:
        tier = EventHubsSku(branch["if"]["properties"]["sku"]["const"])
        limits, then = TIER_LIMITS[tier], branch["then"]["properties"]
        assert then["capacity"]["maximum"] == limits.capacity
        assert then["partitions"]["maximum"] == limits.partitions
        assert then["retentionHours"]["maximum"] == limits.retention_hours
        assert ("capture" in then) is not limits.capture
    latency = node("cdcml:sources/items/latencyMinutes")
    assert (latency["minimum"], latency["maximum"]) == LATENCY_MINUTES
    assert tuple(node("cdcml:tags")["required"]) == REQUIRED_TAGS


def test_config_schema_lists_every_key_and_the_keys_its_objects_accept() -> None:
    assert CONFIG_SCHEMA == {
        "profile": (),
        "environment": (),
        "prefix": (),
        "tags": (),
        "sqlAdmin": ("login", "objectId", "principalType"),
        "privateNetworking": (),
        "network": ("addressSpace", "privateEndpointSubnet"),
        "sources": ("name", "tables", "sku", "format", "latencyMinutes", "backupRedundancy"),
        "ingestion": ("coreCount", "timeToLiveMinutes", "git"),
        "ingestion.git": ("accountName", "repositoryName", "collaborationBranch", "rootFolder"),
        "landing": ("sku", "softDeleteDays", "coolAfterDays", "deleteAfterDays", "deleteLock"),
        "eventHubs": (
            "sku",
            "capacity",
            "maxThroughputUnits",
            "partitions",
            "retentionHours",
            "capture",
            "captureIntervalSeconds",
            "captureSizeMb",
            "zoneRedundant",
        ),
        "mlConsumers": ("name", "purpose"),
        "ml": ("legacyDatasets", "storageSku", "keyVaultRetentionDays"),
        "logs": ("retentionDays", "dailyQuotaGb"),
    }


# --------------------------------------------------------------------------- schema ≡ Args

PROD: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]

_INTS = ("x", 1.5, True, None)
_PROBES: dict[str, tuple[Any, ...]] = {
    "integer": _INTS,
    "boolean": (True, False, "yes", 0, None),
    "string": ("", "!", "x" * 300, 5, None, "ab c"),
    "enum": ("bogus", 1, None),
}


def _probes(target: dict[str, Any]) -> list[Any]:
    """Values on both sides of what *target* allows."""
    if "enum" in target:
        return [*target["enum"], *_PROBES["enum"]]
    if "anyOf" in target:
        return [-2, -1, 0, 1, 10000, 10001, *_INTS]
    if target.get("type") == "integer":
        low, high = target["minimum"], target["maximum"]
        return [low - 1, low, high, high + 1, *_INTS]
    return list(_PROBES[str(target["type"])])


def _leaf_cases() -> list[tuple[str, dict[str, Any], Any]]:
    """``(key path, section edits, value)`` for every value a component's Args check too."""
    cases: list[tuple[str, dict[str, Any], Any]] = []
    leaves = {
        "cdcml:sqlAdmin": ["login", "objectId", "principalType"],
        "cdcml:sources/0": ["name", "sku", "format", "latencyMinutes", "backupRedundancy"],
        "cdcml:ingestion": ["coreCount", "timeToLiveMinutes"],
        "cdcml:ingestion/git": ["accountName", "repositoryName", "collaborationBranch", "rootFolder"],
        "cdcml:landing": ["sku", "softDeleteDays", "coolAfterDays", "deleteAfterDays", "deleteLock"],
        "cdcml:mlConsumers/0": ["name", "purpose"],
        "cdcml:ml": ["legacyDatasets", "storageSku", "keyVaultRetentionDays"],
        "cdcml:logs": ["retentionDays", "dailyQuotaGb"],
    }
    for section, fields in leaves.items():
        schema_path = section.replace("/0", "/items")
        for field in fields:
            for value in _probes(node(f"{schema_path}/{field}")):
                cases.append((f"{section}/{field}", {}, value))
    for value in ("", "dbo", None, 5):
        cases.append(("cdcml:sources/0/tables/0", {}, value))
    for tier in EventHubsSku:
        resolved = schema.resolved_properties(KEYS["cdcml:eventHubs"], {"sku": tier.value})
        for field in ("capacity", "partitions", "retentionHours", "captureIntervalSeconds", "captureSizeMb"):
            for value in _probes(resolved[field]):
                cases.append((f"cdcml:eventHubs/{field}", {"sku": tier.value}, value))
        for value in (0, 4, 41, -1, "x", False, None):
            cases.append(("cdcml:eventHubs/maxThroughputUnits", {"sku": tier.value}, value))
        for value in (True, False, "x"):
            cases.append(("cdcml:eventHubs/capture", {"sku": tier.value}, value))
    return cases


def _with(path: str, edits: dict[str, Any], value: Any) -> dict[str, str]:
    config = copy.deepcopy(PROD)
    config["cdcml:ingestion"]["git"] = {"accountName": "acme", "repositoryName": "adf"}
    config["cdcml:privateNetworking"] = False  # every tier, Basic included, is possible
    config["cdcml:eventHubs"] = {"sku": "Standard", "retentionHours": 24, "capture": False, **edits}
    if edits.get("sku") == "Basic":
        config["cdcml:mlConsumers"] = []
    key, *steps = path.split("/")
    target: Any = config[key]
    if key == "cdcml:mlConsumers" and not target:
        return {k: render_config_value(v) for k, v in config.items()}
    for step in steps[:-1]:
        target = target[int(step)] if step.isdigit() else target[step]
    last = steps[-1]
    target[int(last) if last.isdigit() else last] = value
    return {k: render_config_value(v) for k, v in config.items()}


def _outcome(values: dict[str, str]) -> str:
    try:
        return repr(plan_stack(values, project="cdcml", stack="prod"))
    except ConfigError as e:
        return f"ConfigError: {e}"


@pytest.mark.parametrize(("path", "edits", "value"), _leaf_cases())
def test_the_schema_and_the_components_args_accept_and_reject_the_same_values_in_the_same_words(
    path: str, edits: dict[str, Any], value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema is not a second opinion: a value the components' Args also check gets
    the same plan, or the same one-line error, with the schema's check switched off."""
    values = _with(path, edits, value)
    with_schema = _outcome(values)
    monkeypatch.setattr(schema, "first_error", lambda *args, **kwargs: None)
    assert _outcome(values) == with_schema


# --------------------------------------------------------------------------- generated files


def test_docs_and_pulumi_yaml_are_generated_from_the_schema() -> None:
    """docs/stacks.md's tables and Pulumi.yaml's config: block are what the schema renders."""
    for path, current, wanted in docs._outputs(ROOT):
        assert current == wanted, f"{path} is out of date with the stack configuration schema: run `{docs.REGENERATE}`"


def test_pulumi_yaml_declares_the_schema_defaults_pulumi_can_state() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["config"] == docs.project_config()
    assert set(project["config"]) == {"cdcml:prefix", "cdcml:privateNetworking"}
    defaults = load_project(ROOT).config_defaults
    assert defaults == {k: render_config_value(v["default"]) for k, v in project["config"].items()}


@pytest.mark.parametrize("key", sorted(docs.project_config()))
def test_a_declared_project_default_plans_as_if_the_key_were_unset(key: str) -> None:
    """Pulumi hands a stack that doesn't set a declared key its default; the program must
    plan the same as without the key."""
    values = {k: render_config_value(v) for k, v in PROD.items() if k != key}
    with_default = {**values, key: render_config_value(docs.project_config()[key]["default"])}
    assert _outcome(with_default) == _outcome(values)


def test_the_docs_check_fails_and_names_the_command_when_a_block_drifts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (docs.DOCS, docs.PROJECT):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text((ROOT / path).read_text())
    (tmp_path / docs.DOCS).write_text((ROOT / docs.DOCS).read_text().replace("| `cdcml:prefix` |", "| `prefix` |"))
    assert docs.main(["--check", str(tmp_path)]) == 1
    assert f"docs/stacks.md is out of date with the stack configuration schema; run `{docs.REGENERATE}`" in (
        capsys.readouterr().err
    )
    assert docs.main([str(tmp_path)]) == 0
    assert (tmp_path / docs.DOCS).read_text() == (ROOT / docs.DOCS).read_text()
    assert docs.main(["--check", str(tmp_path)]) == 0
