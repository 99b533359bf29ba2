"""crossresource-require-dedicated-consumer-group (X-02): each ML consumer has its own consumer group."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdcml.policies.crossresource.crossresource_require_dedicated_consumer_group import (
    crossresource_require_dedicated_consumer_group,
)
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import PIPELINE

POLICY = crossresource_require_dedicated_consumer_group
BASE: dict[str, Any] = PIPELINE
REGISTRY = {"consumers": [{"consumer": "aml:ml-cdcml/orders-training", "eventHub": "hub"}]}


def metadata(value: Any) -> dict[str, Any]:
    return {"group-training": {"props": {"userMetadata": value}}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_registry_satisfied": Case({}, config=REGISTRY),
    "pass_bare_consumer_string": metadata("aml:ml-cdcml/orders-training"),
    "pass_not_an_ml_hub_without_groups": {
        "group-training": DELETE,
        "group-scoring": DELETE,
        "hub": {"props": {"userMetadata": json.dumps({"carries": "BlobCreated events"})}},
    },
    "fail_shared_group": Case(
        metadata(json.dumps({"consumers": ["aml:ws/a", "aml:ws/b"]})), match="declared for 2 ML consumers"
    ),
    "fail_default_group": Case({"group-training": {"props": {"name": "$Default"}}}, match="declared on \\$Default"),
    "fail_basic_tier": Case({"events": {"props": {"sku": {"name": "Basic"}}}}, match="allows only \\$Default"),
    "fail_ml_hub_without_groups": Case(
        {"group-training": DELETE, "group-scoring": DELETE}, match="read from \\$Default together"
    ),
    "fail_registered_consumer_missing": Case(
        {"group-training": DELETE}, config=REGISTRY, match="aml:ml-cdcml/orders-training has no consumer group"
    ),
    "pass_secret_metadata_not_echoed": metadata(secret(json.dumps({"consumer": "aml:hunter2/job"}))),
    "unknown_metadata": Case(
        metadata(unknown())
        | {"group-training": {"props": {"userMetadata": unknown()}, "deps": {"userMetadata": ["workspace"]}}}
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_crossresource_require_dedicated_consumer_group(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
