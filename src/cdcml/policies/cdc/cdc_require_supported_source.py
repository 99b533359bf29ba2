"""A-04: every CDC source is a connector the ChangeDataCapture resource supports;
PostgreSQL, which it doesn't, is called out explicitly."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.pipeline import FILE_FORMATS, SOURCE, connections, entity_value, tables
from cdcml.policies.vocabulary import MISSING, as_str, get, one_of, resource_types, str_list

__all__ = ["FILE_STORES", "SUPPORTED_SOURCES", "cdc_require_supported_source"]

SUPPORTED_SOURCES = [
    "AzureSqlDatabase",
    "AzureSqlMI",
    "SqlServer",
    "CosmosDb",
    "Snowflake",
    "AzureBlobFS",
    "AzureBlobStorage",
]
"""DOC-CDC-RES: Azure SQL Database, SQL MI, SQL Server, Cosmos DB (SQL API), Snowflake,
and Avro/delimited/JSON/ORC/Parquet/XML files (over ADLS Gen2 or Blob)."""
FILE_STORES = ("AzureBlobFS", "AzureBlobStorage")
SOURCE_FILE_FORMATS = tuple(f for f in FILE_FORMATS if f != "delta")
POSTGRES = ("AzurePostgreSql", "PostgreSql", "PostgreSqlV2")


@resource_types(T.CHANGE_DATA_CAPTURE)
def _validate(args: Any, report_violation: Any) -> None:
    supported = str_list(args.get_config().get("supportedSources")) or SUPPORTED_SOURCES
    conns = connections(args.props, SOURCE)
    if not conns:
        report_violation(f"The CDC declares no {SOURCE}; it has nothing to capture.")
    for i, conn in enumerate(conns):
        where = f"{SOURCE}[{i}].connection.linkedServiceType"
        kind = get(conn, "connection.linkedServiceType")
        if kind is MISSING:
            report_violation(f"{where} is not set; supported sources: {', '.join(supported)}.")
            continue
        if one_of(kind, POSTGRES):
            report_violation(
                f"{where} is PostgreSQL, which the ChangeDataCapture resource does not support as a source. Capture "
                "PostgreSQL with a pipeline (mapping data flow with incremental CDC, wal_level = logical) instead."
            )
            continue
        if not one_of(kind, supported):
            report_violation(
                f"{where} names a connector the ChangeDataCapture resource does not support as a source; supported "
                f"sources: {', '.join(supported)}."
            )
            continue
        if one_of(kind, FILE_STORES):
            for j, table in enumerate(tables(conn, SOURCE)):
                fmt = as_str(entity_value(conn, table, "format"))
                if fmt is not None and not one_of(fmt, SOURCE_FILE_FORMATS):
                    report_violation(
                        f"{SOURCE}[{i}].sourceEntities[{j}] reads files in a format a CDC can't capture; supported "
                        f"file formats: {', '.join(SOURCE_FILE_FORMATS)}."
                    )


cdc_require_supported_source = GuardrailResourcePolicy(
    name="cdc-require-supported-source",
    description="Every source of a Data Factory change data capture must be a connector the CDC resource supports.",
    validate=_validate,
    rule="A-04",
    layer="cdc",
    concern="dataflow",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Point the CDC source at Azure SQL Database, Azure SQL Managed Instance, SQL Server, Cosmos DB (SQL API), "
        "Snowflake or files (Avro, delimited text, JSON, ORC, Parquet, XML) on ADLS Gen2 or Blob storage; for "
        "PostgreSQL build a pipeline with an incremental mapping data flow instead of a ChangeDataCapture."
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-change-data-capture-resource",
    framework=mcsb("AM-2"),
    config={
        "supportedSources": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
            "default": SUPPORTED_SOURCES,
            "description": "Linked service types a CDC may capture from (compared case-insensitively).",
        }
    },
)
