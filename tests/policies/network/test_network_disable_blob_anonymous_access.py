"""network-disable-blob-anonymous-access (B-08): no anonymous blob access, no public containers."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_disable_blob_anonymous_access import network_disable_blob_anonymous_access
from cdcml.testing.harness import DELETE, Case, run_policy, unknown
from tests.policies.fixtures import props

POLICY = network_disable_blob_anonymous_access
RESOURCE_TYPE = T.STORAGE_ACCOUNT
BASE: dict[str, Any] = props("landing")
CONTAINER = T.BLOB_CONTAINER

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_private_container": Case({"publicAccess": "None"}, resource_type=CONTAINER),
    "pass_container_default": Case({"publicAccess": DELETE}, resource_type=CONTAINER),
    "fail_anonymous_allowed": Case({"allowBlobPublicAccess": True}, match="allowBlobPublicAccess is true"),
    "fail_anonymous_default": Case({"allowBlobPublicAccess": DELETE}, match="is not set"),
    "fail_public_container": Case({"publicAccess": "Container"}, resource_type=CONTAINER, match='"Container"'),
    "fail_public_blobs": Case({"publicAccess": "blob"}, resource_type=CONTAINER, match='"blob"'),
    "unknown_flag": Case({"allowBlobPublicAccess": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_disable_blob_anonymous_access(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])


def test_remediation_switches_anonymous_access_off() -> None:
    found = run_policy(POLICY, RESOURCE_TYPE, {**BASE, "allowBlobPublicAccess": True}, enforcement_level="remediate")
    assert [r.changed for r in found.remediations] == [("allowBlobPublicAccess",)]
    assert found.remediations[0].properties["allowBlobPublicAccess"] is False
    assert not [f for f in found.findings if f.kind.value == "violation"]
