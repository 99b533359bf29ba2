"""observability-configure-log-destination (H-02): logs go to an approved workspace, retained long enough."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.observability.observability_configure_log_destination import observability_configure_log_destination
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import LAW_ID, props

POLICY = observability_configure_log_destination
RESOURCE_TYPE = T.DIAGNOSTIC_SETTING
BASE: dict[str, Any] = props("diag-factory")
LAW = T.LOG_ANALYTICS
CENTRAL = {"allowedWorkspaceIds": [LAW_ID.upper()]}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_central_workspace": Case({}, config=CENTRAL),
    "pass_workspace_computed_in_preview": {"workspaceId": unknown()},
    "pass_shared_table_allowed": Case(
        {"logAnalyticsDestinationType": DELETE}, config={"requireResourceSpecificTables": False}
    ),
    "pass_storage_only": {"workspaceId": DELETE, "logAnalyticsDestinationType": DELETE, "storageAccountId": "/st"},
    "pass_workspace_retention": Case(props("law"), resource_type=LAW),
    "pass_one_of_several_logs_enabled": {
        "logs": [{"category": "Audit", "enabled": False}, {"categoryGroup": "allLogs", "enabled": True}]
    },
    "pass_metrics_only": {"logs": DELETE, "metrics": [{"category": "AllMetrics", "enabled": True}]},
    "fail_every_log_disabled": Case(
        {
            "logs": [{"categoryGroup": "allLogs", "enabled": False}],
            "metrics": [{"category": "AllMetrics", "enabled": True}],
        },
        match="lists is disabled",
    ),
    "fail_log_enabled_left_out": Case({"logs": [{"categoryGroup": "allLogs"}]}, match="lists is disabled"),
    "fail_nothing_enabled": Case({"logs": [], "metrics": DELETE}, match="no log category and no metric"),
    "fail_metrics_disabled_no_logs": Case(
        {"logs": DELETE, "metrics": [{"category": "AllMetrics", "enabled": False}]}, match="sends nothing"
    ),
    "unknown_logs": {"logs": unknown()},
    "fail_other_workspace": Case({"workspaceId": "/other"}, config=CENTRAL, match="not one of the central"),
    "fail_no_workspace_required": Case({"workspaceId": DELETE}, config=CENTRAL, match="sends no logs"),
    "fail_shared_table": Case({"logAnalyticsDestinationType": DELETE}, match='not "Dedicated"'),
    "fail_default_retention": Case({"retentionInDays": DELETE}, resource_type=LAW, match="the default 30"),
    "fail_configured_retention": Case({}, resource_type=LAW, config={"minRetentionDays": 365}, match="at least 365"),
    "unknown_workspace_with_allow_list": Case({"workspaceId": unknown()}, config=CENTRAL),
}


@pytest.mark.parametrize("case", CASES)
def test_observability_configure_log_destination(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
