"""ml-disallow-v1-data-assets (G-01): no v1 datasets, v1 datastores or v1 legacy mode."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.ml.ml_disallow_v1_data_assets import ml_disallow_v1_data_assets
from cdcml.testing.harness import Case, secret, unknown
from tests.policies.fixtures import props

POLICY = ml_disallow_v1_data_assets
RESOURCE_TYPE = T.ML_WORKSPACE
BASE: dict[str, Any] = props("workspace")
DATASET = {
    "datasetType": "tabular",
    "parameters": {"path": {"dataPath": {"datastoreName": "landing", "relativePath": "cdc"}}},
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_legacy_mode_with_exception": {"v1LegacyMode": True, "tags": {"v1-legacy-approved": "true"}},
    "pass_v2_data_version": Case(props("asset-version"), resource_type=T.ML_DATA_VERSION),
    "fail_v1_dataset": Case(DATASET, resource_type=T.ML_DATASET_V1, match="v1 dataset"),
    "fail_v1_datastore": Case(
        {"dataStoreType": "adls-gen2", "accountKey": secret("hunter2-key")},
        resource_type=T.ML_DATASTORE_V1,
        match="plain strings",
    ),
    "fail_legacy_mode": Case({"v1LegacyMode": True}, match="v1LegacyMode is true"),
    "fail_legacy_mode_as_string": Case({"v1LegacyMode": "true"}, match="without an approved exception"),
    "unknown_legacy_mode": Case({"v1LegacyMode": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_ml_disallow_v1_data_assets(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
