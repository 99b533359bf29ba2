"""A-02 + latency bounds: a Microbatch CDC has a recurrence, and every declared recurrence
runs no more often than the minimum latency and no less often than the maximum."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import MISSING, as_number, as_str, config_number, get, resource_types, shown

__all__ = ["FREQUENCIES", "cdc_enforce_recurrence_bounds", "format_minutes", "latency_minutes"]

FREQUENCIES = ("Hour", "Minute", "Second")
"""``FrequencyType`` of ``policy.recurrence.frequency`` (SDK datafactory/_enums.py)."""

_MINUTES_PER = {"second": 1 / 60, "minute": 1.0, "hour": 60.0}


def latency_minutes(frequency: Any, interval: Any) -> float | None:
    """The latency of a recurrence in minutes; ``None`` when it isn't a valid recurrence."""
    unit = as_str(frequency)
    n = as_number(interval)
    if unit is None or n is None or n <= 0 or unit.strip().casefold() not in _MINUTES_PER:
        return None
    return n * _MINUTES_PER[unit.strip().casefold()]


def format_minutes(minutes: float) -> str:
    """A latency for a message: ``30 seconds``, ``15 minutes``, ``2 hours``."""
    if minutes < 1:
        return f"{minutes * 60:g} seconds"
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes / 60
        return f"{hours:g} hour" + ("s" if hours != 1 else "")
    return f"{minutes:g} minute" + ("s" if minutes != 1 else "")


@resource_types(T.CHANGE_DATA_CAPTURE)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    low = config_number(config, "minLatencyMinutes", 15)
    high = config_number(config, "maxLatencyMinutes", 120)
    mode = as_str(get(args.props, "policy.mode"))
    recurrence = get(args.props, "policy.recurrence")
    if recurrence is MISSING:
        if mode is not None and mode.strip().casefold() == "microbatch":
            report_violation(
                "A Microbatch CDC needs policy.recurrence (frequency and interval); without it "
                "ADF has no cadence to wake up on."
            )
        return
    frequency = get(recurrence, "frequency")
    interval = get(recurrence, "interval")
    minutes = latency_minutes(frequency, interval)
    if minutes is None:
        got = f"got frequency {shown(frequency, FREQUENCIES)} and interval {shown(interval)}"
        report_violation(
            "policy.recurrence must have a frequency of Hour or Minute (Second is never offered by ADF) and a "
            f"positive whole interval; {got}."
        )
        return
    if minutes < low:
        report_violation(
            f"The CDC runs every {format_minutes(minutes)}; the minimum latency is {format_minutes(low)}. Each "
            "wake-up bills a data flow cluster, so a shorter recurrence multiplies cost without a consumer that "
            "needs it."
        )
    elif minutes > high:
        report_violation(
            f"The CDC runs every {format_minutes(minutes)}; the maximum latency is {format_minutes(high)}, so the "
            "ML data asset would be staler than its consumers allow."
        )


cdc_enforce_recurrence_bounds = GuardrailResourcePolicy(
    name="cdc-enforce-recurrence-bounds",
    description="A Data Factory change data capture must declare a recurrence whose latency lies within the "
    "configured bounds.",
    validate=_validate,
    rule="A-02",
    layer="cdc",
    concern="cadence",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Set policy.recurrence on the ChangeDataCapture to one of the latencies ADF Studio offers — "
        "{frequency: Minute, interval: 15} (the default), {Minute, 30}, {Hour, 1} or {Hour, 2} — within "
        "minLatencyMinutes..maxLatencyMinutes of this policy's config."
    ),
    url="https://learn.microsoft.com/azure/data-factory/how-to-change-data-capture-resource",
    framework=mcsb("AM-2"),
    config={
        "minLatencyMinutes": {
            "type": "number",
            "minimum": 0,
            "default": 15,
            "description": "The shortest allowed recurrence, in minutes.",
        },
        "maxLatencyMinutes": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 120,
            "description": "The longest allowed recurrence, in minutes.",
        },
    },
)
