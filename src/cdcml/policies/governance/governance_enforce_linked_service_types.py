"""F-04: a Data Factory connects only to linked service types on the allow-list, which
blocks exfiltration connectors."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["ALLOWED_LINKED_SERVICE_TYPES", "governance_enforce_linked_service_types"]

ALLOWED_LINKED_SERVICE_TYPES = [
    "AzureSqlDatabase",
    "AzureSqlMI",
    "SqlServer",
    "AzureSqlDW",
    "CosmosDb",
    "Snowflake",
    "AzureBlobFS",
    "AzureBlobStorage",
    "AzureKeyVault",
    "AzurePostgreSql",
    "PostgreSqlV2",
    "AzureMLService",
    "AzureDatabricks",
]


governance_enforce_linked_service_types = PropertyPolicy(
    name="governance-enforce-linked-service-types",
    description="A Data Factory linked service must be of an allowed type.",
    resource_types=(T.LINKED_SERVICE,),
    expects=[
        Expect(
            "properties.type",
            allowed_from="allowedLinkedServiceTypes",
            trim=False,
            message="properties.type is {value}, not an allowed linked service type; a connector outside the "
            "pipeline's stores is a path to copy change data out of the organisation.",
        )
    ],
    rule="F-04",
    layer="cdc",
    concern="governance",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Use only the connectors the CDC→ML pipeline needs, or add a reviewed type to allowedLinkedServiceTypes."
    ),
    url="https://learn.microsoft.com/azure/data-factory/policy-reference",
    framework=mcsb("AM-2"),
    config={
        "allowedLinkedServiceTypes": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
            "default": ALLOWED_LINKED_SERVICE_TYPES,
            "description": "Linked service types allowed (compared case-insensitively).",
        }
    },
)
