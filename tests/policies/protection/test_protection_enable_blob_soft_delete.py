"""protection-enable-blob-soft-delete (E-02): deleted landing blobs and containers stay recoverable."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.protection.protection_enable_blob_soft_delete import protection_enable_blob_soft_delete
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = protection_enable_blob_soft_delete
RESOURCE_TYPE = T.BLOB_SERVICE
BASE: dict[str, Any] = props("landing-blob-service")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_versioning_required": Case(
        {"isVersioningEnabled": True, "changeFeed": {"enabled": True}},
        config={"requireVersioning": True, "requireChangeFeed": True},
    ),
    "fail_blob_soft_delete_off": Case({"deleteRetentionPolicy": {"enabled": False}}, match="deleted blobs"),
    "fail_container_soft_delete_missing": Case({"containerDeleteRetentionPolicy": DELETE}, match="deleted containers"),
    "fail_short_retention": Case({"deleteRetentionPolicy": {"days": 3}}, match="at least 7 days"),
    "fail_versioning_required": Case({}, config={"requireVersioning": True}, match="isVersioningEnabled"),
    "fail_change_feed_required": Case({}, config={"requireChangeFeed": True}, match="changeFeed.enabled"),
    "fail_soft_delete_off_whatever_its_unknown_days": Case(
        {"deleteRetentionPolicy": {"enabled": False, "days": unknown()}}, preview=True, match="deleted blobs"
    ),
    "unknown_enabled": Case({"deleteRetentionPolicy": {"enabled": unknown()}}),
    "unknown_days_of_enabled_soft_delete": Case({"deleteRetentionPolicy": {"days": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_protection_enable_blob_soft_delete(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
