"""E-03: an event hub keeps events long enough for ML consumers to replay an outage, no
longer than its tier allows, and never compacts a change stream."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.stack import Pending, StackIndex, output, sole
from cdcml.policies.vocabulary import as_bool, as_number, as_str, config_number, one_of

__all__ = ["TIER_MAX_RETENTION_HOURS", "protection_enforce_eventhub_retention", "retention_hours"]

TIER_MAX_RETENTION_HOURS = {"basic": 24.0, "standard": 168.0, "premium": 2160.0}
"""DOC-EH-TIERS: Basic 1 day, Standard 7 days, Premium and Dedicated 90 days."""
DEFAULT_RETENTION_HOURS = 24.0


def retention_hours(hub: Any) -> float:
    """The retention of an event hub, in hours (the service default of one day when unset)."""
    hours = as_number(output(hub, "retentionDescription.retentionTimeInHours"))
    if hours is not None:
        return hours
    days = as_number(output(hub, "messageRetentionInDays"))
    return days * 24 if days is not None else DEFAULT_RETENTION_HOURS


def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    floor = config_number(config, "minReplayHours", 24)
    allow_compaction = as_bool(config.get("allowCompaction")) is True
    pending = Pending()
    index = StackIndex(args.resources)
    namespaces = index.of_type(T.EH_NAMESPACE)
    for hub in index.of_type(T.EVENT_HUB):
        with pending.item():
            hours = retention_hours(hub)
            if hours < floor:
                report_violation(
                    f"The event hub keeps events {hours:g} hours; ML consumers need at least {floor:g} hours to "
                    "replay changes after an outage.",
                    hub.urn,
                )
            namespace = sole(hub, "namespaceName", namespaces)
            tier = (as_str(output(namespace, "sku.name")) or "").casefold() if namespace is not None else ""
            limit = TIER_MAX_RETENTION_HOURS.get(tier)
            if limit is not None and hours > limit:
                report_violation(
                    f"The event hub keeps events {hours:g} hours, more than the {tier.title()} tier's maximum of "
                    f"{limit:g} hours; the deployment fails.",
                    hub.urn,
                )
            if not allow_compaction and one_of(output(hub, "retentionDescription.cleanupPolicy"), ("Compact",)):
                report_violation(
                    "retentionDescription.cleanupPolicy is Compact: compaction keeps only the latest event per key, "
                    "so consumers of the change stream silently lose intermediate changes.",
                    hub.urn,
                )
    pending.finish()


protection_enforce_eventhub_retention = GuardrailStackPolicy(
    name="protection-enforce-eventhub-retention",
    description="An event hub must retain events long enough to replay an outage, within its tier's limit, "
    "without compaction.",
    validate=_validate,
    rule="E-03",
    layer="eventing",
    concern="protection",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set retentionDescription.retentionTimeInHours (or messageRetentionInDays) between minReplayHours and the "
        "tier maximum (Basic 24 h, Standard 168 h, Premium/Dedicated 2160 h) with cleanupPolicy Delete."
    ),
    url="https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas",
    framework=mcsb("BR-1"),
    resource_types=(T.EVENT_HUB, T.EH_NAMESPACE),
    config={
        "minReplayHours": {
            "type": "number",
            "minimum": 1,
            "default": 24,
            "description": "The longest consumer outage the retention must cover, in hours.",
        },
        "allowCompaction": {
            "type": "boolean",
            "default": False,
            "description": "Allow compacted event hubs (only with a deliberate key strategy).",
        },
    },
)
