"""cdc-enforce-target-mapping (A-05): targets are supported inline connections landing
ML-ready files, each table mapped once."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cdc.cdc_enforce_target_mapping import cdc_enforce_target_mapping
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = cdc_enforce_target_mapping
RESOURCE_TYPE = T.CHANGE_DATA_CAPTURE
BASE: dict[str, Any] = props("cdc")


def target(**connection: Any) -> dict[str, Any]:
    conn = copy.deepcopy(BASE["targetConnectionsInfo"][0])
    conn["connection"].update(connection)
    return {"targetConnectionsInfo": [conn]}


def mappings(*pairs: tuple[str, str]) -> dict[str, Any]:
    conn = copy.deepcopy(BASE["targetConnectionsInfo"][0])
    conn["dataMapperMappings"] = [{"sourceEntityName": s, "targetEntityName": t} for s, t in pairs]
    return {"targetConnectionsInfo": [conn]}


PARQUET = [{"name": "format", "value": "parquet"}]

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_parquet": target(commonDslConnectorProperties=PARQUET),
    "pass_sql_target": target(linkedServiceType="AzureSqlDatabase", commonDslConnectorProperties=[]),
    "pass_configured_format": Case(
        target(commonDslConnectorProperties=[{"name": "format", "value": "json"}]), config={"mlFormats": ["json"]}
    ),
    "fail_not_inline": Case(target(isInlineDataset=False), match="only inline datasets"),
    "fail_inline_missing": Case(target(isInlineDataset=None), match="only inline datasets"),
    "fail_connection_type": Case(target(type="dataset"), match='"linkedservicetype"'),
    "fail_unsupported_target": Case(target(linkedServiceType="CosmosDb"), match="not a supported CDC target"),
    "fail_blob_storage_landing": Case(target(linkedServiceType="AzureBlobStorage"), match="must be ADLS Gen2"),
    "fail_csv_landing": Case(
        target(commonDslConnectorProperties=[{"name": "format", "value": "delimited"}]), match="not delta or parquet"
    ),
    "fail_no_format": Case(target(commonDslConnectorProperties=[]), match="not delta or parquet"),
    "fail_source_mapped_twice": Case(
        mappings(("dbo.orders", "orders/a"), ("dbo.orders", "orders/b")), match="more than one dataMapperMappings"
    ),
    "fail_target_mapped_twice": Case(mappings(("a", "orders/a"), ("b", "orders/a")), match="only once"),
    "fail_no_targets": Case({"targetConnectionsInfo": None}, match="declares no targetConnectionsInfo"),
    "unknown_format": Case(target(commonDslConnectorProperties=[{"name": "format", "value": unknown()}])),
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_enforce_target_mapping(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
