"""cdc-require-supported-source (A-04): every source is a connector the CDC resource supports."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cdc.cdc_require_supported_source import cdc_require_supported_source
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = cdc_require_supported_source
RESOURCE_TYPE = T.CHANGE_DATA_CAPTURE
BASE: dict[str, Any] = props("cdc")


def source(kind: Any, fmt: str | None = None) -> dict[str, Any]:
    conn = copy.deepcopy(BASE["sourceConnectionsInfo"][0])
    conn["connection"]["linkedServiceType"] = kind
    if fmt is not None:
        conn["sourceEntities"][0]["dslConnectorProperties"] = [{"name": "format", "value": fmt}]
    return {"sourceConnectionsInfo": [conn]}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_sql_managed_instance": source("AzureSqlMI"),
    "pass_cosmos_db": source("CosmosDb"),
    "pass_odd_case": source("azuresqldatabase"),
    "pass_parquet_files": source("AzureBlobFS", "parquet"),
    "pass_configured_source": Case(source("Oracle"), config={"supportedSources": ["Oracle"]}),
    "fail_postgres": Case(source("AzurePostgreSql"), match="PostgreSQL, which the ChangeDataCapture resource does not"),
    "fail_postgres_v2": Case(source("PostgreSqlV2"), match="PostgreSQL"),
    "fail_unsupported_connector": Case(source("MongoDbV2"), match="does not support as a source"),
    "fail_missing_type": Case(source(None), match="linkedServiceType is not set"),
    "fail_delta_files_as_source": Case(source("AzureBlobFS", "delta"), match="format a CDC can't capture"),
    "fail_no_sources": Case({"sourceConnectionsInfo": []}, match="declares no sourceConnectionsInfo"),
    "fail_wrong_typed_sources": Case({"sourceConnectionsInfo": {"a": 1}}, match="declares no"),
    "unknown_type": Case(source(unknown())),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_require_supported_source(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
