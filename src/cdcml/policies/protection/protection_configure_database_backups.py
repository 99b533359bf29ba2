"""E-06: the CDC source databases keep backups long enough, geo-redundant where the
environment needs it, with a storage redundancy the organisation allows."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import (
    ENVIRONMENT_SCHEMA,
    MISSING,
    as_number,
    config_number,
    environment,
    get,
    one_of,
    resource_types,
    shown,
    str_list,
)

__all__ = ["protection_configure_database_backups"]

REDUNDANCIES = ("Geo", "GeoZone", "Zone", "Local")
PROD_REDUNDANCIES = ["Geo", "GeoZone", "Zone"]


@resource_types(T.PG_SERVER, T.SQL_DATABASE)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    env = environment(config)
    if args.resource_type == T.PG_SERVER:
        days = as_number(get(args.props, "backup.backupRetentionDays"))
        minimum = config_number(config, "minBackupRetentionDays", 7)
        if (days if days is not None else 7.0) < minimum:
            report_violation(f"backup.backupRetentionDays is {shown(days)}; keep backups at least {minimum:g} days.")
        if env == "prod" and not one_of(get(args.props, "backup.geoRedundantBackup"), ("Enabled",)):
            report_violation(
                'backup.geoRedundantBackup is not "Enabled"; a production CDC source must survive a regional outage.'
            )
        return
    allowed = str_list(config.get("allowedBackupRedundancy")) or (PROD_REDUNDANCIES if env == "prod" else [])
    value = get(args.props, "requestedBackupStorageRedundancy")
    effective = "Geo" if value is MISSING else value  # the service default
    if allowed and not one_of(effective, allowed):
        report_violation(
            f"requestedBackupStorageRedundancy is {shown(value, REDUNDANCIES)}; allowed here: {', '.join(allowed)}."
        )


protection_configure_database_backups = GuardrailResourcePolicy(
    name="protection-configure-database-backups",
    description="A CDC source database must keep backups long enough with an allowed, environment-appropriate "
    "redundancy.",
    validate=_validate,
    rule="E-06",
    layer="source",
    concern="protection",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set backup.backupRetentionDays to at least minBackupRetentionDays and, in production, "
        'backup.geoRedundantBackup "Enabled" on PostgreSQL flexible servers; set requestedBackupStorageRedundancy to '
        "one of allowedBackupRedundancy on SQL databases (residency rules may require Zone or Local)."
    ),
    url="https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore",
    framework=mcsb("BR-1"),
    config={
        "environment": ENVIRONMENT_SCHEMA,
        "minBackupRetentionDays": {
            "type": "number",
            "minimum": 1,
            "maximum": 35,
            "default": 7,
            "description": "The shortest allowed backup retention, in days.",
        },
        "allowedBackupRedundancy": {
            "type": "array",
            "items": {"type": "string", "enum": list(REDUNDANCIES)},
            "uniqueItems": True,
            "default": [],
            "description": "SQL backup storage redundancies allowed; empty means Geo, GeoZone or Zone in prod and "
            "any elsewhere.",
        },
    },
)
