"""encryption-configure-key-rotation (D-07): Key Vault keys expire, rotate and are strong."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.encryption.encryption_configure_key_rotation import encryption_configure_key_rotation
from cdcml.testing.harness import DELETE, Case, unknown

POLICY = encryption_configure_key_rotation
RESOURCE_TYPE = T.KEY_VAULT_KEY
BASE: dict[str, Any] = {
    "keyName": "landing-cmk",
    "vaultName": "kv-cdcml",
    "properties": {
        "kty": "RSA",
        "keySize": 3072,
        "attributes": {"enabled": True, "expires": 1893456000},
        "rotationPolicy": {
            "attributes": {"expiryTime": "P2Y"},
            "lifetimeActions": [
                {"action": {"type": "rotate"}, "trigger": {"timeAfterCreate": "P1Y"}},
                {"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P30D"}},
            ],
        },
    },
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_hsm_required": Case({"properties": {"kty": "RSA-HSM"}}, config={"requireHsm": True}),
    "pass_ec_key": {"properties": {"kty": "EC", "keySize": DELETE, "curveName": "P-256"}},
    "fail_no_expiry": Case({"properties": {"attributes": {"expires": DELETE}}}, match="never expires"),
    "fail_no_rotation": Case({"properties": {"rotationPolicy": DELETE}}, match="never rotated"),
    "fail_notify_only": Case(
        {"properties": {"rotationPolicy": {"lifetimeActions": [{"action": {"type": "notify"}}]}}}, match="never rotated"
    ),
    "fail_short_rsa": Case({"properties": {"keySize": 1024}}, match="at least 2048 bits"),
    "fail_hsm_required": Case({}, config={"requireHsm": True}, match='"RSA"; this environment requires HSM'),
    "unknown_expiry": Case({"properties": {"attributes": {"expires": unknown()}}}),
}


@pytest.mark.parametrize("case", CASES)
def test_encryption_configure_key_rotation(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
