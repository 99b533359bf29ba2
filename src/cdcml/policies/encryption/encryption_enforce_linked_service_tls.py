"""D-06: database linked services encrypt their connections and validate the server
certificate."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["encryption_enforce_linked_service_tls"]

SQL_TYPES = ("AzureSqlDatabase", "AzureSqlMI", "SqlServer", "AzureSqlDW")
PG_TYPES = ("AzurePostgreSql", "PostgreSqlV2")
ENCRYPT_OK = ("true", "mandatory", "strict", "yes")

encryption_enforce_linked_service_tls = PropertyPolicy(
    name="encryption-enforce-linked-service-tls",
    description="A database linked service must encrypt its connection and validate the server certificate.",
    resource_types=(T.LINKED_SERVICE,),
    expects=[
        Expect(
            "properties.trustServerCertificate",
            forbidden=(True,),
            when=(("properties.type", (*SQL_TYPES, *PG_TYPES)),),
            trim=False,
            message="properties.trustServerCertificate is true, so the connection accepts any server certificate and "
            "can be intercepted.",
        ),
        Expect(
            "properties.encrypt",
            (True, *ENCRYPT_OK),
            missing="compliant",
            when=(("properties.type", SQL_TYPES),),
            vocabulary=("false", "optional", "no"),
            trim=False,
            message='properties.encrypt is {value}; set it to "mandatory" (or "strict").',
        ),
        Expect(
            "properties.sslMode",
            at_least=3,
            when=(("properties.type", PG_TYPES),),
            trim=False,
            message="properties.sslMode is {value}; use 3 (require) or higher — 4 (verify-ca) or 5 (verify-full) — so "
            "the PostgreSQL connection is always encrypted.",
        ),
    ],
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
