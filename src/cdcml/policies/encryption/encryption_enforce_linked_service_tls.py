"""D-06: database linked services encrypt their connections and validate the server
certificate."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import MISSING, as_bool, as_number, get, one_of, resource_types, shown

__all__ = ["encryption_enforce_linked_service_tls"]

SQL_TYPES = ("AzureSqlDatabase", "AzureSqlMI", "SqlServer", "AzureSqlDW")
PG_TYPES = ("AzurePostgreSql", "PostgreSqlV2")
ENCRYPT_OK = ("true", "mandatory", "strict", "yes")
ENCRYPT_VALUES = (*ENCRYPT_OK, "false", "optional", "no")


@resource_types(T.LINKED_SERVICE)
def _validate(args: Any, report_violation: Any) -> None:
    kind = get(args.props, "properties.type")
    if not one_of(kind, (*SQL_TYPES, *PG_TYPES)):
        return
    if as_bool(get(args.props, "properties.trustServerCertificate")) is True:
        report_violation(
            "properties.trustServerCertificate is true, so the connection accepts any server certificate and can be "
            "intercepted."
        )
    if one_of(kind, SQL_TYPES):
        encrypt = get(args.props, "properties.encrypt")
        if encrypt is not MISSING and as_bool(encrypt) is not True and not one_of(encrypt, ENCRYPT_OK):
            report_violation(
                f'properties.encrypt is {shown(encrypt, ENCRYPT_VALUES)}; set it to "mandatory" (or "strict").'
            )
        return
    mode = as_number(get(args.props, "properties.sslMode"))
    if mode is not None and mode < 3:
        report_violation(
            f"properties.sslMode is {mode:g}; use 3 (require) or higher — 4 (verify-ca) or 5 (verify-full) — so the "
            "PostgreSQL connection is always encrypted."
        )


encryption_enforce_linked_service_tls = GuardrailResourcePolicy(
    name="encryption-enforce-linked-service-tls",
    description="A database linked service must encrypt its connection and validate the server certificate.",
    validate=_validate,
    rule="D-06",
    layer="cdc",
    concern="encryption",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Set encrypt to "mandatory" or "strict" and leave trustServerCertificate false on SQL linked services; set '
        "sslMode to 3 or higher and trustServerCertificate false on PostgreSQL linked services."
    ),
    url="https://learn.microsoft.com/azure/data-factory/connector-azure-sql-database",
    framework=mcsb("DP-3"),
)
