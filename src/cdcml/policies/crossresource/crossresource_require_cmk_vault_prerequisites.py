"""X-04: the Key Vault behind every customer-managed key can't lose it: purge protection
and soft delete on, and (for Azure ML) in the workspace's region."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.pipeline import vault_name
from cdcml.policies.regions import normalize_location
from cdcml.policies.stack import Pending, StackIndex, depends_on, named, output, resolve_id, sole
from cdcml.policies.vocabulary import MISSING, as_bool, get, listed

__all__ = ["KEY_REFERENCES", "crossresource_require_cmk_vault_prerequisites"]

KEY_REFERENCES = {
    T.FACTORY: ("encryption", ("encryption.vaultBaseUrl",)),
    T.EH_NAMESPACE: ("encryption", ("encryption.keyVaultProperties.*.keyVaultUri",)),
    T.ML_WORKSPACE: ("encryption", ("encryption.keyVaultProperties.keyVaultArmId",)),
    T.STORAGE_ACCOUNT: ("encryption", ("encryption.keyVaultProperties.keyVaultUri",)),
    T.SQL_SERVER: ("keyId", ("keyId",)),
    T.PG_SERVER: ("dataEncryption", ("dataEncryption.primaryKeyURI",)),
}
"""Per type: the property whose dependencies name the vault, and where the key reference lives."""


def _references(resource: Any) -> list[Any]:
    out: list[Any] = []
    for path in KEY_REFERENCES[resource.resource_type][1]:
        head, _, tail = path.partition(".*.")
        if tail:
            out.extend(get(item, tail) for item in listed(output(resource, head)))
        else:
            out.append(output(resource, path))
    return [v for v in out if v is not MISSING]


def _vaults(resource: Any, vaults: Sequence[Any], keys: Sequence[Any]) -> list[Any]:
    """The Key Vaults holding *resource*'s customer-managed key: the vaults (or the vaults of
    the keys) its key property depends on, else the vault its key reference names."""
    key = KEY_REFERENCES[resource.resource_type][0]
    deps = depends_on(resource, key, T.KEY_VAULT)
    deps += [v for k in depends_on(resource, key, T.KEY_VAULT_KEY) if (v := sole(k, "vaultName", vaults))]
    if deps:
        return deps
    found: list[Any] = []
    for ref in _references(resource):
        name = vault_name(ref)
        found.extend(named(name, vaults) if name else resolve_id(ref, vaults))
    return found


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    vaults = index.of_type(T.KEY_VAULT)
    keys = index.of_type(T.KEY_VAULT_KEY)
    for resource in index.of_type(*KEY_REFERENCES):
        with pending.item():
            for vault in _vaults(resource, vaults, keys):
                if as_bool(output(vault, "properties.enablePurgeProtection")) is not True:
                    report_violation(
                        f"The customer-managed key lives in Key Vault {vault.name}, which has no purge protection: "
                        "purging the key makes this resource's data unreadable for good.",
                        resource.urn,
                    )
                if as_bool(output(vault, "properties.enableSoftDelete")) is False:
                    report_violation(
                        f"The customer-managed key lives in Key Vault {vault.name}, which has soft delete off.",
                        resource.urn,
                    )
                if resource.resource_type == T.ML_WORKSPACE:
                    mine = normalize_location(output(resource, "location"))
                    theirs = normalize_location(output(vault, "location"))
                    if mine and theirs and mine != theirs:
                        report_violation(
                            f"The workspace's customer-managed key lives in Key Vault {vault.name} in another region; "
                            "Azure ML requires the vault in the workspace's region.",
                            resource.urn,
                        )
    pending.finish()


crossresource_require_cmk_vault_prerequisites = GuardrailStackPolicy(
    name="crossresource-require-cmk-vault-prerequisites",
    description="Every Key Vault holding a customer-managed key of the pipeline must have purge protection and soft "
    "delete, in the consuming ML workspace's region.",
    validate=_validate,
    rule="X-04",
    layer="platform",
    concern="encryption",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Enable properties.enablePurgeProtection (and keep soft delete on) on every Vault that holds a "
        "customer-managed key, and create the vault for an Azure ML workspace's key in the workspace's region."
    ),
    url="https://learn.microsoft.com/azure/storage/common/customer-managed-keys-overview",
    framework=mcsb("DP-8"),
    resource_types=(*KEY_REFERENCES, T.KEY_VAULT),
)
