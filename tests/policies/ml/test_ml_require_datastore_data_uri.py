"""ml-require-datastore-data-uri (G-02): data assets read through a datastore, never a SAS URL."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.ml.ml_require_datastore_data_uri import ml_require_datastore_data_uri
from cdcml.testing.harness import DELETE, Case, secret, unknown
from tests.policies.fixtures import props

POLICY = ml_require_datastore_data_uri
RESOURCE_TYPE = T.ML_DATA_VERSION
BASE: dict[str, Any] = props("asset-version")
ABFSS = "abfss://orders@stcdclanding.dfs.core.windows.net/cdc/dbo/orders/"


def uri(value: Any) -> dict[str, Any]:
    return {"properties": {"dataUri": value}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_abfss": uri(ABFSS),
    "pass_abfss_approved_account": Case(uri(ABFSS), config={"approvedAccounts": ["STCDCLANDING"]}),
    "fail_https_url": Case(uri("https://stcdclanding.blob.core.windows.net/orders/cdc/"), match="bypasses datastore"),
    "fail_sas_token": Case(
        uri(secret("https://stcdclanding.blob.core.windows.net/orders?sv=2024&sig=hunter2sig")),
        match="carries a SAS token",
    ),
    "fail_unapproved_account": Case(
        uri(ABFSS), config={"approvedAccounts": ["stother"]}, match="not in approvedAccounts"
    ),
    "fail_missing": Case({"properties": {"dataUri": DELETE}}, match="points at nothing"),
    "fail_wrong_type": Case(uri(12), match="neither azureml"),
    "unknown_uri": Case(uri(unknown())),
}


@pytest.mark.parametrize("case", CASES)
def test_ml_require_datastore_data_uri(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
