"""I-02: a CDC wakes up no more often than its environment needs: development and test
stacks don't pay for production latency."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.cdc.cdc_enforce_recurrence_bounds import format_minutes, latency_minutes
from cdcml.policies.vocabulary import ENVIRONMENT_SCHEMA, as_number, environment, get, resource_types

__all__ = ["DEFAULT_FLOORS", "cost_enforce_latency_floor"]

DEFAULT_FLOORS = {"dev": 60, "test": 60, "prod": 15}


@resource_types(T.CHANGE_DATA_CAPTURE)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    env = environment(config)
    floors = config.get("minLatencyMinutes")
    floor = as_number(get(floors, env)) if floors is not None else None
    floor = float(DEFAULT_FLOORS[env]) if floor is None else floor
    minutes = latency_minutes(
        get(args.props, "policy.recurrence.frequency"), get(args.props, "policy.recurrence.interval")
    )
    if minutes is not None and minutes < floor:
        report_violation(
            f"The CDC runs every {format_minutes(minutes)} in a {env} stack whose latency floor is "
            f"{format_minutes(floor)}; every wake-up bills a data-flow cluster."
        )


cost_enforce_latency_floor = GuardrailResourcePolicy(
    name="cost-enforce-latency-floor",
    description="A Data Factory change data capture must not run more often than its environment's latency floor.",
    validate=_validate,
    rule="I-02",
    layer="cdc",
    concern="cost",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Lengthen policy.recurrence to the environment's floor (by default 60 minutes in dev and test, 15 in prod), "
        "or lower the floor in minLatencyMinutes for that environment."
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-change-data-capture",
    framework=mcsb("AM-2"),
    config={
        "environment": ENVIRONMENT_SCHEMA,
        "minLatencyMinutes": {
            "type": "object",
            "properties": {env: {"type": "number", "minimum": 0} for env in DEFAULT_FLOORS},
            "additionalProperties": False,
            "default": DEFAULT_FLOORS,
            "description": "The shortest allowed recurrence per environment, in minutes.",
        },
    },
)
