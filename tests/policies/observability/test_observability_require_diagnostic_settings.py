"""observability-require-diagnostic-settings (H-01): every PaaS resource sends resource logs."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.observability.observability_require_diagnostic_settings import (
    observability_require_diagnostic_settings,
)
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE, arm

POLICY = observability_require_diagnostic_settings
BASE: dict[str, Any] = PIPELINE

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_by_arm_id": {
        "diag-landing": {
            "deps": {"resourceUri": DELETE},
            "echo_inputs": True,  # resourceUri is input-only: a real capture's outputs lack it
            "props": {
                "resourceUri": arm("Microsoft.Storage/storageAccounts", "stcdclanding") + "/blobServices/default"
            },
        }
    },
    "pass_workspace_id_computed_in_preview": {"diag-factory": {"props": {"workspaceId": unknown()}}},
    "pass_storage_destination": {"diag-sql-db": {"props": {"workspaceId": DELETE, "storageAccountId": "/st"}}},
    "fail_no_setting": Case({"diag-factory": DELETE}, match="no diagnostic setting"),
    "fail_logs_disabled": Case(
        {"diag-events": {"props": {"logs": [{"categoryGroup": "allLogs", "enabled": False}]}}}, match="enabled log"
    ),
    "fail_no_destination": Case({"diag-workspace": {"props": {"workspaceId": DELETE}}}, match="destination"),
    "unknown_target": Case(
        {"diag-ml-vault": {"deps": {"resourceUri": ["rg"]}, "echo_inputs": True, "props": {"resourceUri": unknown()}}}
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_observability_require_diagnostic_settings(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
