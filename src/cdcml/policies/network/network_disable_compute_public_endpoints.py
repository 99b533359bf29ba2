"""B-07: Azure ML compute has no public IP and no public SSH or remote-login port."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["network_disable_compute_public_endpoints"]

_AML = (("properties.computeType", ("AmlCompute",)),)
_INSTANCE = (("properties.computeType", ("ComputeInstance",)),)
_NO_IP = "Nodes with public IPs expose training jobs, and the change data they read, to the internet."

network_disable_compute_public_endpoints = PropertyPolicy(
    name="network-disable-compute-public-endpoints",
    description="Azure Machine Learning compute must have no public IP and no publicly reachable SSH port.",
    resource_types=(T.ML_COMPUTE,),
    expects=[
        Expect("properties.properties.enableNodePublicIp", (False,), when=_AML, why=_NO_IP),
        Expect(
            "properties.properties.remoteLoginPortPublicAccess",
            ("Disabled", "NotSpecified"),
            missing="compliant",
            when=_AML,
            why="An open remote-login port lets anyone on the internet attempt SSH to every node.",
            vocabulary=("Enabled",),
        ),
        Expect("properties.properties.enableNodePublicIp", (False,), when=_INSTANCE, why=_NO_IP),
        Expect(
            "properties.properties.sshSettings.sshPublicAccess",
            ("Disabled",),
            missing="compliant",
            when=_INSTANCE,
            why="A public SSH port exposes the instance to the internet.",
            vocabulary=("Enabled",),
        ),
    ],
    rule="B-07",
    layer="ml",
    concern="network",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Set enableNodePublicIp to false, remoteLoginPortPublicAccess (AmlCompute) or sshSettings.sshPublicAccess "
        '(ComputeInstance) to "Disabled", and run the compute in the workspace\'s managed network or a subnet.'
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet",
    framework=mcsb("NS-2"),
)
