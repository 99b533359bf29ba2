"""C-06: Azure ML compute accepts only Microsoft Entra ID."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["identity_disable_compute_local_auth"]

identity_disable_compute_local_auth = PropertyPolicy(
    name="identity-disable-compute-local-auth",
    description="Azure Machine Learning compute clusters and instances must disable local authentication.",
    resource_types=(T.ML_COMPUTE,),
    expects=[
        Expect(
            "properties.disableLocalAuth",
            (True,),
            when=(("properties.computeType", ("AmlCompute", "ComputeInstance")),),
            why="Local accounts on the compute bypass Microsoft Entra ID and its audit trail.",
        )
    ],
    rule="C-06",
    layer="ml",
    concern="identity",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps="Set properties.disableLocalAuth to true on every AmlCompute and ComputeInstance.",
    url="https://learn.microsoft.com/security/benchmark/azure/baselines/machine-learning-service-security-baseline",
    framework=mcsb("IM-1"),
)
