"""G-03: ML data assets built from change data are versioned folders or tables with
lineage: a pinned version, no anonymous assets, referenced URIs for MLTables, lineage
tags, and (where required) Purview on the factory."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import (
    MISSING,
    as_bool,
    as_str,
    entries,
    get,
    listed,
    one_of,
    resource_types,
    shown,
    str_list,
)

__all__ = ["LINEAGE_TAGS", "ml_configure_data_asset_lineage"]

LINEAGE_TAGS = ["cdc-factory", "cdc-name", "source-entity"]
DATA_TYPES = ("uri_file", "uri_folder", "mltable")


def _lineage_missing(props: Any, required: list[str]) -> list[str]:
    present = {k.casefold() for k, v in entries(get(props, "properties.tags")) if isinstance(v, str) and v.strip()}
    return [t for t in required if t.casefold() not in present]


@resource_types(T.ML_DATA_CONTAINER, T.ML_DATA_VERSION, T.FACTORY)
def _validate(args: Any, report_violation: Any) -> None:
    config = args.get_config()
    props = args.props
    if args.resource_type == T.FACTORY:
        if as_bool(config.get("requirePurview")) is True and not as_str(
            get(props, "purviewConfiguration.purviewResourceId")
        ):
            report_violation("purviewConfiguration.purviewResourceId is not set; lineage from the CDC is not captured.")
        return
    kind = get(props, "properties.dataType")
    if args.resource_type == T.ML_DATA_CONTAINER:
        if not one_of(kind, ("uri_folder", "mltable")):
            report_violation(
                f"properties.dataType is {shown(kind, DATA_TYPES)}; a CDC landing folder is an asset of type "
                "uri_folder or mltable."
            )
        return
    version = get(props, "version")
    if version is MISSING or (isinstance(version, str) and version.strip().casefold() in ("", "latest")):
        report_violation("version is not pinned (missing or latest); training runs can't be reproduced.")
    if as_bool(get(props, "properties.isAnonymous")) is True:
        report_violation("properties.isAnonymous is true; an anonymous asset has no name to trace lineage by.")
    if one_of(kind, ("mltable",)) and not listed(get(props, "properties.referencedUris")):
        report_violation("An mltable asset has no properties.referencedUris, which lineage requires.")
    required = str_list(config.get("lineageTags"))
    missing = _lineage_missing(props, required if "lineageTags" in config else LINEAGE_TAGS)
    if missing:
        report_violation(f"properties.tags lacks the lineage tags {', '.join(missing)}.")


ml_configure_data_asset_lineage = GuardrailResourcePolicy(
    name="ml-configure-data-asset-lineage",
    description="An Azure Machine Learning data asset built from change data must be a pinned, named folder or "
    "table asset with lineage.",
    validate=_validate,
    rule="G-03",
    layer="ml",
    concern="lifecycle",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Make CDC data assets uri_folder or mltable, pin DataVersion.version, keep isAnonymous false, give mltable "
        "versions referencedUris, tag versions with cdc-factory, cdc-name and source-entity, and connect the "
        "factory to Purview where lineage must be captured."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-create-data-assets",
    framework=mcsb("AM-2"),
    config={
        "lineageTags": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "default": LINEAGE_TAGS,
            "description": "Tags every data asset version must carry (empty requires none).",
        },
        "requirePurview": {
            "type": "boolean",
            "default": False,
            "description": "Require the factory to be connected to Microsoft Purview.",
        },
    },
)
