"""protection-enable-keyvault-purge-protection (E-01): a Key Vault is recoverable."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.protection.protection_enable_keyvault_purge_protection import (
    protection_enable_keyvault_purge_protection,
)
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = protection_enable_keyvault_purge_protection
RESOURCE_TYPE = T.KEY_VAULT
BASE: dict[str, Any] = props("ml-vault")

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_soft_delete_default": {"properties": {"enableSoftDelete": DELETE, "softDeleteRetentionInDays": DELETE}},
    "pass_configured_retention": Case(
        {"properties": {"softDeleteRetentionInDays": 30}}, config={"minSoftDeleteRetentionDays": 30}
    ),
    "fail_no_purge_protection": Case({"properties": {"enablePurgeProtection": DELETE}}, match="enablePurgeProtection"),
    "fail_purge_protection_off": Case({"properties": {"enablePurgeProtection": False}}, match="purged at once"),
    "fail_soft_delete_off": Case({"properties": {"enableSoftDelete": False}}, match="enableSoftDelete is false"),
    "fail_short_retention": Case(
        {"properties": {"softDeleteRetentionInDays": 30}},
        config={"minSoftDeleteRetentionDays": 90},
        match="at least 90 days",
    ),
    "unknown_flag": Case({"properties": {"enablePurgeProtection": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_protection_enable_keyvault_purge_protection(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
