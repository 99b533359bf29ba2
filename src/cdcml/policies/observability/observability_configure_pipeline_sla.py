"""H-04: a pipeline that feeds CDC or ML data has an elapsed-time SLA metric, and its
activities have explicit timeouts instead of the service default."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import MISSING, as_str, get, listed, one_of, resource_types

__all__ = ["observability_configure_pipeline_sla", "timeout_hours"]

CONTROL_ACTIVITIES = (
    "ExecutePipeline",
    "ForEach",
    "IfCondition",
    "Switch",
    "Until",
    "Wait",
    "SetVariable",
    "AppendVariable",
    "Filter",
    "Validation",
    "Fail",
)
_TIMESPAN = re.compile(r"^(?:(?P<days>\d+)\.)?(?P<hours>\d{1,2}):(?P<minutes>\d{2}):(?P<seconds>\d{2})$")


def timeout_hours(value: Any) -> float | None:
    """An ADF activity timeout (``d.hh:mm:ss``) in hours; ``None`` when it isn't one."""
    m = _TIMESPAN.match((as_str(value) or "").strip())
    if m is None:
        return None
    return int(m["days"] or 0) * 24 + int(m["hours"]) + int(m["minutes"]) / 60 + int(m["seconds"]) / 3600


@resource_types(T.PIPELINE)
def _validate(args: Any, report_violation: Any) -> None:
    if get(args.props, "policy.elapsedTimeMetric.duration") is MISSING:
        report_violation(
            "policy.elapsedTimeMetric.duration is not set, so a CDC or feature pipeline that runs late raises no alert."
        )
    loose = []
    for i, activity in enumerate(listed(get(args.props, "activities"))):
        if one_of(get(activity, "type"), CONTROL_ACTIVITIES):
            continue
        hours = timeout_hours(get(activity, "policy.timeout"))
        if hours is None or hours >= 24 * 7:
            loose.append(f"activities[{i}]")
    if loose:
        report_violation(
            f"{', '.join(loose)} keep the default timeout; a hung activity blocks the next incremental window. Set "
            "policy.timeout to a few times the expected run time."
        )


observability_configure_pipeline_sla = GuardrailResourcePolicy(
    name="observability-configure-pipeline-sla",
    description="A Data Factory pipeline must declare an elapsed-time SLA and explicit activity timeouts.",
    validate=_validate,
    rule="H-04",
    layer="cdc",
    concern="observability",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set policy.elapsedTimeMetric.duration on the Pipeline (and alert on the Elapsed Time Pipeline Run metric), "
        'and give every execution activity a policy.timeout such as "0.01:00:00" with a retry.'
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-pipelines-activities",
    framework=mcsb("LT-3"),
)
