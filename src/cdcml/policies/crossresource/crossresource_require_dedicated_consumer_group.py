"""X-02: every ML consumer of an event hub reads through a consumer group of its own —
never ``$Default``, never one shared with another consumer, never on the Basic tier (which
has only ``$Default``).

ARM has no link between an ML job and the hub it reads, so consumers are declared by
convention: a ConsumerGroup's ``userMetadata`` is ``{"consumer": "aml:<workspace>/<job>"}``
(or ``{"consumers": [...]}``, or the bare ``aml:…`` string); an EventHub whose
``userMetadata`` says ``{"purpose": "ml-training"}`` has ML consumers; and this policy's
``consumers`` config is a registry of consumers that must each have a group.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.protection.protection_enable_eventhub_capture import is_ml_training_hub
from cdcml.policies.stack import Pending, StackIndex, name_is, output, settled, sole
from cdcml.policies.vocabulary import as_str, get, listed, metadata, one_of

__all__ = ["consumers_of", "crossresource_require_dedicated_consumer_group"]


def consumers_of(group: Any) -> list[str]:
    """The ML consumers a consumer group declares in its ``userMetadata``."""
    raw = output(group, "userMetadata")
    doc = metadata(raw)
    out: list[str] = []
    if doc:
        one = doc.get("consumer")
        if isinstance(one, str) and one.strip():
            out.append(one.strip())
        many = doc.get("consumers")
        if isinstance(many, list):
            out.extend(c.strip() for c in many if isinstance(c, str) and c.strip())
    elif isinstance(raw, str) and raw.strip().casefold().startswith("aml:"):
        out.append(raw.strip())
    return list(dict.fromkeys(out))


def _is_default(group: Any) -> bool:
    try:
        return name_is(group, "$Default")
    except UnknownValueError:
        return False  # a group created by the stack is never $Default, which always exists


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    namespaces = index.of_type(T.EH_NAMESPACE)
    hubs = index.of_type(T.EVENT_HUB)
    declared: dict[str, list[tuple[str, Any]]] = {}  # hub urn (or "") -> (consumer, group)
    for group in index.of_type(T.CONSUMER_GROUP):
        with pending.item():
            consumers = consumers_of(group)
            hub = sole(group, "eventHubName", hubs)
            for c in consumers:
                declared.setdefault(hub.urn if hub is not None else "", []).append((c, group))
            if not consumers:
                continue
            if len(consumers) > 1:
                report_violation(
                    f"The consumer group is declared for {len(consumers)} ML consumers; consumers sharing a group "
                    "steal partitions from each other (one active reader per partition per group).",
                    group.urn,
                )
            if _is_default(group):
                report_violation("An ML consumer is declared on $Default, which every other reader shares.", group.urn)
            namespace = sole(hub, "namespaceName", namespaces) if hub is not None else None
            if namespace is not None and one_of(output(namespace, "sku.name"), ("Basic",)):
                report_violation(
                    "The event hub's namespace is on the Basic tier, which allows only $Default; a dedicated "
                    "consumer group needs Standard or higher.",
                    group.urn,
                )
    for hub in hubs:
        with pending.item():
            if is_ml_training_hub(settled(hub)) and not declared.get(hub.urn):
                report_violation(
                    "The event hub declares ML-training consumers but no consumer group is declared for one, so they "
                    "would read from $Default together.",
                    hub.urn,
                )
    everywhere = {c for entries in declared.values() for c, _ in entries}
    for entry in listed(args.get_config().get("consumers")):
        consumer = as_str(get(entry, "consumer"))
        if not consumer:
            continue
        hub_name = as_str(get(entry, "eventHub"))
        hub = next((h for h in hubs if hub_name and h.name == hub_name), None)
        found = {c for c, _ in declared.get(hub.urn, [])} if hub is not None else everywhere
        if consumer not in found:
            where = f" on event hub {hub_name}" if hub_name else ""
            report_violation(
                f"The registered ML consumer {consumer} has no consumer group of its own{where}.",
                hub.urn if hub is not None else None,
            )
    pending.finish()


crossresource_require_dedicated_consumer_group = GuardrailStackPolicy(
    name="crossresource-require-dedicated-consumer-group",
    description="Every ML consumer of an event hub must read through a consumer group of its own.",
    validate=_validate,
    rule="X-02",
    layer="eventing",
    concern="dataflow",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Create one eventhub ConsumerGroup per ML consumer with userMetadata "
        '{"consumer": "aml:<workspace>/<job>"}, on a Standard or higher namespace; never read ML data through '
        "$Default or a group another consumer uses."
    ),
    url="https://learn.microsoft.com/azure/event-hubs/event-hubs-features#consumer-groups",
    framework=mcsb("AM-2"),
    resource_types=(T.EVENT_HUB, T.CONSUMER_GROUP, T.EH_NAMESPACE),
    config={
        "consumers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "consumer": {"type": "string", "minLength": 1},
                    "eventHub": {"type": "string", "minLength": 1},
                },
                "required": ["consumer"],
            },
            "default": [],
            "description": "A registry of ML consumers ({consumer, eventHub: Pulumi name of the hub}) that must each "
            "have a consumer group.",
        }
    },
)
