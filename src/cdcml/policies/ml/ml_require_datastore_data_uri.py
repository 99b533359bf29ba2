"""G-02: an ML data asset reads the landing zone through a datastore or an approved ADLS
Gen2 account by abfss path, never through a URL carrying a SAS token."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import MISSING, as_str, get, resource_types, str_list

__all__ = ["ml_require_datastore_data_uri", "parse_data_uri"]

_DATASTORE_URI = re.compile(r"^azureml://datastores/(?P<datastore>[^/]+)/paths/(?P<path>.*)$", re.IGNORECASE)
_ABFSS_URI = re.compile(
    r"^abfss://(?P<filesystem>[^@/]+)@(?P<account>[a-z0-9]{3,24})\.dfs\.core\.windows\.net/?(?P<path>[^?]*)$",
    re.IGNORECASE,
)
_SAS = re.compile(r"[?&](?:sig|sv|se|sp|st|spr|srt|ss)=", re.IGNORECASE)


def parse_data_uri(uri: str) -> dict[str, str] | None:
    """``{datastore, path}`` or ``{account, filesystem, path}`` of a data asset URI."""
    text = uri.strip()
    m = _DATASTORE_URI.match(text) or _ABFSS_URI.match(text)
    return {k: v for k, v in m.groupdict().items() if v is not None} if m else None


@resource_types(T.ML_DATA_VERSION)
def _validate(args: Any, report_violation: Any) -> None:
    raw = get(args.props, "properties.dataUri")
    if raw is MISSING:
        report_violation("properties.dataUri is not set; the data asset points at nothing.")
        return
    uri = as_str(raw) or ""
    if _SAS.search(uri):
        report_violation(
            "properties.dataUri carries a SAS token; anyone who can read the asset gets its signature. Use an "
            "azureml://datastores/<datastore>/paths/<folder> URI over an identity-based datastore."
        )
        return
    parsed = parse_data_uri(uri)
    if parsed is None:
        report_violation(
            "properties.dataUri is neither azureml://datastores/<datastore>/paths/<path> nor "
            "abfss://<filesystem>@<account>.dfs.core.windows.net/<path>, so it bypasses datastore governance."
        )
        return
    approved = {a.casefold() for a in str_list(args.get_config().get("approvedAccounts"))}
    if "account" in parsed and approved and parsed["account"].casefold() not in approved:
        report_violation("properties.dataUri reads an ADLS Gen2 account that is not in approvedAccounts.")


ml_require_datastore_data_uri = GuardrailResourcePolicy(
    name="ml-require-datastore-data-uri",
    description="An Azure Machine Learning data asset must read through a datastore or an approved ADLS Gen2 path, "
    "never a SAS URL.",
    validate=_validate,
    rule="G-02",
    layer="ml",
    concern="identity",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Set properties.dataUri of the DataVersion to azureml://datastores/<datastore>/paths/<cdc folder>/ (or "
        "abfss://<filesystem>@<approved account>.dfs.core.windows.net/<folder>) and remove any SAS query string."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-administrate-data-authentication",
    framework=mcsb("IM-8"),
    config={
        "approvedAccounts": {
            "type": "array",
            "items": {"type": "string", "minLength": 3},
            "uniqueItems": True,
            "default": [],
            "description": "Storage accounts an abfss data URI may read; empty allows any account.",
        }
    },
)
