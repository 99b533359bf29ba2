"""B-08 (network): a storage account is reachable only through private endpoints, or —
where a team deliberately keeps public access — only through its firewall."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_bool, get, one_of, resource_types, shown

__all__ = ["network_disable_storage_public_access"]

CLOSED = ("Disabled", "SecuredByPerimeter")


@resource_types(T.STORAGE_ACCOUNT)
def _validate(args: Any, report_violation: Any) -> None:
    access = get(args.props, "publicNetworkAccess")
    if one_of(access, CLOSED):
        return
    firewalled = one_of(get(args.props, "networkRuleSet.defaultAction"), ("Deny",))
    if firewalled and as_bool(args.get_config().get("allowFirewalledPublicAccess")) is True:
        return
    state = shown(access, ("Enabled", *CLOSED))
    if firewalled:
        report_violation(
            f"publicNetworkAccess is {state}; the firewall denies by default, but the account still has a public "
            'endpoint. Set publicNetworkAccess to "Disabled" (or allow firewalled public access in this policy\'s '
            "config)."
        )
    else:
        report_violation(
            f'publicNetworkAccess is {state} and networkRuleSet.defaultAction is not "Deny", so the landing data is '
            'reachable from any network; set publicNetworkAccess to "Disabled".'
        )


network_disable_storage_public_access = GuardrailResourcePolicy(
    name="network-disable-storage-public-access",
    description="A storage account must have public network access disabled.",
    validate=_validate,
    rule="B-08",
    layer="landing",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set publicNetworkAccess to "Disabled" on the StorageAccount and reach it through private endpoints (blob, '
        'and dfs for ADLS Gen2); where public access must stay, set networkRuleSet.defaultAction to "Deny" and '
        "allowFirewalledPublicAccess in this policy's config."
    ),
    url="https://learn.microsoft.com/azure/storage/common/storage-network-security",
    framework=mcsb("NS-2"),
    config={
        "allowFirewalledPublicAccess": {
            "type": "boolean",
            "default": False,
            "description": "Accept an account with public access on when its firewall denies by default.",
        }
    },
)
