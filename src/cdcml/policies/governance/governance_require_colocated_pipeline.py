"""F-05 (co-location): the factory, landing storage, Event Hubs namespace and ML workspace
of a pipeline run in one region, so change data never crosses regions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.regions import REGIONS, normalize_location
from cdcml.policies.stack import Pending, StackIndex, output, sole
from cdcml.policies.vocabulary import MISSING, shown

__all__ = ["PIPELINE_TYPES", "governance_require_colocated_pipeline"]

PIPELINE_TYPES = (T.FACTORY, T.STORAGE_ACCOUNT, T.EH_NAMESPACE, T.ML_WORKSPACE)


def _location(resource: Any, groups: Sequence[Any]) -> str | None:
    """A resource's region: its own location, else its resource group's (azure-native
    deploys a resource without a location to its group's). In preview a location taken
    from the group's output is unknown; the group it depends on answers then."""
    try:
        location = output(resource, "location")
    except UnknownValueError:
        group = sole(resource, "location", groups)
        if group is None:
            raise
        location = output(group, "location")
    if location is MISSING:
        group = sole(resource, "resourceGroupName", groups)
        location = output(group, "location") if group is not None else MISSING
    return normalize_location(location)


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    groups = index.of_type(T.RESOURCE_GROUP)
    where: dict[str, list[str]] = {}
    for resource in index.of_type(*PIPELINE_TYPES):
        with pending.item():
            location = _location(resource, groups)
            if location is not None and location != "global":
                where.setdefault(location, []).append(resource.name)
    if len(where) > 1:
        parts = [f"{shown(loc, REGIONS)}: {', '.join(names)}" for loc, names in sorted(where.items())]
        report_violation(
            "The pipeline spans regions — "
            + "; ".join(parts)
            + ". Cross-region change data costs egress, adds latency and may break residency."
        )
    pending.finish()


governance_require_colocated_pipeline = GuardrailStackPolicy(
    name="governance-require-colocated-pipeline",
    description="The Data Factory, storage accounts, Event Hubs namespace and ML workspace of a stack must be in "
    "one region.",
    validate=_validate,
    rule="F-05",
    layer="platform",
    concern="governance",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Deploy the factory (and its integration runtime), the landing storage account, the Event Hubs namespace "
        "and the Azure ML workspace to the same region, normally by giving them the resource group's location."
    ),
    url="https://learn.microsoft.com/azure/cloud-adoption-framework/scenarios/cloud-scale-analytics/architectures/data-landing-zone",
    framework=mcsb("AM-2"),
    resource_types=PIPELINE_TYPES,
)
