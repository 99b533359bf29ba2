"""encryption-require-storage-cmk (D-04): a sensitive storage account uses CMK and infrastructure encryption."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.encryption.encryption_require_storage_cmk import encryption_require_storage_cmk
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = encryption_require_storage_cmk
RESOURCE_TYPE = T.STORAGE_ACCOUNT
BASE: dict[str, Any] = props("landing")
CONFIDENTIAL = {"tags": {"data-classification": "confidential"}}
CMK = {
    "encryption": {
        "keySource": "Microsoft.Keyvault",
        "keyVaultProperties": {"keyName": "landing", "keyVaultUri": "https://kv-cdcml.vault.azure.net"},
        "requireInfrastructureEncryption": True,
    }
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_confidential_with_cmk": {**CONFIDENTIAL, **CMK},
    "pass_event_hubs_spelling_accepted": {
        **CONFIDENTIAL,
        "encryption": {**CMK["encryption"], "keySource": "Microsoft.KeyVault"},
    },
    "fail_microsoft_managed_key": Case(
        {**CONFIDENTIAL, "encryption": {"keySource": "Microsoft.Storage", "requireInfrastructureEncryption": True}},
        match='keySource must be "Microsoft.Keyvault"',
    ),
    "fail_no_infrastructure_encryption": Case(
        {**CONFIDENTIAL, "encryption": {**CMK["encryption"], "requireInfrastructureEncryption": False}},
        match="requireInfrastructureEncryption",
    ),
    "unknown_key_source": Case({**CONFIDENTIAL, "encryption": {"keySource": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_encryption_require_storage_cmk(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
