"""C-10: the CDC source databases accept only Microsoft Entra ID authentication."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_bool, get, one_of, resource_types, shown

__all__ = ["identity_require_database_entra_auth"]

STATES = ("Enabled", "Disabled")


@resource_types(T.SQL_SERVER, T.SQL_AAD_ONLY, T.PG_SERVER)
def _validate(args: Any, report_violation: Any) -> None:
    props = args.props
    if args.resource_type == T.SQL_SERVER:
        if as_bool(get(props, "administrators.azureADOnlyAuthentication")) is not True:
            report_violation(
                "administrators.azureADOnlyAuthentication is not true, so SQL logins with passwords can still reach "
                "the CDC source; configure a Microsoft Entra administrator with Entra-only authentication."
            )
    elif args.resource_type == T.SQL_AAD_ONLY:
        if as_bool(get(props, "azureADOnlyAuthentication")) is not True:
            report_violation("azureADOnlyAuthentication is not true, which re-enables SQL logins on the server.")
    else:
        entra = get(props, "authConfig.activeDirectoryAuth")
        if not one_of(entra, ("Enabled",)):
            report_violation(f'authConfig.activeDirectoryAuth is {shown(entra, STATES)}; it must be "Enabled".')
        password = get(props, "authConfig.passwordAuth")  # read after reporting: an unknown here can't hide it
        if not one_of(password, ("Disabled",)):
            report_violation(
                f'authConfig.passwordAuth is {shown(password, STATES)}; it must be "Disabled" so only Microsoft '
                "Entra identities reach the CDC source."
            )


identity_require_database_entra_auth = GuardrailResourcePolicy(
    name="identity-require-database-entra-auth",
    description="A CDC source database server must accept only Microsoft Entra ID authentication.",
    validate=_validate,
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
