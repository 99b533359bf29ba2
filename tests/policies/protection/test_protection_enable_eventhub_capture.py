"""protection-enable-eventhub-capture (E-04): ML-training hubs are archived with Capture."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.protection.protection_enable_eventhub_capture import protection_enable_eventhub_capture
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = protection_enable_eventhub_capture
RESOURCE_TYPE = T.EVENT_HUB
BASE: dict[str, Any] = props("hub")


def capture(**values: Any) -> dict[str, Any]:
    return {"captureDescription": values}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_not_an_ml_hub": {"captureDescription": DELETE, "userMetadata": json.dumps({"purpose": "notifications"})},
    "pass_metadata_not_json": {"captureDescription": DELETE, "userMetadata": "ml-training please"},
    "fail_ml_hub_without_capture": Case({"captureDescription": DELETE}, match="ML training replays"),
    "fail_declared_by_capture_flag": Case(
        {"captureDescription": {"enabled": False}, "userMetadata": json.dumps({"capture": "true"})}, match="not true"
    ),
    "fail_capture_required_everywhere": Case(
        {"captureDescription": DELETE, "userMetadata": DELETE}, config={"requireCapture": True}, match="Capture"
    ),
    "fail_interval_too_short": Case(capture(intervalInSeconds=30), match="between 60 and 900"),
    "fail_size_too_big": Case(capture(sizeLimitInBytes=1073741824), match="between 10485760 and 524288000"),
    "fail_deprecated_encoding": Case(capture(encoding="AvroDeflate"), match="deprecated"),
    "fail_no_destination": Case(capture(destination=DELETE), match="nowhere to write"),
    "unknown_enabled": Case(capture(enabled=unknown())),
}


@pytest.mark.parametrize("case", CASES)
def test_protection_enable_eventhub_capture(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
