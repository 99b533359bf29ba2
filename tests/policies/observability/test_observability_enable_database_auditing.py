"""observability-enable-database-auditing (H-03): CDC source databases audit access."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.observability.observability_enable_database_auditing import observability_enable_database_auditing
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = observability_enable_database_auditing
BASE: dict[str, Any] = PIPELINE


def pg(*parameters: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"pg": {"type": T.PG_SERVER, "props": {"name": "pg-cdcml"}}}
    for p in parameters:
        spec[f"pg-{p}"] = {
            "type": T.PG_CONFIGURATION,
            "props": {"name": p, "value": "on"},
            "deps": {"serverName": ["pg"]},
        }
    return spec


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_extended_policy": {
        "sql-audit": DELETE,
        "sql-ext": {"type": T.SQL_EXTENDED_AUDITING, "props": {"state": "Enabled"}, "deps": {"serverName": ["sql"]}},
    },
    "pass_storage_target_retained": {"sql-audit": {"props": {"storageEndpoint": "https://st", "retentionDays": 90}}},
    "pass_pg_logging": pg("log_connections", "log_checkpoints"),
    "fail_no_auditing": Case({"sql-audit": DELETE}, match="no enabled auditing policy"),
    "fail_auditing_disabled": Case({"sql-audit": {"props": {"state": "Disabled"}}}, match="no enabled auditing"),
    "fail_short_storage_retention": Case(
        {"sql-audit": {"props": {"storageEndpoint": "https://st", "retentionDays": 30}}}, match="90 days"
    ),
    "fail_pg_without_checkpoints": Case(pg("log_connections"), match="log_checkpoints to on"),
    "unknown_pg_parameter_name": Case(
        {
            **pg("log_connections", "log_checkpoints"),
            "pg-log_checkpoints": {
                "type": T.PG_CONFIGURATION,
                "props": {"name": unknown(), "value": "on"},
                "deps": {"serverName": ["pg"]},
            },
        }
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_observability_enable_database_auditing(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
