"""LandingZoneArgs: the HNS landing account, its containers, lifecycle and protection."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.stacks import LandingSku, LandingZoneArgs
from tests.stacks._cases import assert_bad, assert_good

BASE: dict[str, Any] = {"containers": ("orders",), "location": "westeurope"}

GOOD: dict[str, dict[str, Any]] = {
    "base": {},
    "two_containers": {"containers": ["orders", "inventory"]},
    "hyphenated_container": {"containers": ["order-lines"]},
    "geo_zone_sku": {"sku": LandingSku.STANDARD_RAGZRS},
    "sku_as_string": {"sku": "Standard_LRS"},
    "expiry_after_cooling": {"cool_after_days": 30, "delete_after_days": 31},
    "soft_delete_a_year": {"soft_delete_days": 365},
    "capture": {"capture_container": True, "capture_retention_days": 7},
    "public_dev": {"public_network_access": True, "delete_lock": False},
    "shared_key_for_legacy_tools": {"shared_key_access": True},
    "cdc_folder": {"cdc_folder": "changes_v2"},
}

BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "no_container": ({"containers": ()}, "containers", "a list of 1 to 8 items"),
    "uppercase_container": ({"containers": ["Orders"]}, "containers[0]", "lowercase"),
    "double_hyphen": ({"containers": ["a--b"]}, "containers[0]", "container name"),
    "duplicate_container": ({"containers": ["orders", "orders"]}, "containers[1]", "unique"),
    "capture_name_taken": ({"containers": ["eventhub-capture"]}, "containers[0]", "not 'eventhub-capture'"),
    "premium_sku": ({"sku": "Premium_LRS"}, "sku", "Standard_LRS"),
    "no_soft_delete": ({"soft_delete_days": 0}, "soft_delete_days", "from 1 to 365"),
    "soft_delete_too_long": ({"soft_delete_days": 366}, "soft_delete_days", "from 1 to 365"),
    "expiry_before_cooling": ({"cool_after_days": 30, "delete_after_days": 30}, "delete_after_days", "more than"),
    "negative_expiry": ({"delete_after_days": -1}, "delete_after_days", "from 0 to 36500"),
    "cool_as_string": ({"cool_after_days": "30"}, "cool_after_days", "an integer"),
    "cool_as_bool": ({"cool_after_days": True}, "cool_after_days", "an integer"),
    "folder_with_slash": ({"cdc_folder": "cdc/raw"}, "cdc_folder", "folder name"),
    "lock_as_string": ({"delete_lock": "yes"}, "delete_lock", "true or false"),
    "capture_retention": ({"capture_retention_days": 0}, "capture_retention_days", "from 1 to 3650"),
}


@pytest.mark.parametrize("case", GOOD)
def test_good_landing_zone_args_construct(case: str) -> None:
    assert_good(LandingZoneArgs, BASE, GOOD[case])


@pytest.mark.parametrize("case", BAD)
def test_bad_landing_zone_args_name_the_field_and_the_allowed_values(case: str) -> None:
    overrides, field, allowed = BAD[case]
    assert_bad(LandingZoneArgs, BASE, overrides, field, allowed)


def test_landing_defaults_are_the_hardened_ones() -> None:
    args = LandingZoneArgs(**BASE)
    assert args.public_network_access is False
    assert args.shared_key_access is False
    assert args.delete_lock is True
    assert args.sku is LandingSku.STANDARD_ZRS
