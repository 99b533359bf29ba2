"""D-03: an Azure ML workspace holding sensitive data encrypts it with a customer-managed
key."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import TEXT, Expect, PropertyPolicy, mcsb
from cdcml.policies.classification import CMK_CONFIG, cmk_required

__all__ = ["encryption_require_workspace_cmk"]

encryption_require_workspace_cmk = PropertyPolicy(
    name="encryption-require-workspace-cmk",
    description="An Azure Machine Learning workspace whose data classification requires it must be encrypted "
    "with a customer-managed key.",
    resource_types=(T.ML_WORKSPACE,),
    only_if=cmk_required,
    expects=[
        Expect(
            "encryption.status",
            ("Enabled",),
            also=(("encryption.keyVaultProperties.keyIdentifier", (TEXT,)),),
            trim=False,
            message='encryption.status must be "Enabled" with encryption.keyVaultProperties.keyIdentifier set: the '
            "workspace's data classification requires a customer-managed key.",
        ),
    ],
    rule="D-03",
    layer="ml",
    concern="encryption",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Set encryption.status "Enabled" and encryption.keyVaultProperties (keyVaultArmId, keyIdentifier) on the '
        "Workspace at creation time, with a key in a vault in the workspace's region."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/concept-customer-managed-keys",
    framework=mcsb("DP-5"),
    config=CMK_CONFIG,
)
