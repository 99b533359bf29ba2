"""cdc-require-incremental-capture (A-01): every source table is captured incrementally."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.cdc.cdc_require_incremental_capture import cdc_require_incremental_capture
from cdcml.testing.harness import Case, unknown
from tests.policies.fixtures import props

POLICY = cdc_require_incremental_capture
RESOURCE_TYPE = T.CHANGE_DATA_CAPTURE
BASE: dict[str, Any] = props("cdc")


def _source(
    entity: list[dict[str, Any]], common: list[dict[str, Any]] | None = None, kind: str = "AzureSqlDatabase"
) -> dict[str, Any]:
    connection: dict[str, Any] = {"type": "linkedservicetype", "linkedServiceType": kind, "isInlineDataset": True}
    if common is not None:
        connection["commonDslConnectorProperties"] = common
    return {
        "sourceConnectionsInfo": [
            {"connection": connection, "sourceEntities": [{"name": "dbo.orders", "dslConnectorProperties": entity}]}
        ]
    }


TABLE = [{"name": "schemaName", "value": "dbo"}, {"name": "tableName", "value": "orders"}]

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_watermark_column": _source([*TABLE, {"name": "waterMarkColumn", "value": "modified_at"}]),
    "pass_native_cdc_on_connection": _source(TABLE, [{"name": "enableNativeCdc", "value": True}]),
    "pass_native_cdc_as_string": _source([*TABLE, {"name": "enableNativeCdc", "value": "TRUE"}]),
    "pass_file_source": _source([{"name": "folderPath", "value": "in"}], kind="AzureBlobFS"),
    "fail_full_reload": Case(_source(TABLE), match=r"sourceEntities\[0\] has neither native"),
    "fail_native_cdc_off": Case(_source([*TABLE, {"name": "enableNativeCdc", "value": False}]), match="full reload"),
    "fail_empty_watermark": Case(_source([*TABLE, {"name": "waterMarkColumn", "value": " "}]), match="full reload"),
    "fail_enable_cdc_false": Case(
        _source(TABLE, [{"name": "enableCdc", "value": False}], kind="AzureBlobFS"), match="enableCdc to false"
    ),
    "fail_odd_case_type": Case(_source(TABLE, kind="azuresqldatabase"), match="full reload"),
    "pass_wrong_typed_connections": {"sourceConnectionsInfo": "not-a-list"},
    "unknown_entity_properties": Case(_source(unknown())),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", CASES)
def test_cdc_require_incremental_capture(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
