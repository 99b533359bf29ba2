"""H-03: the CDC source databases audit access: an enabled auditing policy on every SQL
server, connection and checkpoint logging on every PostgreSQL server."""

from __future__ import annotations

from functools import partial
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.stack import Pending, StackIndex, any_known, name_is, output
from cdcml.policies.vocabulary import as_number, as_str, config_number, one_of

__all__ = ["PG_LOG_PARAMETERS", "observability_enable_database_auditing"]

PG_LOG_PARAMETERS = ("log_connections", "log_checkpoints")


def _audits(policy: Any, minimum: float) -> bool:
    if not one_of(output(policy, "state"), ("Enabled",)):
        return False
    days = as_number(output(policy, "retentionDays"))
    to_storage = bool(as_str(output(policy, "storageEndpoint")))
    return not (to_storage and days is not None and 0 < days < minimum)


def _sets_on(parameter: str, configuration: Any) -> bool:
    return name_is(configuration, parameter) and one_of(output(configuration, "value"), ("on",))


def _validate(args: Any, report_violation: Any) -> None:
    minimum = config_number(args.get_config(), "minRetentionDays", 90)
    pending = Pending()
    index = StackIndex(args.resources)
    servers = index.of_type(T.SQL_SERVER)
    policies = index.of_type(T.SQL_AUDITING, T.SQL_EXTENDED_AUDITING)
    for server in servers:
        with pending.item():
            mine = policies.under(server, "serverName", servers)
            if not any_known(mine, lambda p: _audits(p, minimum)):
                report_violation(
                    f"The SQL server has no enabled auditing policy (with at least {minimum:g} days of retention when "
                    "it audits to storage), so reads of the CDC source are not recorded.",
                    server.urn,
                )
    pg_servers = index.of_type(T.PG_SERVER)
    configurations = index.of_type(T.PG_CONFIGURATION)
    for server in pg_servers:
        mine = configurations.under(server, "serverName", pg_servers)
        for parameter in PG_LOG_PARAMETERS:
            with pending.item():
                if not any_known(mine, partial(_sets_on, parameter)):
                    report_violation(
                        f"The PostgreSQL server has no Configuration setting {parameter} to on.",
                        server.urn,
                    )
    pending.finish()


observability_enable_database_auditing = GuardrailStackPolicy(
    name="observability-enable-database-auditing",
    description="Every CDC source database server must audit access.",
    validate=_validate,
    rule="H-03",
    layer="source",
    concern="observability",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Add a sql ServerBlobAuditingPolicy (or ExtendedServerBlobAuditingPolicy) with state "Enabled" and '
        "isAzureMonitorTargetEnabled true (retentionDays ≥ 90 for a storage target) per SQL server, and "
        "dbforpostgresql Configurations log_connections=on and log_checkpoints=on per PostgreSQL server."
    ),
    url="https://learn.microsoft.com/azure/azure-sql/database/auditing-overview",
    framework=mcsb("LT-3"),
    resource_types=(T.SQL_SERVER, T.SQL_AUDITING, T.SQL_EXTENDED_AUDITING, T.PG_SERVER, T.PG_CONFIGURATION),
    config={
        "minRetentionDays": {
            "type": "number",
            "minimum": 1,
            "default": 90,
            "description": "The shortest allowed audit retention for a storage target, in days.",
        }
    },
)
