"""C-04: Event Hubs accepts only Microsoft Entra ID: local (SAS) authentication is off,
there are no extra namespace-level SAS rules, and no SAS rule has Manage rights."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_bool, as_str, get, one_of, resource_types, str_list

__all__ = ["identity_disable_eventhub_local_auth"]

ROOT_RULE = "RootManageSharedAccessKey"


@resource_types(T.EH_NAMESPACE, T.EH_NAMESPACE_AUTH_RULE, T.EH_HUB_AUTH_RULE)
def _validate(args: Any, report_violation: Any) -> None:
    if args.resource_type == T.EH_NAMESPACE:
        if as_bool(get(args.props, "disableLocalAuth")) is not True:
            report_violation(
                "disableLocalAuth is not true, so anyone holding a shared access key can read the change stream; "
                "authenticate producers and ML consumers with Microsoft Entra ID instead."
            )
        return
    if args.resource_type == T.EH_NAMESPACE_AUTH_RULE:
        name = as_str(get(args.props, "authorizationRuleName"))
        if name is None or name.strip().casefold() != ROOT_RULE.casefold():
            report_violation(
                f"The namespace has a shared access rule other than {ROOT_RULE}; namespace-wide SAS keys grant "
                "access to every event hub in it. Remove the rule and use role assignments."
            )
            return
    if any(one_of(r, ("Manage",)) for r in str_list(get(args.props, "rights"))):
        report_violation("The shared access rule grants Manage rights; a SAS key must never be able to manage.")


identity_disable_eventhub_local_auth = GuardrailResourcePolicy(
    name="identity-disable-eventhub-local-auth",
    description="An Event Hubs namespace must disable local (shared access key) authentication.",
    validate=_validate,
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
