"""State documents the state tests build: a version-3 deployment of resources, a resource
record, the URNs they use, and a registry of Pulumi's JSON schemas for state."""

from __future__ import annotations

import json
from typing import Any

import referencing
from referencing.jsonschema import DRAFT202012

from tests.fixtures.state.builders import PULUMI_STATE

__all__ = [
    "COUNTDOWN",
    "PROVIDER",
    "ROLE",
    "STACK_URN",
    "TOPIC",
    "deployment",
    "pulumi_schema_registry",
    "res",
]

COUNTDOWN = "urn:pulumi:foo::countdown::"
ROLE = COUNTDOWN + "aws:iam/role:Role::countDown_watcher-iamrole"
TOPIC = COUNTDOWN + "aws:sns/topic:Topic::countDown"
STACK_URN = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
PROVIDER = "urn:pulumi:dev::proj::pulumi:providers:azure-native::default_3_29_0"


def deployment(resources: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2025-01-01T00:00:00Z", "magic": "", "version": ""},
            "resources": resources,
        },
        **extra,
    }


def res(name: str, rtype: str = "azure-native:storage:StorageAccount", **fields: Any) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::proj::{rtype}::{name}",
        "custom": True,
        "id": f"id-{name}",
        "type": rtype,
        **fields,
    }


def pulumi_schema_registry() -> referencing.Registry:
    """Pulumi's deployment, resource and property-value schemas, resolvable by their ``$id``."""
    resources = []
    for name in ("deployments.json", "resources.json", "property-values.json"):
        schema = json.loads((PULUMI_STATE / name).read_text())
        resources.append((schema["$id"], DRAFT202012.create_resource(schema)))
    return referencing.Registry().with_resources(resources)
