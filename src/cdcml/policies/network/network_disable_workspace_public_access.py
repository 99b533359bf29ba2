"""B-05: an Azure ML workspace is reachable only through private endpoints."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["network_disable_workspace_public_access"]

network_disable_workspace_public_access = PropertyPolicy(
    name="network-disable-workspace-public-access",
    description="An Azure Machine Learning workspace must have public network access disabled.",
    resource_types=(T.ML_WORKSPACE,),
    expects=[
        Expect(
            "publicNetworkAccess",
            ("Disabled",),
            why="A public workspace exposes the data assets built from change data to the internet.",
            vocabulary=("Enabled",),
        ),
        Expect(
            "allowPublicAccessWhenBehindVnet",
            (False,),
            missing="compliant",
            why="It re-opens a network-isolated workspace to public traffic.",
        ),
    ],
    rule="B-05",
    layer="ml",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set publicNetworkAccess to "Disabled" and leave allowPublicAccessWhenBehindVnet unset or false on the '
        "Workspace; reach it through a private endpoint with group id amlworkspace."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link",
    framework=mcsb("NS-2"),
)
