"""I-04: Event Hubs is sized within its tier and the organisation's caps: capacity and
auto-inflate on the namespace, partitions per hub, consumer groups per hub."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.stack import Pending, StackIndex, output, sole
from cdcml.policies.vocabulary import as_bool, as_number, as_str, config_number

__all__ = ["TIER_LIMITS", "cost_enforce_eventhub_sizing"]

TIER_LIMITS = {
    "basic": {"partitions": 32, "consumerGroups": 1},
    "standard": {"partitions": 32, "consumerGroups": 20},
    "premium": {"partitions": 100, "consumerGroups": 100},
    "dedicated": {"partitions": 1024, "consumerGroups": 1000},
}
"""DOC-EH-TIERS (the SDK's "1 to 32" partition text is stale). ``$Default`` counts toward
the consumer-group limit."""


def _tier(namespace: Any) -> str:
    if namespace is None:
        return ""
    if as_str(output(namespace, "clusterArmId")):
        return "dedicated"
    return (as_str(output(namespace, "sku.name")) or "").strip().casefold()


def _check_namespace(ns: Any, cap: float, report_violation: Any) -> None:
    capacity = as_number(output(ns, "sku.capacity"))
    if capacity is not None and capacity > cap:
        report_violation(f"sku.capacity is {capacity:g}; the cap is {cap:g} units.", ns.urn)
    if _tier(ns) != "standard":
        return
    if as_bool(output(ns, "isAutoInflateEnabled")) is not True:
        report_violation(
            "A Standard namespace without isAutoInflateEnabled throttles producers at its fixed throughput units "
            "when a CDC backfill bursts.",
            ns.urn,
        )
    maximum = as_number(output(ns, "maximumThroughputUnits"))
    if maximum is not None and maximum > cap:
        report_violation(f"maximumThroughputUnits is {maximum:g}; the cap is {cap:g}.", ns.urn)


def _validate(args: Any, report_violation: Any) -> None:
    cap = config_number(args.get_config(), "maxCapacity", 8)
    pending = Pending()
    index = StackIndex(args.resources)
    namespaces = index.of_type(T.EH_NAMESPACE)
    hubs = index.of_type(T.EVENT_HUB)
    groups = index.of_type(T.CONSUMER_GROUP)
    for ns in namespaces:
        with pending.item():
            _check_namespace(ns, cap, report_violation)
    for hub in hubs:
        with pending.item():
            tier = _tier(sole(hub, "namespaceName", namespaces))
            limits = TIER_LIMITS.get(tier)
            if limits is None:
                continue
            partitions = as_number(output(hub, "partitionCount"))
            if partitions is not None and partitions > limits["partitions"]:
                report_violation(
                    f"partitionCount is {partitions:g}; the {tier.title()} tier allows {limits['partitions']} "
                    "partitions per event hub.",
                    hub.urn,
                )
            mine = groups.under(hub, "eventHubName", hubs)
            if len(mine) + 1 > limits["consumerGroups"]:
                report_violation(
                    f"The event hub has {len(mine)} consumer groups besides $Default; the {tier.title()} tier allows "
                    f"{limits['consumerGroups']} in all.",
                    hub.urn,
                )
    pending.finish()


cost_enforce_eventhub_sizing = GuardrailStackPolicy(
    name="cost-enforce-eventhub-sizing",
    description="Event Hubs namespaces and hubs must be sized within their tier's limits and the capacity cap.",
    validate=_validate,
    rule="I-04",
    layer="eventing",
    concern="cost",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Keep sku.capacity and maximumThroughputUnits within maxCapacity, enable auto-inflate on Standard namespaces, "
        "and keep partitions and consumer groups per hub within the tier (Basic 32/1, Standard 32/20, Premium "
        "100/100, Dedicated 1024/1000) — or move to a tier that fits."
    ),
    url="https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas",
    framework=mcsb("AM-2"),
    resource_types=(T.EH_NAMESPACE, T.EVENT_HUB, T.CONSUMER_GROUP),
    config={
        "maxCapacity": {
            "type": "number",
            "minimum": 1,
            "default": 8,
            "description": "The most throughput/processing units a namespace may use or auto-inflate to.",
        }
    },
)
