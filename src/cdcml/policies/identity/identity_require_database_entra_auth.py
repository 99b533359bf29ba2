"""C-10: the CDC source databases accept only Microsoft Entra ID authentication."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["identity_require_database_entra_auth"]

identity_require_database_entra_auth = PropertyPolicy(
    name="identity-require-database-entra-auth",
    description="A CDC source database server must accept only Microsoft Entra ID authentication.",
    resource_types=(T.SQL_SERVER, T.SQL_AAD_ONLY, T.PG_SERVER),
    expects=[
        Expect(
            "administrators.azureADOnlyAuthentication",
            (True,),
            types=(T.SQL_SERVER,),
            message="administrators.azureADOnlyAuthentication is not true, so SQL logins with passwords can still "
            "reach the CDC source; configure a Microsoft Entra administrator with Entra-only authentication.",
        ),
        Expect(
            "azureADOnlyAuthentication",
            (True,),
            types=(T.SQL_AAD_ONLY,),
            message="azureADOnlyAuthentication is not true, which re-enables SQL logins on the server.",
        ),
        Expect(
            "authConfig.activeDirectoryAuth",
            ("Enabled",),
            types=(T.PG_SERVER,),
            vocabulary=("Disabled",),
            trim=False,
            message='authConfig.activeDirectoryAuth is {value}; it must be "Enabled".',
        ),
        Expect(
            "authConfig.passwordAuth",
            ("Disabled",),
            types=(T.PG_SERVER,),
            vocabulary=("Enabled",),
            trim=False,
            message='authConfig.passwordAuth is {value}; it must be "Disabled" so only Microsoft Entra identities '
            "reach the CDC source.",
        ),
    ],
    rule="C-10",
    layer="source",
    concern="identity",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "On a SQL server set administrators to an ActiveDirectory administrator with azureADOnlyAuthentication "
        'true; on a PostgreSQL flexible server set authConfig.activeDirectoryAuth "Enabled" and passwordAuth '
        '"Disabled".'
    ),
    url="https://learn.microsoft.com/azure/azure-sql/database/authentication-azure-ad-only-authentication",
    framework=mcsb("IM-1"),
)
