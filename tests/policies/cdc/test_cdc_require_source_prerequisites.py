"""cdc-require-source-prerequisites (A-08): CDC source databases can run change data capture."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cdc.cdc_require_source_prerequisites import cdc_require_source_prerequisites
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = cdc_require_source_prerequisites
BASE: dict[str, Any] = PIPELINE

PG = {
    "pg": {
        "type": T.PG_SERVER,
        "props": {"name": "pg-cdcml", "network": {"publicNetworkAccess": "Disabled"}, "tags": {"cdc-source": "true"}},
    },
}
WAL = {
    "pg-wal": {
        "type": T.PG_CONFIGURATION,
        "props": {"name": "wal_level", "value": "logical"},
        "deps": {"serverName": ["pg"]},
    }
}
PG_LINK = {
    "pg-link": {
        "type": T.LINKED_SERVICE,
        "props": {
            "name": "pg_src",
            "properties": {"type": "AzurePostgreSql", "server": "pg-cdcml.postgres.database.azure.com"},
        },
    }
}
UNTAGGED_PG = {"pg": {**PG["pg"], "props": {"name": "pg-cdcml"}}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_s3_database": {"sql-db": {"props": {"sku": {"name": "S3", "tier": "Standard"}}}},
    "pass_postgres_with_logical_wal": {**PG, **WAL},
    "pass_postgres_not_a_source": UNTAGGED_PG,
    "pass_database_by_name": {"orders-link": {"deps": {"properties": ["runtime"]}}},
    "fail_s1_database": Case({"sql-db": {"props": {"sku": {"name": "S1", "tier": "Standard"}}}}, match="S3 or higher"),
    "fail_basic_tier": Case({"sql-db": {"props": {"sku": {"name": "basic"}}}}, match='DTU tier "basic"'),
    "fail_postgres_without_logical_wal": Case(PG, match="wal_level to logical"),
    "fail_postgres_replica_wal": Case(
        {**PG, "pg-wal": {**WAL["pg-wal"], "props": {"name": "wal_level", "value": "replica"}}}, match="wal_level"
    ),
    "fail_postgres_linked_service": Case({**UNTAGGED_PG, **PG_LINK}, match="linked service pg-link"),
    "pass_wal_name_unknown_but_value_logical": {
        **PG,
        **WAL,
        "pg-wal": {**WAL["pg-wal"], "props": {"name": unknown(), "value": "logical"}},
    },
    "unknown_database_name": Case(
        {
            "orders-link": {"deps": {"properties": ["runtime"]}},
            "sql-db": {"props": {"name": unknown()}},
            "sql": {"props": {"name": unknown()}},
        }
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_require_source_prerequisites(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
