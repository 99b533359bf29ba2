"""A-09: pipeline-based incremental CDC runs on a tumbling-window or schedule trigger no
faster than the minimum latency, and a tumbling window retries failed windows."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.cdc.cdc_enforce_recurrence_bounds import format_minutes
from cdcml.policies.vocabulary import MISSING, as_bool, as_number, config_number, get, one_of, resource_types

__all__ = ["cdc_enforce_trigger_cadence"]

_MINUTES = {"minute": 1.0, "hour": 60.0}


def _minutes(frequency: Any, interval: Any) -> float | None:
    n = as_number(interval)
    if not isinstance(frequency, str) or n is None or n <= 0:
        return None
    unit = _MINUTES.get(frequency.strip().casefold())
    return None if unit is None else n * unit


@resource_types(T.TRIGGER)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    floor = config_number(config, "minLatencyMinutes", 15)
    require_retry = as_bool(config.get("requireRetry", True)) is not False
    kind = get(args.props, "properties.type")
    if one_of(kind, ("TumblingWindowTrigger",)):
        minutes = _minutes(get(args.props, "properties.frequency"), get(args.props, "properties.interval"))
        if minutes is not None and minutes < max(floor, 15.0):
            report_violation(
                f"The tumbling window fires every {format_minutes(minutes)}; the minimum is "
                f"{format_minutes(max(floor, 15.0))} (ADF allows no tumbling window below 15 minutes)."
            )
        if require_retry:
            count = as_number(get(args.props, "properties.retryPolicy.count"))
            if get(args.props, "properties.retryPolicy") is MISSING or not count:
                report_violation(
                    "properties.retryPolicy.count is not set, so a failed window is never retried and its "
                    "changes are missing downstream until someone reruns it."
                )
    elif one_of(kind, ("ScheduleTrigger",)):
        minutes = _minutes(
            get(args.props, "properties.recurrence.frequency"), get(args.props, "properties.recurrence.interval")
        )
        if minutes is not None and minutes < floor:
            report_violation(
                f"The schedule fires every {format_minutes(minutes)}; the minimum latency is {format_minutes(floor)}."
            )


cdc_enforce_trigger_cadence = GuardrailResourcePolicy(
    name="cdc-enforce-trigger-cadence",
    description="A Data Factory trigger that drives incremental CDC must fire no faster than the minimum latency "
    "and retry failed windows.",
    validate=_validate,
    rule="A-09",
    layer="cdc",
    concern="cadence",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set the trigger's frequency and interval to at least minLatencyMinutes (tumbling windows: at least 15 "
        "minutes) and give tumbling-window triggers a retryPolicy with a positive count."
    ),
    url="https://learn.microsoft.com/azure/data-factory/how-to-create-tumbling-window-trigger",
    framework=mcsb("AM-2"),
    config={
        "minLatencyMinutes": {
            "type": "number",
            "minimum": 0,
            "default": 15,
            "description": "The shortest allowed trigger period, in minutes.",
        },
        "requireRetry": {
            "type": "boolean",
            "default": True,
            "description": "Whether tumbling-window triggers must declare a retry policy.",
        },
    },
)
