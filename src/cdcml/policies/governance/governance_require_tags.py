"""F-01: taggable resources carry every required tag with a non-empty value. At
``remediate`` level, missing tags that have a configured default are added."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import entries, get, resource_types

__all__ = ["DEFAULT_REQUIRED_TAGS", "governance_require_tags"]

DEFAULT_REQUIRED_TAGS = ["owner", "cost-center", "environment", "data-classification"]


def _required(config: Mapping[str, Any]) -> list[str]:
    value = config.get("requiredTags", DEFAULT_REQUIRED_TAGS)
    if not isinstance(value, (list, tuple)):
        return list(DEFAULT_REQUIRED_TAGS)
    return [t for t in value if isinstance(t, str) and t]


def missing_tags(props: Any, config: Mapping[str, Any]) -> list[str]:
    # Tag keys compare case-insensitively, as ARM treats them; an empty value is missing.
    present = {k.casefold() for k, v in entries(get(props, "tags")) if isinstance(v, str) and v.strip()}
    return [t for t in _required(config) if t.casefold() not in present]


@resource_types(*T.TAGGABLE)
def _validate(args: Any, report_violation: Any) -> None:
    missing = missing_tags(args.props, args.get_config())
    if missing:
        report_violation(f"Missing or empty tags: {', '.join(missing)}.")


def _remediate(args: Any) -> Any:
    if args.resource_type not in T.TAGGABLE:
        return None
    config = args.get_config()
    defaults = config.get("defaultTags", {})
    if not isinstance(defaults, Mapping):
        return None
    missing = [t for t in missing_tags(args.props, config) if isinstance(defaults.get(t), str) and defaults[t]]
    if not missing:
        return None
    props = args.props
    current = get(props, "tags")
    tags = {k: current[k] for k in current} if isinstance(current, Mapping) else {}
    for t in missing:
        tags[t] = defaults[t]
    props["tags"] = tags
    return props


governance_require_tags = GuardrailResourcePolicy(
    name="governance-require-tags",
    description="Taggable resources of a CDC→ML stack must carry every required tag with a non-empty value.",
    validate=_validate,
    remediate=_remediate,
    rule="F-01",
    layer="platform",
    concern="tagging",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Add the missing tags to the resource (or to the component's default tags), or run the pack with this "
        "policy at remediate level and defaultTags configured so missing tags are filled in."
    ),
    url="https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources",
    framework=mcsb("AM-1"),
    config={
        "requiredTags": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "default": DEFAULT_REQUIRED_TAGS,
            "description": "Tag keys every taggable resource must carry (compared case-insensitively).",
        },
        "defaultTags": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "default": {},
            "description": "Values a remediation fills in for missing tags.",
        },
    },
)
