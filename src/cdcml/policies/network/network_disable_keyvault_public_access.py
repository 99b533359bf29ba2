"""B-09: a Key Vault is not open to every network: public access is disabled, or its
firewall denies by default."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["network_disable_keyvault_public_access"]

network_disable_keyvault_public_access = PropertyPolicy(
    name="network-disable-keyvault-public-access",
    description="A Key Vault must disable public network access or deny by default at its firewall.",
    resource_types=(T.KEY_VAULT,),
    expects=[
        Expect(
            "properties.networkAcls.defaultAction",
            ("Deny",),
            # properties.publicNetworkAccess is a free string ("disabled" in the docs): compared case-insensitively.
            unless=(("properties.publicNetworkAccess", ("disabled",)),),
            trim=False,
            message='properties.publicNetworkAccess is not "disabled" and properties.networkAcls.defaultAction is '
            'not "Deny", so the vault holding the pipeline\'s secrets and keys accepts requests from any network.',
        )
    ],
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
