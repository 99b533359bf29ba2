"""B-06: an Azure ML workspace's managed network allows only approved outbound traffic,
and no FQDN rule approves every destination."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_str, entries, get, one_of, resource_types, shown

__all__ = ["network_enforce_approved_outbound"]

MODES = ("Disabled", "AllowInternetOutbound", "AllowOnlyApprovedOutbound")


@resource_types(T.ML_WORKSPACE)
def _validate(args: Any, report_violation: Any) -> None:
    mode = get(args.props, "managedNetwork.isolationMode")
    if not one_of(mode, ("AllowOnlyApprovedOutbound",)):
        report_violation(
            f'managedNetwork.isolationMode is {shown(mode, MODES)}; it must be "AllowOnlyApprovedOutbound" so jobs '
            "that read change data can send it only to approved destinations."
        )
    wildcards = 0
    for _name, rule in entries(get(args.props, "managedNetwork.outboundRules")):
        if not one_of(get(rule, "type"), ("FQDN",)):
            continue
        destination = (as_str(get(rule, "destination")) or "").strip()
        if destination in ("*", "*.*") or (destination.startswith("*.") and destination.count(".") == 1):
            wildcards += 1
    if wildcards:
        report_violation(
            f"{wildcards} FQDN outbound rule(s) approve every destination with a wildcard, which makes the "
            "approved-outbound mode meaningless."
        )


network_enforce_approved_outbound = GuardrailResourcePolicy(
    name="network-enforce-approved-outbound",
    description="An Azure Machine Learning workspace must use a managed network that allows only approved "
    "outbound traffic.",
    validate=_validate,
    rule="B-06",
    layer="ml",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set managedNetwork.isolationMode to "AllowOnlyApprovedOutbound" on the Workspace and list each destination '
        'as a PrivateEndpoint, ServiceTag or specific FQDN outbound rule; never approve "*".'
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-managed-network",
    framework=mcsb("NS-2"),
)
