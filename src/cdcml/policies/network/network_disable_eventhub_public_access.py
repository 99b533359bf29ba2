"""B-04: an Event Hubs namespace is locked down: no public network access, a rule set
that denies by default, and a tier that supports private link."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import get, one_of, resource_types, shown

__all__ = ["network_disable_eventhub_public_access"]

CLOSED = ("Disabled", "SecuredByPerimeter")
ACCESS = ("Enabled", *CLOSED)


@resource_types(T.EH_NAMESPACE, T.EH_NETWORK_RULE_SET)
def _validate(args: Any, report_violation: Any) -> None:
    access = get(args.props, "publicNetworkAccess")
    if args.resource_type == T.EH_NAMESPACE:
        if not one_of(access, CLOSED):
            report_violation(
                f'publicNetworkAccess is {shown(access, ACCESS)}; it must be "Disabled" (or "SecuredByPerimeter"), '
                "or change notifications and their consumers are reachable from the internet."
            )
        sku = get(args.props, "sku.name")
        if one_of(sku, ("Basic",)):
            report_violation(
                'sku.name is "Basic", which supports neither private link nor IP firewall rules; use Standard or '
                "Premium."
            )
        return
    if one_of(access, CLOSED):
        return
    action = get(args.props, "defaultAction")
    if not one_of(action, ("Deny",)):
        report_violation(
            f"The network rule set keeps public access on with defaultAction {shown(action, ('Allow', 'Deny'))}; "
            'set publicNetworkAccess to "Disabled" or defaultAction to "Deny".'
        )


network_disable_eventhub_public_access = GuardrailResourcePolicy(
    name="network-disable-eventhub-public-access",
    description="An Event Hubs namespace must disable public network access on a tier that supports private link.",
    validate=_validate,
    rule="B-04",
    layer="eventing",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set publicNetworkAccess to "Disabled" on the Namespace (and on any NamespaceNetworkRuleSet, or give it '
        'defaultAction "Deny"), run it on the Standard or Premium tier, and reach it through a private endpoint '
        "with group id namespace."
    ),
    url="https://learn.microsoft.com/azure/event-hubs/network-security",
    framework=mcsb("NS-2"),
)
