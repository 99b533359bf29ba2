"""D-08: a CDC source database holding sensitive data encrypts it with a customer-managed
key (TDE protector / data encryption key)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import TEXT, Expect, PropertyPolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required

__all__ = ["encryption_require_database_cmk"]

encryption_require_database_cmk = PropertyPolicy(
    name="encryption-require-database-cmk",
    description="A CDC source database server whose data classification requires it must be encrypted with a "
    "customer-managed key.",
    resource_types=(T.SQL_SERVER, T.PG_SERVER),
    only_if=cmk_required,
    expects=[
        Expect(
            "keyId",
            (TEXT,),
            types=(T.SQL_SERVER,),
            message="keyId is not set: the server's data classification requires a customer-managed TDE protector.",
        ),
        Expect(
            "dataEncryption.type",
            ("AzureKeyVault",),
            types=(T.PG_SERVER,),
            also=(("dataEncryption.primaryKeyURI", (TEXT,)),),
            trim=False,
            message='dataEncryption.type must be "AzureKeyVault" with dataEncryption.primaryKeyURI set: the '
            "server's data classification requires a customer-managed key.",
        ),
    ],
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
