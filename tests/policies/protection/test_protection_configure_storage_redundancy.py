"""protection-configure-storage-redundancy (E-07): storage replication fits the environment."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.protection.protection_configure_storage_redundancy import protection_configure_storage_redundancy
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = protection_configure_storage_redundancy
RESOURCE_TYPE = T.STORAGE_ACCOUNT
BASE: dict[str, Any] = props("landing")
PROD = {"environment": "prod"}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_lrs_outside_prod": {"sku": {"name": "Standard_LRS"}},
    "pass_zrs_in_prod": Case({}, config=PROD),
    "pass_gzrs_in_prod": Case({"sku": {"name": "standard_gzrs"}}, config=PROD),
    "fail_lrs_in_prod": Case({"sku": {"name": "Standard_LRS"}}, config=PROD, match='"Standard_LRS"; allowed in prod'),
    "fail_configured_skus": Case({}, config={"allowedSkus": ["Standard_GZRS"]}, match="allowed in test"),
    "unknown_sku": Case({"sku": {"name": unknown()}}, config=PROD),
}


@pytest.mark.parametrize("case", CASES)
def test_protection_configure_storage_redundancy(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
