"""network-require-private-dns-zones (B-11): private endpoints resolve through linked private DNS zones."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_require_private_dns_zones import network_require_private_dns_zones
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import PIPELINE

POLICY = network_require_private_dns_zones
BASE: dict[str, Any] = PIPELINE
BLOB_ZONE = "zone-privatelink.blob.core.windows.net"
NOTEBOOKS_ZONE = "zone-privatelink.notebooks.azure.net"
FILE_ZONE = "privatelink.file.core.windows.net"


def _file_endpoint(registration: bool, zone_group: bool = True) -> dict[str, Any]:
    """The ML storage's file endpoint (the workspace's file share), its zone and the zone's link."""
    pe = copy.deepcopy(BASE["pe-ml-storage-blob"])
    pe["props"]["privateLinkServiceConnections"][0]["groupIds"] = ["file"]
    added: dict[str, Any] = {
        "pe-ml-storage-file": pe,
        f"zone-{FILE_ZONE}": {"type": T.PRIVATE_ZONE, "props": {"name": FILE_ZONE, "location": "global"}},
        f"link-{FILE_ZONE}": {
            "type": T.VNET_LINK,
            "props": {"name": "file-link", "registrationEnabled": registration, "virtualNetwork": {"id": "vnet-id"}},
            "deps": {"privateZoneName": [f"zone-{FILE_ZONE}"], "virtualNetwork": ["vnet"]},
        },
    }
    if zone_group:
        added["dns-ml-storage-file"] = {
            "type": T.PRIVATE_DNS_ZONE_GROUP,
            "props": {"name": "default", "privateDnsZoneConfigs": [{"name": "file", "privateDnsZoneId": "x"}]},
            "deps": {"privateEndpointName": ["pe-ml-storage-file"], "privateDnsZoneConfigs": [f"zone-{FILE_ZONE}"]},
        }
    return added


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
    # The file (and queue, table, web) group ids resolve through their own zones, checked like the others.
    "pass_file_endpoint": _file_endpoint(registration=False),
    "fail_file_zone_auto_registration": Case(_file_endpoint(registration=True), match="registrationEnabled true"),
    "fail_file_endpoint_without_zone_group": Case(
        _file_endpoint(registration=False, zone_group=False), match="needs privatelink.file.core.windows.net"
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
