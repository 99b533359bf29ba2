"""F-05 (residency): every resource is deployed to an allowed region."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.regions import REGIONS, normalize_location
from cdcml.policies.vocabulary import MISSING, get, shown, str_list

__all__ = ["governance_enforce_allowed_locations"]

GLOBAL = ("global",)


def _validate(args: Any, report_violation: Any) -> None:
    if not args.resource_type.startswith("azure-native:"):
        return
    allowed = [n for n in (normalize_location(v) for v in str_list(args.get_config().get("allowedLocations"))) if n]
    if not allowed:
        return
    location = get(args.props, "location")
    if location is MISSING:
        return  # inherits its resource group's location, which is checked on the resource group
    name = normalize_location(location)
    if name is None or (name not in allowed and name not in GLOBAL):
        report_violation(
            f"location is {shown(name or location, REGIONS)}, outside the allowed regions ({', '.join(allowed)}); "
            "change data must stay where residency rules allow."
        )


governance_enforce_allowed_locations = GuardrailResourcePolicy(
    name="governance-enforce-allowed-locations",
    description="Every resource must be deployed to an allowed region.",
    validate=_validate,
    rule="F-05",
    layer="platform",
    concern="governance",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Deploy the resource (or its resource group) to one of allowedLocations; configure the list for your "
        "residency rules (empty allows every region)."
    ),
    url="https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies#general",
    framework=mcsb("AM-2"),
    config={
        "allowedLocations": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "default": [],
            "description": "Regions resources may be deployed to (e.g. westeurope); empty allows every region.",
        }
    },
)
