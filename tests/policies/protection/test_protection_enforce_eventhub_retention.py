"""protection-enforce-eventhub-retention (E-03): event hubs keep events long enough, within the tier."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.protection.protection_enforce_eventhub_retention import protection_enforce_eventhub_retention
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = protection_enforce_eventhub_retention
BASE: dict[str, Any] = PIPELINE


def hub(**props: Any) -> dict[str, Any]:
    return {"hub": {"props": props}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_default_retention": hub(retentionDescription=DELETE),
    "pass_days": hub(retentionDescription=DELETE, messageRetentionInDays=3),
    "pass_premium_long_retention": {
        **hub(retentionDescription={"retentionTimeInHours": 720}),
        "events": {"props": {"sku": {"name": "Premium", "tier": "Premium"}}},
    },
    "pass_compaction_allowed": Case(
        hub(retentionDescription={"cleanupPolicy": "Compact"}), config={"allowCompaction": True}
    ),
    "fail_too_short": Case(hub(retentionDescription={"retentionTimeInHours": 12}), match="at least 24 hours"),
    "fail_configured_replay_window": Case({}, config={"minReplayHours": 96}, match="at least 96 hours"),
    "fail_above_standard_tier": Case(
        hub(retentionDescription={"retentionTimeInHours": 240}), match="Standard tier's maximum of 168"
    ),
    "fail_compacted_change_stream": Case(hub(retentionDescription={"cleanupPolicy": "compact"}), match="compaction"),
    "unknown_retention": Case(
        {"hub": {"props": {"retentionDescription": unknown()}, "deps": {"retentionDescription": ["events"]}}}
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_protection_enforce_eventhub_retention(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
