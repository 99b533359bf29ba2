"""X-01: every folder a CDC lands in ADLS Gen2 is readable by Azure ML — a Datastore on the
same account and filesystem, and a data asset version under that folder — and every data
asset on a CDC filesystem reads a folder some CDC writes."""

from __future__ import annotations

from functools import partial
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.ml.ml_require_datastore_data_uri import parse_data_uri
from cdcml.policies.pipeline import TARGET, LandingPath, landing_paths, path_within
from cdcml.policies.stack import Pending, any_known, depends_on, name_is, named, of_type, output
from cdcml.policies.vocabulary import as_str, one_of

__all__ = ["crossresource_require_ml_asset_for_cdc_target"]


class _Stack:
    def __init__(self, resources: list[Any]) -> None:
        self.linked = of_type(resources, T.LINKED_SERVICE)
        self.accounts = of_type(resources, T.STORAGE_ACCOUNT)
        self.containers = of_type(resources, T.BLOB_CONTAINER)
        self.datastores = of_type(resources, T.ML_DATASTORE)
        self.versions = of_type(resources, T.ML_DATA_VERSION)

    def filesystem_is(self, datastore: Any, filesystem: str) -> bool:
        try:
            value = output(datastore, "properties.filesystem")
        except UnknownValueError:
            containers = depends_on(datastore, "properties", T.BLOB_CONTAINER)
            if not containers:
                raise
            return any_known(containers, lambda c: name_is(c, filesystem))
        return isinstance(value, str) and value.strip("/").casefold() == filesystem.casefold()

    def datastore_on(self, datastore: Any, path: LandingPath) -> bool:
        """Whether an ADLS Gen2 datastore reads *path*'s account and filesystem."""
        if not one_of(output(datastore, "properties.datastoreType"), ("AzureDataLakeGen2",)):
            return False
        deps = depends_on(datastore, "properties", T.STORAGE_ACCOUNT)
        try:
            name = as_str(output(datastore, "properties.accountName"))
        except UnknownValueError:
            if not deps:
                raise
            name = None
        return path.same_account(deps, name) and self.filesystem_is(datastore, path.filesystem)

    def version_location(self, version: Any) -> dict[str, str] | None:
        uri = as_str(output(version, "properties.dataUri"))
        return parse_data_uri(uri) if uri else None

    def version_on(self, version: Any, path: LandingPath, folder: str = "within") -> bool:
        """Whether a data asset version reads *path*'s account and filesystem, and a folder
        *within* the path's folder, one that *overlaps* it, or *any* folder."""
        where = self.version_location(version)
        if where is None:
            return False
        inside = path_within(where["path"], path.folder)
        if folder == "within" and not inside:
            return False
        if folder == "overlaps" and not (inside or path_within(path.folder, where["path"])):
            return False
        if "datastore" in where:
            stores = depends_on(version, "properties", T.ML_DATASTORE) or named(where["datastore"], self.datastores)
            return any_known(stores, lambda ds: self.datastore_on(ds, path))
        if where["filesystem"].casefold() != path.filesystem.casefold():
            return False
        return path.same_account([], where["account"])


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    stack = _Stack(args.resources)
    paths: list[LandingPath] = []
    for cdc in of_type(args.resources, T.CHANGE_DATA_CAPTURE):
        with pending.item():
            paths.extend(landing_paths(cdc, stack.linked, stack.accounts))
    for path in paths:
        where = f"{TARGET}[{path.connection}].targetEntities[{path.table}]"
        on = f" on {', '.join(a.name for a in path.accounts)}" if path.accounts else ""
        with pending.item():
            if not any_known(stack.datastores, partial(stack.datastore_on, path=path)):
                report_violation(
                    f"{where} lands change data{on}, but no Azure ML ADLS Gen2 datastore reads that account and "
                    "filesystem, so ML can't consume it.",
                    path.cdc.urn,
                )
                continue
            if not any_known(stack.versions, partial(stack.version_on, path=path)):
                report_violation(
                    f"{where} lands change data{on}, but no Azure ML data asset version (DataVersion) reads its "
                    "folder, so no training job sees the captured changes.",
                    path.cdc.urn,
                )
    for version in stack.versions:
        with pending.item():
            same_filesystem = [p for p in paths if stack.version_on(version, p, folder="any")]
            if same_filesystem and not any(stack.version_on(version, p, folder="overlaps") for p in same_filesystem):
                report_violation(
                    "The data asset reads a folder of a CDC landing filesystem that no change data capture writes, "
                    "so it never receives changes.",
                    version.urn,
                )
    pending.finish()


crossresource_require_ml_asset_for_cdc_target = GuardrailStackPolicy(
    name="crossresource-require-ml-asset-for-cdc-target",
    description="Every folder a change data capture lands must be registered as an Azure ML data asset on a "
    "datastore, and every data asset on a CDC landing filesystem must read a folder a CDC writes.",
    validate=_validate,
    rule="X-01",
    layer="ml",
    concern="dataflow",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Create an Azure ML Datastore (AzureDataLakeGen2) on the landing account and filesystem the CDC target "
        "writes (the fileSystem DSL property), and a DataContainer + DataVersion whose dataUri is "
        "azureml://datastores/<datastore>/paths/<folderPath>/; point data assets only at folders a CDC writes."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-create-data-assets",
    framework=mcsb("AM-2"),
    resource_types=(
        T.CHANGE_DATA_CAPTURE,
        T.LINKED_SERVICE,
        T.STORAGE_ACCOUNT,
        T.BLOB_CONTAINER,
        T.ML_DATASTORE,
        T.ML_DATA_VERSION,
    ),
)
