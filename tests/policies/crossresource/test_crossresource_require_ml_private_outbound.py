"""crossresource-require-ml-private-outbound (X-06): an isolated workspace reaches landing data privately."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.crossresource.crossresource_require_ml_private_outbound import (
    crossresource_require_ml_private_outbound,
)
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = crossresource_require_ml_private_outbound
BASE: dict[str, Any] = PIPELINE


def outbound(**rules: Any) -> dict[str, Any]:
    return {"workspace": {"props": {"managedNetwork": {"outboundRules": rules}}}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_isolation_disabled": {"workspace": {"props": {"managedNetwork": {"isolationMode": "Disabled"}}}},
    "pass_public_landing": {
        **outbound(**{"landing-dfs": DELETE}),
        "landing": {"props": {"publicNetworkAccess": "Enabled"}},
    },
    "pass_rule_targets_computed_in_preview": {
        "workspace": {
            "props": {
                "managedNetwork": {
                    "outboundRules": {
                        "landing-blob": {"destination": {"serviceResourceId": DELETE}},
                        "landing-dfs": {"destination": {"serviceResourceId": DELETE}},
                    }
                }
            }
        }
    },
    "fail_missing_dfs_rule": Case(outbound(**{"landing-dfs": DELETE}), match="to landing for dfs"),
    "fail_no_rules": Case(
        {"workspace": {"props": {"managedNetwork": {"outboundRules": DELETE}}}}, match="blob and dfs"
    ),
    "fail_fqdn_instead_of_private_endpoint": Case(
        outbound(**{"landing-dfs": {"type": "FQDN", "destination": "stcdclanding.dfs.core.windows.net"}}), match="dfs"
    ),
    "unknown_datastore_account": Case(
        {"datastore": {"props": {"properties": {"accountName": unknown()}}, "deps": {"properties": ["rg"]}}}
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_crossresource_require_ml_private_outbound(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
