"""B-08 (anonymous access): no storage account allows anonymous blob access and no
container is public. At remediate level both are switched off."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["network_disable_blob_anonymous_access"]

network_disable_blob_anonymous_access = PropertyPolicy(
    name="network-disable-blob-anonymous-access",
    description="Storage accounts must disallow anonymous blob access and containers must not be public.",
    resource_types=(T.STORAGE_ACCOUNT, T.BLOB_CONTAINER),
    expects=[
        Expect(
            "allowBlobPublicAccess",
            (False,),
            types=(T.STORAGE_ACCOUNT,),
            why="Any container of the account could then be made readable by anyone with its URL.",
            fix=False,
        ),
        Expect(
            "publicAccess",
            ("None",),
            missing="compliant",
            types=(T.BLOB_CONTAINER,),
            why="Its blobs, change data included, are readable anonymously.",
            vocabulary=("Blob", "Container"),
            fix="None",
        ),
    ],
    rule="B-08",
    layer="landing",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set allowBlobPublicAccess to false on the StorageAccount and publicAccess to "None" (or leave it unset) on '
        "every BlobContainer; at remediate level the policy does both."
    ),
    url="https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent",
    framework=mcsb("NS-2"),
)
