"""B-04: an Event Hubs namespace is locked down: no public network access (on the namespace
and on its network rule set, which sets the same namespace-wide switch), a rule set that
denies by default, and a tier that supports private link."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import PRESENT, Expect, PropertyPolicy, mcsb

__all__ = ["network_disable_eventhub_public_access"]

CLOSED = ("Disabled", "SecuredByPerimeter")

network_disable_eventhub_public_access = PropertyPolicy(
    name="network-disable-eventhub-public-access",
    description="An Event Hubs namespace must disable public network access on a tier that supports private link.",
    resource_types=(T.EH_NAMESPACE, T.EH_NETWORK_RULE_SET),
    expects=[
        Expect(
            "publicNetworkAccess",
            CLOSED,
            types=(T.EH_NAMESPACE,),
            vocabulary=("Enabled",),
            trim=False,
            message='publicNetworkAccess is {value}; it must be "Disabled" (or "SecuredByPerimeter"), or change '
            "notifications and their consumers are reachable from the internet.",
        ),
        Expect(
            "publicNetworkAccess",
            CLOSED,
            types=(T.EH_NETWORK_RULE_SET,),
            vocabulary=("Enabled",),
            trim=False,
            message='The network rule set\'s publicNetworkAccess is {value} (left out, the SDK sends "Enabled"); it is '
            'the namespace\'s own public network access, so it must be "Disabled" (or "SecuredByPerimeter") here too, '
            "or it re-opens the namespace.",
        ),
        Expect(
            "sku.name",
            forbidden=("Basic",),
            types=(T.EH_NAMESPACE,),
            trim=False,
            message='sku.name is "Basic", which supports neither private link nor IP firewall rules; use Standard or '
            "Premium.",
        ),
        Expect(
            "sku.tier",
            forbidden=("Basic",),
            types=(T.EH_NAMESPACE,),
            trim=False,
            message='sku.tier is "Basic", which supports neither private link nor IP firewall rules; use Standard or '
            "Premium.",
        ),
        Expect(
            "sku",
            (PRESENT,),
            types=(T.EH_NAMESPACE,),
            message="sku is not set, so the stack does not say the namespace runs on a tier that supports private "
            "link and IP firewall rules; set sku.name to Standard or Premium.",
        ),
        Expect(
            "defaultAction",
            ("Deny",),
            types=(T.EH_NETWORK_RULE_SET,),
            unless=(("publicNetworkAccess", CLOSED),),
            vocabulary=("Allow",),
            trim=False,
            message="The network rule set keeps public access on with defaultAction {value}; set publicNetworkAccess "
            'to "Disabled" or defaultAction to "Deny".',
        ),
    ],
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
