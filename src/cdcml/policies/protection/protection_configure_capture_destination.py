"""E-05: Event Hubs Capture writes with a managed identity to a storage account it can
actually reach: not premium, and trusted through the account's firewall."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.stack import Pending, StackIndex, output, refers_to
from cdcml.policies.vocabulary import MISSING, as_bool, as_str, get, listed, one_of

__all__ = ["protection_configure_capture_destination"]


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    accounts = index.of_type(T.STORAGE_ACCOUNT)
    for hub in index.of_type(T.EVENT_HUB):
        with pending.item():
            capture = output(hub, "captureDescription")
            if as_bool(get(capture, "enabled")) is not True:
                continue
            identity = get(capture, "destination.identity.type")
            if identity is MISSING or one_of(identity, ("None",)):
                report_violation(
                    "Capture writes with shared keys: captureDescription.destination.identity is not set or its type "
                    'is "None" (a managed identity is the preferred way, and required across subscriptions).',
                    hub.urn,
                )
            targets = refers_to(
                hub, "captureDescription", "captureDescription.destination.storageAccountResourceId", accounts
            )
            for account in targets:
                sku = as_str(output(account, "sku.name")) or ""
                if sku.casefold().startswith("premium"):
                    report_violation(
                        f"Capture writes to {account.name}, a premium storage account, which Capture does not support.",
                        hub.urn,
                    )
                if not one_of(output(account, "networkRuleSet.defaultAction"), ("Deny",)):
                    continue
                bypass = (as_str(output(account, "networkRuleSet.bypass")) or "").casefold()
                rules = listed(output(account, "networkRuleSet.resourceAccessRules"))
                if "azureservices" not in bypass.replace(" ", "").split(",") and not rules:
                    report_violation(
                        f"Capture writes to {account.name}, whose firewall denies by default without the "
                        "AzureServices bypass or a resource access rule for the namespace, so Capture fails.",
                        hub.urn,
                    )
    pending.finish()


protection_configure_capture_destination = GuardrailStackPolicy(
    name="protection-configure-capture-destination",
    description="Event Hubs Capture must write with a managed identity to a storage account that supports and "
    "admits it.",
    validate=_validate,
    rule="E-05",
    layer="eventing",
    concern="protection",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set captureDescription.destination.identity (SystemAssigned or UserAssigned with Storage Blob Data "
        "Contributor on the container), capture to a Standard storage account, and let Event Hubs through its "
        'firewall with networkRuleSet.bypass "AzureServices" or a resource access rule for the namespace.'
    ),
    url="https://learn.microsoft.com/azure/event-hubs/event-hubs-capture-managed-identity",
    framework=mcsb("BR-1"),
    resource_types=(T.EVENT_HUB, T.STORAGE_ACCOUNT),
)
