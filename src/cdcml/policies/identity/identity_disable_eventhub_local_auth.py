"""C-04: Event Hubs accepts only Microsoft Entra ID: local (SAS) authentication is off,
there are no extra namespace-level SAS rules, and no SAS rule has Manage rights."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, Has, PropertyPolicy, mcsb

__all__ = ["identity_disable_eventhub_local_auth"]

ROOT_RULE = "RootManageSharedAccessKey"
_NO_MANAGE = "The shared access rule grants Manage rights; a SAS key must never be able to manage."

identity_disable_eventhub_local_auth = PropertyPolicy(
    name="identity-disable-eventhub-local-auth",
    description="An Event Hubs namespace must disable local (shared access key) authentication.",
    resource_types=(T.EH_NAMESPACE, T.EH_NAMESPACE_AUTH_RULE, T.EH_HUB_AUTH_RULE),
    expects=[
        Expect(
            "disableLocalAuth",
            (True,),
            types=(T.EH_NAMESPACE,),
            message="disableLocalAuth is not true, so anyone holding a shared access key can read the change stream; "
            "authenticate producers and ML consumers with Microsoft Entra ID instead.",
        ),
        Expect(
            "authorizationRuleName",
            (ROOT_RULE,),
            types=(T.EH_NAMESPACE_AUTH_RULE,),
            message=f"The namespace has a shared access rule other than {ROOT_RULE}; namespace-wide SAS keys grant "
            "access to every event hub in it. Remove the rule and use role assignments.",
        ),
        Expect(
            "rights",
            forbidden=(Has("Manage"),),
            types=(T.EH_NAMESPACE_AUTH_RULE,),
            when=(("authorizationRuleName", (ROOT_RULE,)),),
            message=_NO_MANAGE,
        ),
        Expect("rights", forbidden=(Has("Manage"),), types=(T.EH_HUB_AUTH_RULE,), message=_NO_MANAGE),
    ],
    rule="C-04",
    layer="eventing",
    concern="identity",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Set disableLocalAuth to true on the Namespace, remove NamespaceAuthorizationRule resources other than "
        "RootManageSharedAccessKey and any rule with Manage rights, and grant producers and consumers the Azure "
        "Event Hubs Data Sender/Receiver roles."
    ),
    url="https://learn.microsoft.com/azure/event-hubs/authenticate-shared-access-signature",
    framework=mcsb("IM-1"),
)
