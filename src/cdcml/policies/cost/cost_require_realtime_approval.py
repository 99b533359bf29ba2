"""I-01: a real-time (continuous) CDC, which keeps a data-flow cluster running around the
clock, runs only in a factory tagged as approved for it."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.stack import Pending, StackIndex, output, settled, sole
from cdcml.policies.vocabulary import as_str, equals_ci, tag

__all__ = ["APPROVAL_TAG", "cost_require_realtime_approval"]

APPROVAL_TAG = "cdc-realtime-approved"


def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    approval = as_str(config.get("approvalTag")) or APPROVAL_TAG
    pending = Pending()
    index = StackIndex(args.resources)
    factories = index.of_type(T.FACTORY)
    for cdc in index.of_type(T.CHANGE_DATA_CAPTURE):
        with pending.item():
            mode = as_str(output(cdc, "policy.mode"))
            if mode is None or mode.strip().casefold() == "microbatch":
                continue
            factory = sole(cdc, "factoryName", factories)
            if factory is not None and equals_ci(tag(settled(factory), approval), "true"):
                continue
            report_violation(
                "The CDC does not run in Microbatch mode, so its data-flow cluster (four General Purpose cores) is "
                f"billed continuously; tag its factory {approval}=true once the cost is approved.",
                cdc.urn,
            )
    pending.finish()


cost_require_realtime_approval = GuardrailStackPolicy(
    name="cost-require-realtime-approval",
    description="A real-time (non-Microbatch) change data capture must run in a factory approved for its "
    "continuous cost.",
    validate=_validate,
    rule="I-01",
    layer="cdc",
    concern="cost",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Run the CDC in "Microbatch" mode with a recurrence, or get the continuous data-flow cost approved and tag '
        "the Factory cdc-realtime-approved=true (the tag name is configurable as approvalTag)."
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-change-data-capture",
    framework=mcsb("AM-2"),
    resource_types=(T.CHANGE_DATA_CAPTURE, T.FACTORY),
    config={
        "approvalTag": {
            "type": "string",
            "minLength": 1,
            "default": APPROVAL_TAG,
            "description": "The factory tag that, set to true, approves real-time CDC.",
        }
    },
)
