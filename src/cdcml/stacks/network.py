"""Network: private endpoints, with their DNS, for every PaaS resource of the pipeline.

A virtual network with one subnet for private endpoints (its NSG applies to them:
private-endpoint network policies are on, and there is no default outbound access),
one private endpoint per :class:`~cdcml.stacks.wiring.PrivateLinkTarget` (so an HNS
account gets two, ``blob`` and ``dfs``), and for every group id the private DNS zones it
resolves through (rule catalogue §4.4), linked to the network without auto-registration,
with a zone group on each endpoint that registers it in all of its zones.

The components declare their targets; the Network is built after them, from the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network, privatedns

from cdcml.stacks._args import ArgsError, check_location, check_network, check_tags
from cdcml.stacks.wiring import PRIVATE_DNS_ZONES, PrivateLinkTarget

__all__ = ["Network", "NetworkArgs", "zone_slug"]


def zone_slug(zone: str) -> str:
    """A zone's short name for resource names: ``privatelink.blob.core.windows.net`` →
    ``blob-core-windows-net``."""
    return zone.removeprefix("privatelink.").replace(".", "-")


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """The virtual network and its private-endpoint subnet (which must lie inside it)."""

    location: str
    address_space: str = "10.40.0.0/16"
    private_endpoint_subnet: str = "10.40.1.0/24"
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        space = check_network(self, "address_space", min_prefix=8, max_prefix=24)
        subnet = check_network(self, "private_endpoint_subnet", min_prefix=16, max_prefix=28)
        if not subnet.subnet_of(space):
            raise ArgsError(
                type(self).__name__, "private_endpoint_subnet", f"a block inside address_space {space}", str(subnet)
            )
        check_location(self)
        check_tags(self)


class Network(pulumi.ComponentResource):
    """A VNet, a private-endpoint subnet, private endpoints and private DNS
    (``cdcml:stacks:Network``)."""

    vnet_id: pulumi.Output[str]
    subnet_id: pulumi.Output[str]
    private_endpoints: dict[str, str]
    zones: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        *,
        resource_group_name: pulumi.Input[str],
        targets: Sequence[PrivateLinkTarget],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        roles = [t.role for t in targets]
        duplicates = sorted({r for r in roles if roles.count(r) > 1})
        if duplicates:
            raise ArgsError("Network", "targets", "private link targets with unique roles", duplicates)
        super().__init__("cdcml:stacks:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        vnet, subnet = self._declare_subnet(name, args, resource_group_name, child)
        zones = self._declare_zones(name, args, resource_group_name, targets, vnet, child)
        self._declare_endpoints(name, args, resource_group_name, targets, subnet, zones, child)

        self.vnet_id = vnet.id
        self.subnet_id = subnet.id
        self.register_outputs(
            {
                "vnetId": vnet.id,
                "subnetId": subnet.id,
                "privateEndpoints": self.private_endpoints,
                "privateDnsZones": sorted(self.zones),
            }
        )

    def _declare_subnet(
        self, name: str, args: NetworkArgs, resource_group_name: pulumi.Input[str], child: pulumi.ResourceOptions
    ) -> tuple[network.VirtualNetwork, network.Subnet]:
        """The VNet and its private-endpoint subnet behind an NSG."""
        tags = dict(args.tags)
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            resource_group_name=resource_group_name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["subnets"]),
        )
        nsg = network.NetworkSecurityGroup(
            f"{name}-endpoints-nsg",
            resource_group_name=resource_group_name,
            location=args.location,
            # No custom rules: the defaults allow traffic within the VNet and deny inbound
            # traffic from the internet.
            tags=tags,
            opts=child,
        )
        subnet = network.Subnet(
            f"{name}-endpoints-subnet",
            resource_group_name=resource_group_name,
            virtual_network_name=vnet.name,
            subnet_name="private-endpoints",
            address_prefix=args.private_endpoint_subnet,
            network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
            private_endpoint_network_policies=network.VirtualNetworkPrivateEndpointNetworkPolicies.ENABLED,
            default_outbound_access=False,
            opts=child,
        )
        return vnet, subnet

    def _declare_zones(
        self,
        name: str,
        args: NetworkArgs,
        resource_group_name: pulumi.Input[str],
        targets: Sequence[PrivateLinkTarget],
        vnet: network.VirtualNetwork,
        child: pulumi.ResourceOptions,
    ) -> dict[str, privatedns.PrivateZone]:
        """One private DNS zone per zone name the targets' groups need, each linked to the
        VNet without registration, in first-needed order."""
        tags = dict(args.tags)
        self.zones = {}
        zone_resources: dict[str, privatedns.PrivateZone] = {}
        for target in targets:
            for zone_name in PRIVATE_DNS_ZONES[target.group]:
                if zone_name in zone_resources:
                    continue
                slug = zone_slug(zone_name)
                zone = privatedns.PrivateZone(
                    f"{name}-{slug}-zone",
                    resource_group_name=resource_group_name,
                    private_zone_name=zone_name,
                    location="global",
                    tags=tags,
                    opts=child,
                )
                privatedns.VirtualNetworkLink(
                    f"{name}-{slug}-link",
                    resource_group_name=resource_group_name,
                    private_zone_name=zone.name,
                    virtual_network_link_name=f"{slug}-link",
                    location="global",
                    virtual_network=privatedns.SubResourceArgs(id=vnet.id),
                    registration_enabled=False,
                    tags=tags,
                    opts=child,
                )
                zone_resources[zone_name] = zone
                self.zones[zone_name] = zone.id
        return zone_resources

    def _declare_endpoints(
        self,
        name: str,
        args: NetworkArgs,
        resource_group_name: pulumi.Input[str],
        targets: Sequence[PrivateLinkTarget],
        subnet: network.Subnet,
        zones: Mapping[str, privatedns.PrivateZone],
        child: pulumi.ResourceOptions,
    ) -> None:
        """A private endpoint per target in the subnet, registered in every zone of its group."""
        self.private_endpoints = {}
        for target in targets:
            endpoint_name = f"{target.role}-pe"
            endpoint = network.PrivateEndpoint(
                f"{name}-{target.role}-endpoint",
                resource_group_name=resource_group_name,
                private_endpoint_name=endpoint_name,
                custom_network_interface_name=f"{endpoint_name}-nic",
                location=args.location,
                subnet=network.SubnetArgs(id=subnet.id),
                private_link_service_connections=[
                    network.PrivateLinkServiceConnectionArgs(
                        name=f"{target.role}-connection",
                        private_link_service_id=target.resource_id,
                        group_ids=[target.group.value],
                    )
                ],
                tags=dict(args.tags),
                opts=child,
            )
            network.PrivateDnsZoneGroup(
                f"{name}-{target.role}-dns",
                resource_group_name=resource_group_name,
                private_endpoint_name=endpoint.name,
                private_dns_zone_group_name="default",
                private_dns_zone_configs=[
                    network.PrivateDnsZoneConfigArgs(name=zone_slug(z), private_dns_zone_id=zones[z].id)
                    for z in PRIVATE_DNS_ZONES[target.group]
                ],
                opts=child,
            )
            self.private_endpoints[target.role] = endpoint_name
