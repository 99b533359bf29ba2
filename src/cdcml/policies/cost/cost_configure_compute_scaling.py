"""I-05: Azure ML compute scales to zero and shuts down when idle, within node and size
caps, on low-priority VMs outside production."""

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
    iso_minutes,
    one_of,
    resource_types,
    str_list,
)

__all__ = ["cost_configure_compute_scaling"]


def _check_cluster(inner: Any, config: Any, env: str, report_violation: Any) -> None:
    low = as_number(get(inner, "scaleSettings.minNodeCount"))
    if low is not None and low != 0:
        report_violation(f"scaleSettings.minNodeCount is {low:g}; a cluster that can't scale to zero bills idle nodes.")
    high = as_number(get(inner, "scaleSettings.maxNodeCount"))
    cap = config_number(config, "maxNodes", 10)
    if high is not None and high > cap:
        report_violation(f"scaleSettings.maxNodeCount is {high:g}; the cap is {cap:g} nodes.")
    idle = iso_minutes(get(inner, "scaleSettings.nodeIdleTimeBeforeScaleDown"))
    max_idle = config_number(config, "maxIdleMinutes", 30)
    if idle is not None and idle > max_idle:
        report_violation(
            f"scaleSettings.nodeIdleTimeBeforeScaleDown is {idle:g} minutes; scale down within {max_idle:g} minutes."
        )
    if env != "prod" and not one_of(get(inner, "vmPriority"), ("LowPriority",)):
        report_violation(f'A {env} cluster should use vmPriority "LowPriority".')


@resource_types(T.ML_COMPUTE)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    env = environment(config)
    kind = get(args.props, "properties.computeType")
    inner = get(args.props, "properties.properties")
    sizes = str_list(config.get("allowedVmSizes"))
    if one_of(kind, ("AmlCompute", "ComputeInstance")) and sizes:
        size = get(inner, "vmSize")
        if size is not MISSING and not one_of(size, sizes):
            report_violation(f"properties.properties.vmSize is not in allowedVmSizes ({', '.join(sizes)}).")
    if one_of(kind, ("AmlCompute",)):
        _check_cluster(inner, config, env, report_violation)
    elif one_of(kind, ("ComputeInstance",)) and get(inner, "idleTimeBeforeShutdown") is MISSING:
        report_violation(
            "properties.properties.idleTimeBeforeShutdown is not set, so the compute instance runs (and bills) until "
            "someone stops it."
        )


cost_configure_compute_scaling = GuardrailResourcePolicy(
    name="cost-configure-compute-scaling",
    description="Azure Machine Learning compute must scale to zero or shut down when idle, within the node and "
    "size caps.",
    validate=_validate,
    rule="I-05",
    layer="ml",
    concern="cost",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "On AmlCompute set scaleSettings.minNodeCount 0, maxNodeCount ≤ maxNodes and nodeIdleTimeBeforeScaleDown ≤ "
        'maxIdleMinutes (e.g. "PT15M"), vmPriority "LowPriority" outside production and an allowed vmSize; on '
        'ComputeInstance set idleTimeBeforeShutdown (e.g. "PT60M").'
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-manage-optimize-cost",
    framework=mcsb("AM-2"),
    config={
        "environment": ENVIRONMENT_SCHEMA,
        "maxNodes": {"type": "number", "minimum": 1, "default": 10, "description": "The most nodes a cluster may use."},
        "maxIdleMinutes": {
            "type": "number",
            "minimum": 0,
            "default": 30,
            "description": "The longest a cluster node may idle before scaling down, in minutes.",
        },
        "allowedVmSizes": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "default": [],
            "description": "VM sizes compute may use; empty allows any.",
        },
    },
)
