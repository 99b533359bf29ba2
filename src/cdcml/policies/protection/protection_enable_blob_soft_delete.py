"""E-02: the landing zone's blob service keeps deleted blobs and containers recoverable
(and, where required, versions and a change feed)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["protection_enable_blob_soft_delete"]


def _soft_delete(key: str, what: str) -> list[Expect]:
    """Soft delete of *what* (blobs or containers) on, and kept long enough when it is on."""
    return [
        Expect(
            f"{key}.enabled",
            (True,),
            message=f"{key}.enabled is not true, so deleted {what} of the landing zone are gone at once.",
        ),
        Expect(
            f"{key}.days",
            at_least="minRetentionDays",
            when=((f"{key}.enabled", (True,)),),
            message=f"{key}.days is {{value}}; keep deleted {what} at least {{minimum}} days.",
        ),
    ]


protection_enable_blob_soft_delete = PropertyPolicy(
    name="protection-enable-blob-soft-delete",
    description="A storage account's blob service must keep deleted blobs and containers recoverable.",
    resource_types=(T.BLOB_SERVICE,),
    expects=[
        *_soft_delete("deleteRetentionPolicy", "blobs"),
        *_soft_delete("containerDeleteRetentionPolicy", "containers"),
        Expect(
            "isVersioningEnabled",
            (True,),
            only_if="requireVersioning",
            message="isVersioningEnabled is not true; this environment requires blob versioning.",
        ),
        Expect(
            "changeFeed.enabled",
            (True,),
            only_if="requireChangeFeed",
            message="changeFeed.enabled is not true; this environment requires the blob change feed.",
        ),
    ],
    rule="E-02",
    layer="landing",
    concern="protection",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set deleteRetentionPolicy and containerDeleteRetentionPolicy to {enabled: true, days: ≥ minRetentionDays} "
        "on the BlobServiceProperties; enable versioning and the change feed where this policy's config requires "
        "them (check hierarchical-namespace support first)."
    ),
    url="https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview",
    framework=mcsb("BR-1"),
    config={
        "minRetentionDays": {
            "type": "number",
            "minimum": 1,
            "maximum": 365,
            "default": 7,
            "description": "The shortest allowed soft-delete retention, in days.",
        },
        "requireVersioning": {"type": "boolean", "default": False, "description": "Require blob versioning."},
        "requireChangeFeed": {"type": "boolean", "default": False, "description": "Require the blob change feed."},
    },
)
