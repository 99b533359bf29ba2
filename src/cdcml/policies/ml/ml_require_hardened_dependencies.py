"""G-04: the storage account and Key Vault an ML workspace depends on are locked down as
tightly as the workspace, and it has Application Insights."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.pipeline import public_access_disabled
from cdcml.policies.stack import Pending, StackIndex, output, refers_to, settled
from cdcml.policies.vocabulary import as_bool, one_of, present

__all__ = ["ml_require_hardened_dependencies"]


def _vault_open(vault: Any) -> bool:
    closed = one_of(output(vault, "properties.publicNetworkAccess"), ("disabled",)) or one_of(
        output(vault, "properties.networkAcls.defaultAction"), ("Deny",)
    )
    return not closed


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    accounts = index.of_type(T.STORAGE_ACCOUNT)
    vaults = index.of_type(T.KEY_VAULT)
    for ws in index.of_type(T.ML_WORKSPACE):
        with pending.item():
            if not present(settled(ws), "applicationInsights"):
                report_violation("The workspace has no applicationInsights, so its jobs are not monitored.", ws.urn)
        with pending.item():
            for account in refers_to(ws, "storageAccount", "storageAccount", accounts):
                if not public_access_disabled(account):
                    report_violation(
                        f"The workspace's storage account {account.name} has public network access on, which "
                        "undoes the workspace's network isolation.",
                        ws.urn,
                    )
        with pending.item():
            for vault in refers_to(ws, "keyVault", "keyVault", vaults):
                if _vault_open(vault):
                    report_violation(
                        f"The workspace's Key Vault {vault.name} accepts traffic from any network.", ws.urn
                    )
                if as_bool(output(vault, "properties.enablePurgeProtection")) is not True:
                    report_violation(
                        f"The workspace's Key Vault {vault.name} has no purge protection.",
                        ws.urn,
                    )
    pending.finish()


ml_require_hardened_dependencies = GuardrailStackPolicy(
    name="ml-require-hardened-dependencies",
    description="The storage account and Key Vault an Azure Machine Learning workspace depends on must be "
    "locked down, and the workspace must have Application Insights.",
    validate=_validate,
    rule="G-04",
    layer="ml",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Disable public network access on the workspace's storage account, disable public access (or deny by "
        "default) and enable purge protection on its Key Vault, and set applicationInsights on the Workspace."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet",
    framework=mcsb("NS-2"),
    resource_types=(T.ML_WORKSPACE, T.STORAGE_ACCOUNT, T.KEY_VAULT),
)
