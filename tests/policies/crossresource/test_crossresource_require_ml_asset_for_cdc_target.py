"""crossresource-require-ml-asset-for-cdc-target (X-01): every CDC landing folder is an ML data asset."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.crossresource.crossresource_require_ml_asset_for_cdc_target import (
    crossresource_require_ml_asset_for_cdc_target,
)
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = crossresource_require_ml_asset_for_cdc_target
BASE: dict[str, Any] = PIPELINE


def data_uri(uri: Any) -> dict[str, Any]:
    return {"asset-version": {"props": {"properties": {"dataUri": uri}}}}


def datastore(**properties: Any) -> dict[str, Any]:
    return {"datastore": {"props": {"properties": properties}}}


EXTRA_VERSION = {
    "stray-version": {
        "type": T.ML_DATA_VERSION,
        "props": {
            "name": "stray",
            "version": "1",
            "properties": {"dataUri": "azureml://datastores/cdc_orders/paths/other/"},
        },
    }
}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_abfss_asset": data_uri("abfss://orders@stcdclanding.dfs.core.windows.net/cdc/dbo/orders/part"),
    "pass_datastore_bound_by_dependency": {
        "datastore": {"deps": {"properties": ["landing"]}, "props": {"properties": {"accountName": unknown()}}}
    },
    "pass_account_names_unknown_in_preview": {
        "landing": {"props": {"name": unknown()}},
        "landing-link": {"deps": {"properties": ["runtime"]}},
    },
    "pass_parent_folder_asset_is_not_stray": {
        **EXTRA_VERSION,
        "stray-version": {
            **EXTRA_VERSION["stray-version"],
            "props": {"name": "s", "properties": {"dataUri": "azureml://datastores/cdc_orders/paths/cdc/"}},
        },
    },
    "pass_landing_url_computed_from_the_account": {
        "landing-link": {"deps": {"properties": ["runtime", "landing"]}, "props": {"properties": {"url": unknown()}}}
    },
    "fail_no_datastore": Case({"datastore": DELETE}, match="no Azure ML ADLS Gen2 datastore reads"),
    "fail_datastore_on_other_account": Case(datastore(accountName="stother"), match="no Azure ML ADLS Gen2 datastore"),
    "fail_datastore_on_other_filesystem": Case(datastore(filesystem="archive"), match="datastore reads that account"),
    "fail_no_data_asset": Case({"asset-version": DELETE}, match="no Azure ML data asset version"),
    "fail_asset_reads_other_folder": Case(
        data_uri("azureml://datastores/cdc_orders/paths/cdc/dbo/customers/"), match="no Azure ML data asset version"
    ),
    "fail_stray_asset": Case(EXTRA_VERSION, match="no change data capture writes"),
    "unknown_data_uri": Case(
        {"asset-version": {"props": {"properties": {"dataUri": unknown()}}, "deps": {"properties": ["datastore"]}}}
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_crossresource_require_ml_asset_for_cdc_target(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
