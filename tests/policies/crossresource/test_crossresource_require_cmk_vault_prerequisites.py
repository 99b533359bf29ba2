"""crossresource-require-cmk-vault-prerequisites (X-04): CMK vaults can't lose the key."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.crossresource.crossresource_require_cmk_vault_prerequisites import (
    crossresource_require_cmk_vault_prerequisites,
)
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import PIPELINE, arm

POLICY = crossresource_require_cmk_vault_prerequisites
BASE: dict[str, Any] = PIPELINE
KEY_URL = "https://kv-cdcml.vault.azure.net"
LANDING_CMK = {
    "landing": {
        "props": {
            "encryption": {
                "keySource": "Microsoft.Keyvault",
                "keyVaultProperties": {"keyName": "k", "keyVaultUri": KEY_URL},
            }
        }
    }
}
NO_PURGE = {"ml-vault": {"props": {"properties": {"enablePurgeProtection": False}}}}
WORKSPACE_CMK = {
    "workspace": {
        "props": {
            "encryption": {
                "status": "Enabled",
                "keyVaultProperties": {
                    "keyVaultArmId": arm("Microsoft.KeyVault/vaults", "kv-cdcml"),
                    "keyIdentifier": "k",
                },
            }
        }
    }
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_cmk_in_protected_vault": LANDING_CMK,
    "pass_workspace_key_in_region": WORKSPACE_CMK,
    "pass_vault_outside_stack": {
        "landing": {"props": {"encryption": {"keyVaultProperties": {"keyVaultUri": "https://other.vault.azure.net"}}}}
    },
    "pass_key_reference_computed_from_key": {
        "key": {"type": T.KEY_VAULT_KEY, "props": {"name": "k"}, "deps": {"vaultName": ["ml-vault"]}},
        "sql": {"props": {"keyId": unknown()}, "deps": {"keyId": ["key"]}},
    },
    "fail_vault_without_purge_protection": Case({**LANDING_CMK, **NO_PURGE}, match="no purge protection"),
    "fail_eventhub_key_vault_soft_delete_off": Case(
        {
            "events": {
                "props": {
                    "encryption": {"keySource": "Microsoft.KeyVault", "keyVaultProperties": [{"keyVaultUri": KEY_URL}]}
                }
            },
            "ml-vault": {"props": {"properties": {"enableSoftDelete": False}}},
        },
        match="soft delete off",
    ),
    "fail_workspace_key_in_other_region": Case(
        {**WORKSPACE_CMK, "ml-vault": {"props": {"location": "northeurope"}}}, match="another region"
    ),
    "fail_key_in_vault_without_purge_protection": Case(
        {
            "key": {"type": T.KEY_VAULT_KEY, "props": {"name": "k"}, "deps": {"vaultName": ["ml-vault"]}},
            "sql": {"props": {"keyId": unknown()}, "deps": {"keyId": ["key"]}},
            **NO_PURGE,
        },
        match="no purge protection",
    ),
    "fail_by_dependency": Case(
        {
            "factory": {
                "props": {"encryption": {"vaultBaseUrl": unknown(), "keyName": "k"}},
                "deps": {"encryption": ["ml-vault"]},
            },
            **NO_PURGE,
        },
        match="no purge protection",
    ),
    "unknown_key_reference": Case({"sql": {"props": {"keyId": unknown()}, "deps": {"keyId": ["rg"]}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_crossresource_require_cmk_vault_prerequisites(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
