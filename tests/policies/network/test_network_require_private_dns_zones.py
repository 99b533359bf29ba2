"""network-require-private-dns-zones (B-11): private endpoints resolve through linked private DNS zones."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies.network.network_require_private_dns_zones import network_require_private_dns_zones
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = network_require_private_dns_zones
BASE: dict[str, Any] = PIPELINE
BLOB_ZONE = "zone-privatelink.blob.core.windows.net"
NOTEBOOKS_ZONE = "zone-privatelink.notebooks.azure.net"

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_zone_ids_without_dependencies": {"dns-landing-blob": {"deps": {"privateEndpointName": ["pe-landing-blob"]}}},
    "pass_zone_name_unknown_but_spelled_in_pulumi_name": {BLOB_ZONE: {"props": {"name": unknown()}}},
    "fail_no_zone_group": Case({"dns-sql-sqlServer": DELETE}, match="no private DNS zone group"),
    "fail_missing_notebooks_zone": Case(
        {
            "dns-workspace-amlworkspace": {
                "props": {"privateDnsZoneConfigs": [{"privateDnsZoneId": "x"}]},
                "deps": {"privateDnsZoneConfigs": ["zone-privatelink.api.azureml.ms"]},
            }
        },
        match="lacks privatelink.notebooks.azure.net",
    ),
    "fail_zone_not_linked": Case(
        {"link-privatelink.blob.core.windows.net": DELETE}, match="linked to no virtual network"
    ),
    "fail_auto_registration": Case(
        {"link-privatelink.dfs.core.windows.net": {"props": {"registrationEnabled": True}}}, match="registrationEnabled"
    ),
    # A Pulumi name that doesn't spell the zone leaves its DNS name unknown in preview.
    "unknown_zone_name": Case(
        {
            "zone-privatelink.api.azureml.ms": DELETE,
            "api-zone": {"type": "azure-native:privatedns:PrivateZone", "props": {"name": unknown()}},
            "dns-workspace-amlworkspace": {"deps": {"privateDnsZoneConfigs": ["api-zone", NOTEBOOKS_ZONE]}},
        }
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_network_require_private_dns_zones(policy_harness: Any, case: str) -> None:
    policy_harness.assert_stack_case(POLICY, BASE, case, CASES[case])
