"""EventingArgs and MlConsumer: Event Hubs tier limits, consumers, Capture."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdcml.stacks import ConsumerPurpose, EventHubsSku, EventingArgs, MlConsumer
from cdcml.stacks.eventing import consumer_metadata
from tests.stacks._cases import assert_bad, assert_good

TRAINING = MlConsumer(name="forecast-training")
BASE: dict[str, Any] = {"location": "westeurope", "consumers": (TRAINING,)}

GOOD: dict[str, dict[str, Any]] = {
    "base": {},
    "no_consumers": {"consumers": ()},
    "nineteen_consumers_on_standard": {"consumers": [MlConsumer(name=f"job-{i:02d}") for i in range(19)]},
    "premium_week_plus": {"sku": EventHubsSku.PREMIUM, "max_throughput_units": 0, "retention_hours": 2160},
    "premium_hundred_partitions": {"sku": "Premium", "max_throughput_units": 0, "partitions": 100},
    "standard_week": {"retention_hours": 168},
    "no_auto_inflate": {"max_throughput_units": 0},
    "auto_inflate_to_forty": {"capacity": 2, "max_throughput_units": 40},
    "capture": {"capture": True, "capture_interval_seconds": 60, "capture_size_mb": 500},
    "basic_public_no_consumers": {
        "sku": EventHubsSku.BASIC,
        "consumers": (),
        "max_throughput_units": 0,
        "public_network_access": True,
        "retention_hours": 24,
    },
}

BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "basic_has_only_default_group": (
        {"sku": "Basic", "max_throughput_units": 0, "public_network_access": True},
        "consumers",
        "empty on the Basic tier",
    ),
    "twenty_consumers_on_standard": (
        {"consumers": [MlConsumer(name=f"job-{i:02d}") for i in range(20)]},
        "consumers",
        "a list of 0 to 19 items",
    ),
    "shared_consumer_name": ({"consumers": [TRAINING, TRAINING]}, "consumers[1].name", "not used before"),
    "consumer_as_string": ({"consumers": ["forecast"]}, "consumers[0]", "an MlConsumer"),
    "standard_retention_over_a_week": ({"retention_hours": 169}, "retention_hours", "from 1 to 168"),
    "standard_33_partitions": ({"partitions": 33}, "partitions", "from 1 to 32"),
    "premium_17_units": ({"sku": "Premium", "max_throughput_units": 0, "capacity": 17}, "capacity", "from 1 to 16"),
    "auto_inflate_below_capacity": ({"capacity": 4, "max_throughput_units": 2}, "max_throughput_units", "4 to 40"),
    "auto_inflate_on_premium": ({"sku": "Premium", "max_throughput_units": 4}, "max_throughput_units", "Standard only"),
    "capture_on_basic": (
        {
            "sku": "Basic",
            "consumers": (),
            "max_throughput_units": 0,
            "retention_hours": 24,
            "public_network_access": True,
            "capture": True,
        },
        "capture",
        "Standard or Premium",
    ),
    "private_basic": (
        {"sku": "Basic", "consumers": (), "max_throughput_units": 0, "retention_hours": 24},
        "public_network_access",
        "no private link",
    ),
    "basic_retention_over_a_day": (
        {"sku": "Basic", "consumers": (), "max_throughput_units": 0, "public_network_access": True},
        "retention_hours",
        "from 1 to 24",
    ),
    "capture_every_30s": ({"capture_interval_seconds": 30}, "capture_interval_seconds", "from 60 to 900"),
    "capture_1gb": ({"capture_size_mb": 1000}, "capture_size_mb", "from 10 to 500"),
    "dedicated_tier": ({"sku": "Dedicated"}, "sku", "Basic, Standard or Premium"),
    "workspace_with_space": ({"consumer_workspace": "my ws"}, "consumer_workspace", "ML workspace name"),
}


@pytest.mark.parametrize("case", GOOD)
def test_good_eventing_args_construct(case: str) -> None:
    assert_good(EventingArgs, BASE, GOOD[case])


@pytest.mark.parametrize("case", BAD)
def test_bad_eventing_args_name_the_field_and_the_allowed_values(case: str) -> None:
    overrides, field, allowed = BAD[case]
    assert_bad(EventingArgs, BASE, overrides, field, allowed)


@pytest.mark.parametrize(
    ("name", "ok"),
    [("ab1", True), ("a" * 50, True), ("a" * 51, False), ("Forecast", False), ("job-", False), ("$Default", False)],
)
def test_consumer_names_are_valid_consumer_group_names(name: str, ok: bool) -> None:
    if ok:
        assert MlConsumer(name=name).name == name
    else:
        assert_bad(MlConsumer, {"name": "x"}, {"name": name}, "name", "3 to 50")


def test_consumer_metadata_records_the_workspace_job_and_purpose() -> None:
    consumer = MlConsumer(name="churn-scoring", purpose=ConsumerPurpose.SCORING)
    assert json.loads(consumer_metadata("cdcml-ml", consumer)) == {
        "consumer": "aml:cdcml-ml/churn-scoring",
        "purpose": "scoring",
    }
    assert json.loads(consumer_metadata("", consumer))["consumer"] == "ml:churn-scoring"
