"""G-01: no legacy (v1) datasets or datastores, and no workspace in v1 legacy mode without
an approved exception."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_bool, get, resource_types, tag

__all__ = ["EXCEPTION_TAG", "ml_disallow_v1_data_assets"]

EXCEPTION_TAG = "v1-legacy-approved"


@resource_types(T.ML_DATASET_V1, T.ML_DATASTORE_V1, T.ML_WORKSPACE)
def _validate(args: Any, report_violation: Any) -> None:
    if args.resource_type == T.ML_DATASET_V1:
        report_violation(
            "MachineLearningDataset is a v1 dataset on the 2020-05-01-preview API; SDK v1 support ends on 30 June "
            "2026. Register the CDC folder as a v2 data asset (DataContainer + DataVersion, uri_folder or mltable)."
        )
    elif args.resource_type == T.ML_DATASTORE_V1:
        report_violation(
            "MachineLearningDatastore is a v1 datastore on the 2020-05-01-preview API that takes account keys, "
            "client secrets and SAS tokens as plain strings; use a v2 Datastore with identity-based access."
        )
    elif as_bool(get(args.props, "v1LegacyMode")) is True and (tag(args.props, EXCEPTION_TAG) or "") != "true":
        report_violation(
            f"v1LegacyMode is true without an approved exception (tag {EXCEPTION_TAG}=true); legacy mode blocks v2 "
            "network isolation features."
        )


ml_disallow_v1_data_assets = GuardrailResourcePolicy(
    name="ml-disallow-v1-data-assets",
    description="An Azure Machine Learning stack must not use legacy v1 datasets, v1 datastores or v1 legacy mode.",
    validate=_validate,
    rule="G-01",
    layer="ml",
    concern="lifecycle",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Replace MachineLearningDataset with a DataContainer and DataVersion (uri_folder or mltable) over a v2 "
        "Datastore, replace MachineLearningDatastore with Datastore (credentialsType None), and leave v1LegacyMode "
        "false unless an exception is approved and tagged."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/migrate-to-v2-assets-data",
    framework=mcsb("PV-2"),
)
