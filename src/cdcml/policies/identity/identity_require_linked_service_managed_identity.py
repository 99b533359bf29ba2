"""C-02: linked services to Azure SQL and Azure Storage authenticate with the factory's
managed identity, not keys, SAS tokens, SQL logins or service principal secrets."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import MISSING, as_str, get, one_of, resource_types, shown

__all__ = ["MANAGED_IDENTITY_TYPES", "identity_require_linked_service_managed_identity"]

SQL_TYPES = ("AzureSqlDatabase", "AzureSqlMI", "AzureSqlDW")
STORAGE_TYPES = ("AzureBlobFS", "AzureBlobStorage")
MANAGED_IDENTITY_TYPES = ("SystemAssignedManagedIdentity", "UserAssignedManagedIdentity")
SQL_AUTH = ("SQL", "ServicePrincipal", *MANAGED_IDENTITY_TYPES)
BLOB_AUTH = ("Anonymous", "AccountKey", "SasUri", "ServicePrincipal", "Msi")
SECRET_FIELDS = (
    "accountKey",
    "sasUri",
    "sasToken",
    "servicePrincipalKey",
    "servicePrincipalCredential",
    "servicePrincipalEmbeddedCert",
    "encryptedCredential",
    "password",
)
_CREDENTIAL_IN_CONNECTION_STRING = re.compile(r"(?:^|;)\s*(?:user id|uid|accountkey|password|pwd)\s*=", re.IGNORECASE)


@resource_types(T.LINKED_SERVICE)
def _validate(args: Any, report_violation: Any) -> None:
    kind = get(args.props, "properties.type")
    if not one_of(kind, (*SQL_TYPES, *STORAGE_TYPES)):
        return
    auth = get(args.props, "properties.authenticationType")
    if one_of(kind, SQL_TYPES) and auth is not MISSING and not one_of(auth, MANAGED_IDENTITY_TYPES):
        report_violation(
            f'properties.authenticationType is {shown(auth, SQL_AUTH)}; use "SystemAssignedManagedIdentity" or '
            '"UserAssignedManagedIdentity" so no credential is stored for the CDC source.'
        )
    if one_of(kind, ("AzureBlobStorage",)) and auth is not MISSING and not one_of(auth, ("Msi",)):
        report_violation(
            f'properties.authenticationType is {shown(auth, BLOB_AUTH)}; use "Msi" so the landing zone is reached '
            "with the factory's managed identity."
        )
    present = [f for f in SECRET_FIELDS if get(args.props, f"properties.{f}") is not MISSING]
    if present:
        report_violation(
            f"properties.{', properties.'.join(present)} set a stored credential; remove it and authenticate with "
            "the factory's managed identity."
        )
    connection = as_str(get(args.props, "properties.connectionString"))
    if connection and _CREDENTIAL_IN_CONNECTION_STRING.search(connection):
        report_violation(
            "properties.connectionString carries a user name, password or account key; connect with the factory's "
            "managed identity instead."
        )


identity_require_linked_service_managed_identity = GuardrailResourcePolicy(
    name="identity-require-linked-service-managed-identity",
    description="Linked services to Azure SQL and Azure Storage must authenticate with a managed identity.",
    validate=_validate,
    rule="C-02",
    layer="cdc",
    concern="identity",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set authenticationType to "SystemAssignedManagedIdentity" (SQL) or "Msi" (Blob), or leave ADLS Gen2 '
        "without credentials so it uses the factory identity; remove account keys, SAS URIs and tokens, SQL "
        "passwords and service principal secrets, and grant the identity the data-plane role it needs."
    ),
    url="https://learn.microsoft.com/azure/data-factory/connector-azure-data-lake-storage",
    framework=mcsb("IM-3"),
)
