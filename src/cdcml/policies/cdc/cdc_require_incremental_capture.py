"""A-01 (incremental half): every source table of a CDC is captured incrementally — by
the source's native change tracking or an incremental (watermark) column — and never
reloaded in full on each run."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.pipeline import SOURCE, connections, entity_value, tables
from cdcml.policies.vocabulary import as_bool, as_str, get, name_value, resource_types

__all__ = ["DATABASE_SOURCES", "cdc_require_incremental_capture"]

DATABASE_SOURCES = ("AzureSqlDatabase", "AzureSqlMI", "SqlServer", "Snowflake")
"""Table sources: each table needs native CDC (``enableNativeCdc``) or a ``waterMarkColumn``.
File sources are incremental by modification time and Cosmos DB by its change feed."""


@resource_types(T.CHANGE_DATA_CAPTURE)
def _validate(args: Any, report_violation: Any) -> None:
    for i, conn in enumerate(connections(args.props, SOURCE)):
        where = f"{SOURCE}[{i}]"
        enable_cdc = as_bool(name_value(get(conn, "connection.commonDslConnectorProperties"), "enableCdc"))
        if enable_cdc is False:
            report_violation(
                f"{where} sets enableCdc to false, so every run reloads the source in full instead of reading "
                "its changes."
            )
            continue
        kind = as_str(get(conn, "connection.linkedServiceType"))
        if kind is None or kind.strip().casefold() not in {s.casefold() for s in DATABASE_SOURCES}:
            continue
        for j, table in enumerate(tables(conn, SOURCE)):
            native = as_bool(entity_value(conn, table, "enableNativeCdc"))
            column = as_str(entity_value(conn, table, "waterMarkColumn"))
            if native is True or (column is not None and column.strip()):
                continue
            report_violation(
                f"{where}.sourceEntities[{j}] has neither native change data capture (enableNativeCdc: true) nor "
                "an incremental column (waterMarkColumn), so it is captured as a full reload on every run."
            )


cdc_require_incremental_capture = GuardrailResourcePolicy(
    name="cdc-require-incremental-capture",
    description="Every source table of a Data Factory change data capture must be captured incrementally, by "
    "native change tracking or an incremental column, never as a full reload.",
    validate=_validate,
    rule="A-01",
    layer="cdc",
    concern="dataflow",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Enable change data capture on the source table (sys.sp_cdc_enable_table) and set the DSL connector "
        "property enableNativeCdc to true on the CDC source entity, or set waterMarkColumn to a column that only "
        "grows (a last-modified timestamp or rowversion); never set enableCdc to false on the source connection."
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-change-data-capture",
    framework=mcsb("AM-2"),
)
