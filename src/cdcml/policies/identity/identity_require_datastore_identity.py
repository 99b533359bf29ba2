"""C-07: an Azure ML datastore stores no credential and reads with an identity."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["identity_require_datastore_identity"]

_STORAGE_DATASTORES = (
    ("properties.datastoreType", ("AzureBlob", "AzureDataLakeGen1", "AzureDataLakeGen2", "AzureFile")),
)

identity_require_datastore_identity = PropertyPolicy(
    name="identity-require-datastore-identity",
    description="An Azure Machine Learning datastore must use identity-based access, never stored credentials.",
    resource_types=(T.ML_DATASTORE,),
    expects=[
        Expect(
            "properties.credentials.credentialsType",
            ("None",),
            why="Account keys, SAS tokens, certificates and service principal secrets stored on a datastore can be "
            "read back by anyone with the listsecrets permission (Contributor, AzureML Data Scientist).",
            vocabulary=("AccountKey", "Certificate", "Sas", "ServicePrincipal"),
        ),
        Expect(
            "properties.serviceDataAccessAuthIdentity",
            ("WorkspaceSystemAssignedIdentity", "WorkspaceUserAssignedIdentity"),
            when=_STORAGE_DATASTORES,
            why="Without a workspace identity for service-side access, the studio and pipelines fall back to "
            "credential-based access.",
            vocabulary=("None",),
        ),
    ],
    rule="C-07",
    layer="ml",
    concern="identity",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set properties.credentials to {credentialsType: "None"} and properties.serviceDataAccessAuthIdentity to '
        '"WorkspaceSystemAssignedIdentity" (or the user-assigned one) on the Datastore, and grant that identity '
        "Storage Blob Data Reader on the landing container."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-administrate-data-authentication",
    framework=mcsb("IM-3"),
)
