"""I-03: data-flow compute is capped: core count, time-to-live and compute type of
managed integration runtimes and of ExecuteDataFlow activities."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import (
    MISSING,
    as_number,
    config_number,
    get,
    listed,
    one_of,
    resource_types,
    shown,
    str_list,
)

__all__ = ["cost_enforce_dataflow_core_cap"]

COMPUTE_TYPES = ("General", "MemoryOptimized", "ComputeOptimized")


@resource_types(T.INTEGRATION_RUNTIME, T.PIPELINE)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    cap = config_number(config, "maxDataFlowCores", 32)
    allowed = str_list(config.get("allowedComputeTypes")) or ["General", "MemoryOptimized"]
    if args.resource_type == T.PIPELINE:
        for i, activity in enumerate(listed(get(args.props, "activities"))):
            if not one_of(get(activity, "type"), ("ExecuteDataFlow",)):
                continue
            cores = as_number(get(activity, "compute.coreCount"))
            if cores is not None and cores > cap:
                report_violation(f"activities[{i}] runs its data flow on {cores:g} cores; the cap is {cap:g}.")
        return
    if not one_of(get(args.props, "properties.type"), ("Managed",)):
        return
    flow = get(args.props, "properties.computeProperties.dataFlowProperties")
    cores = as_number(get(flow, "coreCount"))
    if cores is not None and cores > cap:
        report_violation(f"dataFlowProperties.coreCount is {cores:g}; the cap is {cap:g} cores.")
    ttl = as_number(get(flow, "timeToLive"))
    max_ttl = config_number(config, "maxTimeToLiveMinutes", 30)
    if ttl is not None and ttl > max_ttl:
        report_violation(
            f"dataFlowProperties.timeToLive is {ttl:g} minutes; an idle cluster is billed up to {max_ttl:g} minutes."
        )
    kind = get(flow, "computeType")
    if kind is not MISSING and not one_of(kind, allowed):
        report_violation(
            f"dataFlowProperties.computeType is {shown(kind, COMPUTE_TYPES)}; allowed: {', '.join(allowed)}."
        )


cost_enforce_dataflow_core_cap = GuardrailResourcePolicy(
    name="cost-enforce-dataflow-core-cap",
    description="Data-flow compute of a Data Factory must stay within the core, time-to-live and compute-type caps.",
    validate=_validate,
    rule="I-03",
    layer="cdc",
    concern="cost",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set computeProperties.dataFlowProperties.coreCount (and ExecuteDataFlow compute.coreCount) to at most "
        "maxDataFlowCores, timeToLive to at most maxTimeToLiveMinutes, and computeType to an allowed type."
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-integration-runtime-performance",
    framework=mcsb("AM-2"),
    config={
        "maxDataFlowCores": {
            "type": "number",
            "minimum": 8,
            "default": 32,
            "description": "The most data-flow cores a runtime or activity may use (Azure Policy's default is 32).",
        },
        "maxTimeToLiveMinutes": {
            "type": "number",
            "minimum": 0,
            "default": 30,
            "description": "The longest a data-flow cluster may idle before shutting down, in minutes.",
        },
        "allowedComputeTypes": {
            "type": "array",
            "items": {"type": "string", "enum": list(COMPUTE_TYPES)},
            "minItems": 1,
            "uniqueItems": True,
            "default": ["General", "MemoryOptimized"],
            "description": "Data-flow compute types allowed.",
        },
    },
)
