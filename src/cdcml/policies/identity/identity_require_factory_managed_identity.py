"""C-01: a Data Factory has a managed identity, so its linked services can authenticate
without secrets."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["FACTORY_IDENTITY_TYPES", "identity_require_factory_managed_identity"]

FACTORY_IDENTITY_TYPES = ("SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned")

identity_require_factory_managed_identity = PropertyPolicy(
    name="identity-require-factory-managed-identity",
    description="A Data Factory must have a managed identity.",
    resource_types=(T.FACTORY,),
    expects=[
        Expect(
            "identity.type",
            (*FACTORY_IDENTITY_TYPES, "SystemAssigned, UserAssigned"),
            why="Without one, its linked services to the CDC source and the landing zone can only authenticate "
            "with keys, passwords or service principal secrets.",
        )
    ],
    rule="C-01",
    layer="cdc",
    concern="identity",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set identity.type to "SystemAssigned" (or "UserAssigned" with userAssignedIdentities) on the Factory and '
        "grant that identity data-plane roles on the source and the landing zone."
    ),
    url="https://learn.microsoft.com/azure/data-factory/data-factory-service-identity",
    framework=mcsb("IM-3"),
)
