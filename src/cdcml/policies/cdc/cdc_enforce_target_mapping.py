"""A-05: every CDC target is a supported inline connection, an ML-feeding file target
lands on ADLS Gen2 in Delta or Parquet, and no table is mapped twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.cdc.cdc_require_supported_source import FILE_STORES
from cdcml.policies.pipeline import TARGET, connections, entity_value, tables
from cdcml.policies.vocabulary import MISSING, as_bool, as_str, get, listed, one_of, resource_types, str_list

__all__ = ["ML_FORMATS", "SUPPORTED_TARGETS", "cdc_enforce_target_mapping"]

SUPPORTED_TARGETS = ["AzureBlobFS", "AzureBlobStorage", "AzureSqlDatabase", "AzureSqlMI", "SqlServer", "AzureSqlDW"]
"""DOC-CDC-RES: Azure SQL Database, SQL MI, Azure Synapse Analytics, and Avro/delimited/
Delta/JSON/ORC/Parquet files (over ADLS Gen2 or Blob)."""
ML_FORMATS = ["delta", "parquet"]


def _check_connection(i: int, conn: Any, supported: list[str], formats: list[str], report: Any) -> None:
    where = f"{TARGET}[{i}].connection"
    if not one_of(get(conn, "connection.type"), ("linkedservicetype",)):
        report(f'{where}.type must be "linkedservicetype", the only connection type a CDC supports.')
    if as_bool(get(conn, "connection.isInlineDataset")) is not True:
        report(f"{where}.isInlineDataset must be true; a CDC supports only inline datasets.")
    kind = get(conn, "connection.linkedServiceType")
    if kind is MISSING or not one_of(kind, supported):
        report(f"{where}.linkedServiceType is not a supported CDC target; supported targets: {', '.join(supported)}.")
        return
    if not one_of(kind, FILE_STORES):
        return
    if not one_of(kind, ("AzureBlobFS",)):
        report(
            f"{where} writes files to Blob storage; an ML-feeding landing zone must be ADLS Gen2 (AzureBlobFS) so "
            "Azure ML datastores and ACLs work on it."
        )
    for j, table in enumerate(tables(conn, TARGET)):
        fmt = as_str(entity_value(conn, table, "format"))
        if fmt is None or not one_of(fmt, formats):
            report(
                f"{TARGET}[{i}].targetEntities[{j}] lands files that are not {' or '.join(formats)}; ML data assets "
                "read change data reliably only from those formats."
            )


@resource_types(T.CHANGE_DATA_CAPTURE)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    supported = str_list(config.get("supportedTargets")) or SUPPORTED_TARGETS
    formats = str_list(config.get("mlFormats")) or ML_FORMATS
    conns = connections(args.props, TARGET)
    if not conns:
        report_violation(f"The CDC declares no {TARGET}; its changes land nowhere.")
    sources: Counter[str] = Counter()
    targets: Counter[str] = Counter()
    for i, conn in enumerate(conns):
        _check_connection(i, conn, supported, formats, report_violation)
        for mapping in listed(get(conn, "dataMapperMappings")):
            source = as_str(get(mapping, "sourceEntityName"))
            target = as_str(get(mapping, "targetEntityName"))
            if source:
                sources[source] += 1
            if target:
                targets[target] += 1
    if any(n > 1 for n in sources.values()) or any(n > 1 for n in targets.values()):
        report_violation(
            "A source or target table appears in more than one dataMapperMappings entry; a CDC may use each source "
            "and each target only once."
        )


cdc_enforce_target_mapping = GuardrailResourcePolicy(
    name="cdc-enforce-target-mapping",
    description="Every target of a Data Factory change data capture must be a supported inline connection that "
    "lands ML-ready files, with each table mapped once.",
    validate=_validate,
    rule="A-05",
    layer="cdc",
    concern="dataflow",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Give each target connection type "linkedservicetype" and isInlineDataset true, land ML data on an '
        "AzureBlobFS (ADLS Gen2) linked service with the format DSL property set to delta or parquet, and map each "
        "source and target table in exactly one dataMapperMappings entry."
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-change-data-capture-resource",
    framework=mcsb("AM-2"),
    config={
        "supportedTargets": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
            "default": SUPPORTED_TARGETS,
            "description": "Linked service types a CDC may write to (compared case-insensitively).",
        },
        "mlFormats": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
            "default": ML_FORMATS,
            "description": "File formats an ML-feeding file target may land.",
        },
    },
)
