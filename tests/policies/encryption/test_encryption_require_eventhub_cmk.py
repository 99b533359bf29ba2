"""encryption-require-eventhub-cmk (D-02): a sensitive Event Hubs namespace uses CMK and double encryption."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.encryption.encryption_require_eventhub_cmk import encryption_require_eventhub_cmk
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = encryption_require_eventhub_cmk
RESOURCE_TYPE = T.EH_NAMESPACE
BASE: dict[str, Any] = props("events")
CONFIDENTIAL = {"tags": {"data-classification": "confidential"}}
PREMIUM_CMK = {
    "sku": {"name": "Premium", "tier": "Premium", "capacity": 1},
    "encryption": {
        "keySource": "Microsoft.KeyVault",
        "keyVaultProperties": [{"keyName": "eh", "keyVaultUri": "https://kv-cdcml.vault.azure.net"}],
        "requireInfrastructureEncryption": True,
    },
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_confidential_premium_cmk": {**CONFIDENTIAL, **PREMIUM_CMK},
    "fail_standard_tier": Case(
        {**CONFIDENTIAL, **PREMIUM_CMK, "sku": {"name": "Standard"}}, match="only on the Premium and Dedicated"
    ),
    "fail_no_key": Case({**CONFIDENTIAL, "sku": PREMIUM_CMK["sku"]}, match='keySource must be "Microsoft.KeyVault"'),
    "fail_no_double_encryption": Case(
        {
            **CONFIDENTIAL,
            **PREMIUM_CMK,
            "encryption": {**PREMIUM_CMK["encryption"], "requireInfrastructureEncryption": False},
        },
        match="requireInfrastructureEncryption must be true",
    ),
    "unknown_key_source": Case({**CONFIDENTIAL, **PREMIUM_CMK, "encryption": {"keySource": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_encryption_require_eventhub_cmk(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
