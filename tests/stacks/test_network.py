"""NetworkArgs: the VNet and the private-endpoint subnet inside it."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.stacks import NetworkArgs
from cdcml.stacks.network import zone_slug
from tests.stacks._cases import assert_bad, assert_good

BASE: dict[str, Any] = {"location": "westeurope"}

GOOD: dict[str, dict[str, Any]] = {
    "defaults": {},
    "other_range": {"address_space": "172.20.0.0/22", "private_endpoint_subnet": "172.20.2.0/24"},
    "subnet_is_whole_space": {"address_space": "10.1.0.0/24", "private_endpoint_subnet": "10.1.0.0/24"},
    "smallest_subnet": {"private_endpoint_subnet": "10.40.1.0/28"},
}
BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "public_range": (
        {"address_space": "20.0.0.0/16", "private_endpoint_subnet": "20.0.1.0/24"},
        "address_space",
        "private",
    ),
    "not_a_cidr": ({"address_space": "10.40.0.0"}, "address_space", "/8 to /24"),
    "host_bits_set": ({"address_space": "10.40.0.1/16"}, "address_space", "CIDR block"),
    "space_too_small": ({"address_space": "10.40.0.0/25"}, "address_space", "/8 to /24"),
    "subnet_too_small": ({"private_endpoint_subnet": "10.40.1.0/29"}, "private_endpoint_subnet", "/16 to /28"),
    "subnet_outside": ({"private_endpoint_subnet": "10.41.1.0/24"}, "private_endpoint_subnet", "inside address_space"),
}


@pytest.mark.parametrize("case", GOOD)
def test_good_network_args_construct(case: str) -> None:
    assert_good(NetworkArgs, BASE, GOOD[case])


@pytest.mark.parametrize("case", BAD)
def test_bad_network_args_name_the_field_and_the_allowed_values(case: str) -> None:
    overrides, field, allowed = BAD[case]
    assert_bad(NetworkArgs, BASE, overrides, field, allowed)


def test_zone_slugs_are_short_resource_names() -> None:
    assert zone_slug("privatelink.blob.core.windows.net") == "blob-core-windows-net"
    assert zone_slug("privatelink.api.azureml.ms") == "api-azureml-ms"
