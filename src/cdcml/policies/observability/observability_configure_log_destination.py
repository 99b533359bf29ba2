"""H-02: logs go to an approved, central Log Analytics workspace, into resource-specific
tables, and that workspace keeps them long enough; a diagnostic setting sends something (a
setting whose listed log categories are all disabled, or that enables no log and no
metric, collects nothing)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import (
    as_bool,
    as_number,
    as_str,
    config_number,
    get,
    listed,
    one_of,
    present,
    resource_types,
    str_list,
)

__all__ = ["observability_configure_log_destination"]


@resource_types(T.DIAGNOSTIC_SETTING, T.LOG_ANALYTICS)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    if args.resource_type == T.LOG_ANALYTICS:
        days = as_number(get(args.props, "retentionInDays"))
        minimum = config_number(config, "minRetentionDays", 90)
        if (days if days is not None else 30.0) < minimum:
            shown_days = "the default 30" if days is None else f"{days:g}"
            report_violation(
                f"retentionInDays is {shown_days}; security investigations need at least {minimum:g} days of logs."
            )
        return
    logs = listed(get(args.props, "logs"))
    if not any(as_bool(get(log, "enabled")) is True for log in logs):
        if logs:
            report_violation(
                "Every log category the diagnostic setting lists is disabled, so it sends no resource log; enable "
                "them (or remove the setting)."
            )
        elif not any(as_bool(get(metric, "enabled")) is True for metric in listed(get(args.props, "metrics"))):
            report_violation("The diagnostic setting enables no log category and no metric, so it sends nothing.")
    allowed = {w.strip().casefold() for w in str_list(config.get("allowedWorkspaceIds"))}
    to_workspace = present(args.props, "workspaceId")
    if allowed:
        workspace = as_str(get(args.props, "workspaceId"))
        if not to_workspace:
            report_violation("The diagnostic setting sends no logs to Log Analytics; allowedWorkspaceIds requires it.")
        elif workspace is None or workspace.strip().casefold() not in allowed:
            report_violation("workspaceId is not one of the central Log Analytics workspaces in allowedWorkspaceIds.")
    if (
        to_workspace
        and as_bool(config.get("requireResourceSpecificTables", True)) is not False
        and not one_of(get(args.props, "logAnalyticsDestinationType"), ("Dedicated",))
    ):
        report_violation(
            'logAnalyticsDestinationType is not "Dedicated", so logs land in the shared AzureDiagnostics table '
            "instead of resource-specific tables."
        )


observability_configure_log_destination = GuardrailResourcePolicy(
    name="observability-configure-log-destination",
    description="Diagnostic settings must send logs to an approved Log Analytics workspace in resource-specific "
    "tables, retained long enough.",
    validate=_validate,
    rule="H-02",
    layer="platform",
    concern="observability",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Point workspaceId at the central workspace, set logAnalyticsDestinationType "Dedicated", and set '
        "retentionInDays on the Log Analytics workspace to at least minRetentionDays."
    ),
    url="https://learn.microsoft.com/azure/azure-monitor/essentials/resource-logs#send-to-log-analytics-workspace",
    framework=mcsb("LT-5"),
    config={
        "allowedWorkspaceIds": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "default": [],
            "description": "ARM ids of the Log Analytics workspaces logs may go to; empty allows any.",
        },
        "requireResourceSpecificTables": {
            "type": "boolean",
            "default": True,
            "description": 'Require logAnalyticsDestinationType "Dedicated".',
        },
        "minRetentionDays": {
            "type": "number",
            "minimum": 30,
            "maximum": 730,
            "default": 90,
            "description": "The shortest allowed Log Analytics retention, in days.",
        },
    },
)
