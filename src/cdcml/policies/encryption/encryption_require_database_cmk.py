"""D-08: a CDC source database holding sensitive data encrypts it with a customer-managed
key (TDE protector / data encryption key)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required
from cdcml.policies.vocabulary import as_str, get, one_of, resource_types

__all__ = ["encryption_require_database_cmk"]


@resource_types(T.SQL_SERVER, T.PG_SERVER)
def _validate(args: Any, report_violation: Any) -> None:
    if not cmk_required(args.props, args.get_config()):
        return
    if args.resource_type == T.SQL_SERVER:
        if not as_str(get(args.props, "keyId")):
            report_violation(
                "keyId is not set: the server's data classification requires a customer-managed TDE protector."
            )
    elif not one_of(get(args.props, "dataEncryption.type"), ("AzureKeyVault",)) or not as_str(
        get(args.props, "dataEncryption.primaryKeyURI")
    ):
        report_violation(
            'dataEncryption.type must be "AzureKeyVault" with dataEncryption.primaryKeyURI set: the server\'s data '
            "classification requires a customer-managed key."
        )


encryption_require_database_cmk = GuardrailResourcePolicy(
    name="encryption-require-database-cmk",
    description="A CDC source database server whose data classification requires it must be encrypted with a "
    "customer-managed key.",
    validate=_validate,
    rule="D-08",
    layer="source",
    concern="encryption",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set keyId (with primaryUserAssignedIdentityId) on the SQL server, or dataEncryption {type: AzureKeyVault, "
        "primaryKeyURI, primaryUserAssignedIdentityId} on the PostgreSQL flexible server."
    ),
    url="https://learn.microsoft.com/azure/azure-sql/database/transparent-data-encryption-byok-overview",
    framework=mcsb("DP-5"),
    config=CMK_CONFIG,
)
