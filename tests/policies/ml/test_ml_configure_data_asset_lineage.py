"""ml-configure-data-asset-lineage (G-03): CDC data assets are pinned, named and traceable."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.ml.ml_configure_data_asset_lineage import ml_configure_data_asset_lineage
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = ml_configure_data_asset_lineage
RESOURCE_TYPE = T.ML_DATA_VERSION
BASE: dict[str, Any] = props("asset-version")
CONTAINER = T.ML_DATA_CONTAINER

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_mltable_with_referenced_uris": {"properties": {"dataType": "mltable", "referencedUris": ["azureml://x"]}},
    "pass_container": Case(props("asset"), resource_type=CONTAINER),
    "pass_no_lineage_tags_required": Case({"properties": {"tags": DELETE}}, config={"lineageTags": []}),
    "pass_purview_required": Case(
        {"purviewConfiguration": {"purviewResourceId": "/purview"}},
        resource_type=T.FACTORY,
        config={"requirePurview": True},
    ),
    "fail_latest_version": Case({"version": "latest"}, match="not pinned"),
    "fail_missing_version": Case({"version": DELETE}, match="not pinned"),
    "fail_anonymous": Case({"properties": {"isAnonymous": True}}, match="anonymous"),
    "fail_mltable_without_uris": Case({"properties": {"dataType": "mltable"}}, match="referencedUris"),
    "fail_missing_lineage_tag": Case(
        {"properties": {"tags": {"cdc-name": DELETE}}}, match="lacks the lineage tags cdc-name"
    ),
    "fail_uri_file_container": Case(
        {"properties": {"dataType": "uri_file"}}, resource_type=CONTAINER, match='"uri_file"'
    ),
    "fail_purview_required": Case(
        {}, resource_type=T.FACTORY, config={"requirePurview": True}, match="purviewResourceId is not set"
    ),
    "unknown_version": Case({"version": unknown()}),
}


@pytest.mark.parametrize("case", CASES)
def test_ml_configure_data_asset_lineage(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
