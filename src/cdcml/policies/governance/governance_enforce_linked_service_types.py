"""F-04: a Data Factory connects only to linked service types on the allow-list, which
blocks exfiltration connectors."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import get, one_of, resource_types, shown, str_list

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


@resource_types(T.LINKED_SERVICE)
def _validate(args: Any, report_violation: Any) -> None:
    allowed = str_list(args.get_config().get("allowedLinkedServiceTypes")) or ALLOWED_LINKED_SERVICE_TYPES
    kind = get(args.props, "properties.type")
    if not one_of(kind, allowed):
        report_violation(
            f"properties.type is {shown(kind, allowed)}, not an allowed linked service type; a connector outside the "
            "pipeline's stores is a path to copy change data out of the organisation."
        )


governance_enforce_linked_service_types = GuardrailResourcePolicy(
    name="governance-enforce-linked-service-types",
    description="A Data Factory linked service must be of an allowed type.",
    validate=_validate,
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
