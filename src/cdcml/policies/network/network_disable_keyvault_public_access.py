"""B-09: a Key Vault is not open to every network: public access is disabled, or its
firewall denies by default."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import get, one_of, resource_types

__all__ = ["network_disable_keyvault_public_access"]


@resource_types(T.KEY_VAULT)
def _validate(args: Any, report_violation: Any) -> None:
    # properties.publicNetworkAccess is a free string ("disabled" in the docs): compare case-insensitively.
    if one_of(get(args.props, "properties.publicNetworkAccess"), ("disabled",)):
        return
    if one_of(get(args.props, "properties.networkAcls.defaultAction"), ("Deny",)):
        return
    report_violation(
        'properties.publicNetworkAccess is not "disabled" and properties.networkAcls.defaultAction is not "Deny", '
        "so the vault holding the pipeline's secrets and keys accepts requests from any network."
    )


network_disable_keyvault_public_access = GuardrailResourcePolicy(
    name="network-disable-keyvault-public-access",
    description="A Key Vault must disable public network access or deny by default at its firewall.",
    validate=_validate,
    rule="B-09",
    layer="platform",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set properties.publicNetworkAccess to "disabled" on the Vault and reach it through a private endpoint with '
        'group id vault, or set properties.networkAcls.defaultAction to "Deny" with bypass "AzureServices".'
    ),
    url="https://learn.microsoft.com/azure/key-vault/general/network-security",
    framework=mcsb("NS-2"),
)
