"""A-03: a CDC's recurrence is one of the latencies ADF Studio offers (15 or 30 minutes,
1 or 2 hours)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.cdc.cdc_enforce_recurrence_bounds import format_minutes, latency_minutes
from cdcml.policies.vocabulary import MISSING, as_number, get, listed, resource_types

__all__ = ["OFFERED_LATENCY_MINUTES", "cdc_enforce_offered_latency"]

OFFERED_LATENCY_MINUTES = [15, 30, 60, 120]
"""{Minute, 15} (the default), {Minute, 30}, {Hour, 1}, {Hour, 2} — the mapping from the
UI's options is inferred (rule-catalogue §4.1, §8.2)."""


@resource_types(T.CHANGE_DATA_CAPTURE)
def _validate(args: Any, report_violation: Any) -> None:
    recurrence = get(args.props, "policy.recurrence")
    if recurrence is MISSING:
        return  # cdc-enforce-recurrence-bounds reports a missing recurrence
    minutes = latency_minutes(get(recurrence, "frequency"), get(recurrence, "interval"))
    if minutes is None:
        return  # an invalid recurrence is cdc-enforce-recurrence-bounds' finding
    configured = [as_number(v) for v in listed(args.get_config().get("offeredLatencyMinutes"))]
    offered = sorted({v for v in configured if v is not None}) or [float(v) for v in OFFERED_LATENCY_MINUTES]
    if any(abs(minutes - v) < 1e-9 for v in offered):
        return
    report_violation(
        f"The CDC runs every {format_minutes(minutes)}, which ADF Studio does not offer; offered latencies: "
        f"{', '.join(format_minutes(v) for v in offered)}. A hand-written recurrence drifts from what the "
        "monitoring UI shows and is not a tested configuration."
    )


cdc_enforce_offered_latency = GuardrailResourcePolicy(
    name="cdc-enforce-offered-latency",
    description="A Data Factory change data capture must use one of the latencies ADF Studio offers.",
    validate=_validate,
    rule="A-03",
    layer="cdc",
    concern="cadence",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set policy.recurrence to {frequency: Minute, interval: 15}, {Minute, 30}, {Hour, 1} or {Hour, 2}, or "
        "list the latency you need in offeredLatencyMinutes once it has been verified against an ADF export."
    ),
    url="https://learn.microsoft.com/azure/data-factory/how-to-change-data-capture-resource",
    framework=mcsb("AM-2"),
    config={
        "offeredLatencyMinutes": {
            "type": "array",
            "items": {"type": "number", "exclusiveMinimum": 0},
            "minItems": 1,
            "uniqueItems": True,
            "default": OFFERED_LATENCY_MINUTES,
            "description": "Latencies (in minutes) a CDC recurrence may take.",
        }
    },
)
