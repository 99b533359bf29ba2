"""E-02: the landing zone's blob service keeps deleted blobs and containers recoverable
(and, where required, versions and a change feed)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_bool, as_number, config_number, get, resource_types

__all__ = ["protection_enable_blob_soft_delete"]


@resource_types(T.BLOB_SERVICE)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    minimum = config_number(config, "minRetentionDays", 7)
    for key, what in (("deleteRetentionPolicy", "blobs"), ("containerDeleteRetentionPolicy", "containers")):
        if as_bool(get(args.props, f"{key}.enabled")) is not True:
            report_violation(f"{key}.enabled is not true, so deleted {what} of the landing zone are gone at once.")
            continue  # the retention of a switched-off policy doesn't matter (and may be unknown in preview)
        days = as_number(get(args.props, f"{key}.days"))
        if days is not None and days < minimum:
            report_violation(f"{key}.days is {days:g}; keep deleted {what} at least {minimum:g} days.")
    if as_bool(config.get("requireVersioning")) is True and as_bool(get(args.props, "isVersioningEnabled")) is not True:
        report_violation("isVersioningEnabled is not true; this environment requires blob versioning.")
    if as_bool(config.get("requireChangeFeed")) is True and as_bool(get(args.props, "changeFeed.enabled")) is not True:
        report_violation("changeFeed.enabled is not true; this environment requires the blob change feed.")


protection_enable_blob_soft_delete = GuardrailResourcePolicy(
    name="protection-enable-blob-soft-delete",
    description="A storage account's blob service must keep deleted blobs and containers recoverable.",
    validate=_validate,
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
