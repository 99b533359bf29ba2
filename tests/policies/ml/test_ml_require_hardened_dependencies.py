"""ml-require-hardened-dependencies (G-04): a workspace's storage and vault are locked down."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.ml.ml_require_hardened_dependencies import ml_require_hardened_dependencies
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = ml_require_hardened_dependencies
BASE: dict[str, Any] = PIPELINE

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_dependencies_by_arm_id": {"workspace": {"deps": {"storageAccount": DELETE, "keyVault": DELETE}}},
    "pass_insights_computed_in_preview": {"workspace": {"props": {"applicationInsights": unknown()}}},
    "fail_public_storage": Case(
        {"ml-storage": {"props": {"publicNetworkAccess": "Enabled"}}}, match="storage account ml-storage has public"
    ),
    "fail_open_vault": Case(
        {"ml-vault": {"props": {"properties": {"publicNetworkAccess": "Enabled", "networkAcls": DELETE}}}},
        match="any network",
    ),
    "fail_vault_without_purge_protection": Case(
        {"ml-vault": {"props": {"properties": {"enablePurgeProtection": DELETE}}}}, match="no purge protection"
    ),
    "fail_no_application_insights": Case(
        {"workspace": {"props": {"applicationInsights": DELETE}}}, match="no applicationInsights"
    ),
    "unknown_storage_reference": Case(
        {"workspace": {"props": {"storageAccount": unknown()}, "deps": {"storageAccount": ["rg"]}}}
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_ml_require_hardened_dependencies(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
