"""C-05: a storage account accepts only Microsoft Entra ID: no shared keys, no local users."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["identity_disable_storage_shared_key"]

identity_disable_storage_shared_key = PropertyPolicy(
    name="identity-disable-storage-shared-key",
    description="A storage account must disable shared key authorization and local users.",
    resource_types=(T.STORAGE_ACCOUNT,),
    expects=[
        Expect(
            "allowSharedKeyAccess",
            (False,),
            why="An account key, or any SAS signed with it, reads every blob of the landing zone and can't be scoped "
            "or audited per caller.",
        ),
        Expect(
            "isLocalUserEnabled",
            (False,),
            missing="compliant",
            why="Local users (SFTP/SMB) bypass Microsoft Entra ID.",
        ),
    ],
    rule="C-05",
    layer="landing",
    concern="identity",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Set allowSharedKeyAccess to false (and defaultToOAuthAuthentication to true) on the StorageAccount, leave "
        "isLocalUserEnabled false, and grant the factory and ML identities Storage Blob Data roles instead."
    ),
    url="https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent",
    framework=mcsb("IM-1"),
)
