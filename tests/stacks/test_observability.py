"""ObservabilityArgs: Log Analytics retention and daily cap."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.stacks import ObservabilityArgs
from tests.stacks._cases import assert_bad, assert_good

BASE: dict[str, Any] = {"location": "westeurope"}

GOOD: dict[str, dict[str, Any]] = {
    "defaults": {},
    "a_year": {"retention_days": 365},
    "two_years": {"retention_days": 730},
    "capped": {"daily_quota_gb": 5},
}
BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "a_week": ({"retention_days": 7}, "retention_days", "from 30 to 730"),
    "three_years": ({"retention_days": 1095}, "retention_days", "from 30 to 730"),
    "zero_cap": ({"daily_quota_gb": 0}, "daily_quota_gb", "-1 (no cap)"),
    "fractional_cap": ({"daily_quota_gb": 0.5}, "daily_quota_gb", "-1 (no cap)"),
    "cap_as_bool": ({"daily_quota_gb": True}, "daily_quota_gb", "-1 (no cap)"),
}


@pytest.mark.parametrize("case", GOOD)
def test_good_observability_args_construct(case: str) -> None:
    assert_good(ObservabilityArgs, BASE, GOOD[case])


@pytest.mark.parametrize("case", BAD)
def test_bad_observability_args_name_the_field_and_the_allowed_values(case: str) -> None:
    overrides, field, allowed = BAD[case]
    assert_bad(ObservabilityArgs, BASE, overrides, field, allowed)
