"""F-02: the data-classification tag takes a value from the allowed list, and a sensitive
classification switches on the controls it implies (a high-business-impact ML workspace)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.classification import CLASSIFICATION_TAG, CLASSIFICATIONS, SENSITIVE, classification
from cdcml.policies.vocabulary import as_bool, get, resource_types, str_list

__all__ = ["governance_enforce_data_classification"]


@resource_types(*T.TAGGABLE)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    value = classification(args.props)
    if value is None:
        return  # a missing tag is governance-require-tags' finding
    allowed = [c.casefold() for c in str_list(config.get("allowedClassifications"))] or CLASSIFICATIONS
    if value not in allowed:
        report_violation(
            f"The {CLASSIFICATION_TAG} tag has a value outside the allowed classifications ({', '.join(allowed)}), so "
            "no encryption or isolation rule can key off it."
        )
        return
    sensitive = [c.casefold() for c in str_list(config.get("sensitiveClassifications"))] or SENSITIVE
    if (
        args.resource_type == T.ML_WORKSPACE
        and value in sensitive
        and as_bool(get(args.props, "hbiWorkspace")) is not True
    ):
        report_violation(
            f"The workspace is classified {value} but hbiWorkspace is not true, so Microsoft diagnostics may "
            "collect data from it and its temporary disks are not encrypted."
        )


governance_enforce_data_classification = GuardrailResourcePolicy(
    name="governance-enforce-data-classification",
    description="A data-classification tag must take an allowed value, and a sensitive classification must "
    "switch on the controls it implies.",
    validate=_validate,
    rule="F-02",
    layer="platform",
    concern="governance",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Tag resources with data-classification set to one of allowedClassifications; for a confidential or "
        "restricted Azure ML workspace set hbiWorkspace to true (and customer-managed keys, see the encryption "
        "policies)."
    ),
    url="https://learn.microsoft.com/azure/cloud-adoption-framework/govern/policy-compliance/data-classification",
    framework=mcsb("DP-1"),
    config={
        "allowedClassifications": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
            "default": CLASSIFICATIONS,
            "description": "Values the data-classification tag may take (compared case-insensitively).",
        },
        "sensitiveClassifications": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "default": SENSITIVE,
            "description": "Classifications that require a high-business-impact ML workspace.",
        },
    },
)
