"""encryption-require-factory-cmk (D-01): a sensitive Data Factory uses a customer-managed key."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.encryption.encryption_require_factory_cmk import encryption_require_factory_cmk
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = encryption_require_factory_cmk
RESOURCE_TYPE = T.FACTORY
BASE: dict[str, Any] = props("factory")
CONFIDENTIAL = {"tags": {"data-classification": "Confidential"}}
CMK = {"encryption": {"vaultBaseUrl": "https://kv-cdcml.vault.azure.net", "keyName": "adf"}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_confidential_with_cmk": {**CONFIDENTIAL, **CMK},
    "pass_configured_classifications": Case(CONFIDENTIAL, config={"classificationsRequiringCmk": ["restricted"]}),
    "fail_confidential_without_cmk": Case(CONFIDENTIAL, match="encryption.vaultBaseUrl and encryption.keyName"),
    "fail_restricted_key_name_missing": Case(
        {"tags": {"data-classification": "restricted"}, "encryption": {"vaultBaseUrl": "https://kv.vault.azure.net"}},
        match="encryption.keyName not set",
    ),
    "fail_required_regardless": Case({}, config={"requireCmk": True}, match="customer-managed key"),
    "unknown_tags": Case({"tags": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_encryption_require_factory_cmk(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
