"""B-11: every private endpoint resolves through private DNS: a zone group holds each zone
its group id needs, each zone is linked to a virtual network, and no link auto-registers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.stack import Pending, StackIndex, depends_on, output, resolve_id
from cdcml.policies.vocabulary import arm_name, as_bool, get, listed, str_list

__all__ = ["group_ids", "network_require_private_dns_zones", "zone_name"]


def group_ids(endpoint: Any) -> set[str]:
    """The (case-folded) private-link group ids of a private endpoint's connections."""
    out: set[str] = set()
    for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
        for conn in listed(output(endpoint, key)):
            out.update(g.strip().casefold() for g in str_list(get(conn, "groupIds")))
    return out


def _zone_names(zone_group: Any, zones: Sequence[Any]) -> tuple[set[str], list[Any]]:
    """The zone names a zone group configures, and the PrivateZone resources among them:
    the zones its configs depend on, else the zones their ARM ids name."""
    deps = depends_on(zone_group, "privateDnsZoneConfigs", T.PRIVATE_ZONE)
    if deps:
        return {zone_name(z) for z in deps}, deps
    names: set[str] = set()
    found: list[Any] = []
    for config in listed(output(zone_group, "privateDnsZoneConfigs")):
        value = get(config, "privateDnsZoneId")
        parsed = arm_name(value)
        if parsed is not None:
            names.add(parsed[1].casefold())
        found.extend(resolve_id(value, zones))
    return names, found


_KNOWN_ZONES = sorted({z for zs in T.PRIVATE_DNS_ZONES.values() for z in zs}, key=len, reverse=True)


def _slug(zone: str) -> str:
    return zone.removeprefix("privatelink.").replace(".", "-")


def zone_name(zone: Any) -> str:
    """The DNS name of a PrivateZone.

    Its ``name`` output is unknown in preview; then a Pulumi name that spells exactly one
    private-link zone (``privatelink.blob.core.windows.net`` or its slug
    ``blob-core-windows-net``, possibly inside a longer name) stands in for it, and any
    other name leaves it unknown."""
    try:
        name = get(zone.props, "name")
    except UnknownValueError:
        logical = zone.name.casefold()
        spelled = [z for z in _KNOWN_ZONES if z in logical or _slug(z) in logical]
        if len(spelled) == 1:
            return spelled[0]
        raise
    return (name if isinstance(name, str) else zone.name).casefold()


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    endpoints = index.of_type(T.PRIVATE_ENDPOINT)
    zone_groups = index.of_type(T.PRIVATE_DNS_ZONE_GROUP)
    zones = index.of_type(T.PRIVATE_ZONE)
    links = index.of_type(T.VNET_LINK)
    checked: set[str] = set()
    for pe in endpoints:
        with pending.item():
            needed = {z for g in group_ids(pe) for z in T.PRIVATE_DNS_ZONES.get(g, ())}
            if not needed:
                continue
            groups = zone_groups.under(pe, "privateEndpointName", endpoints)
            if not groups:
                report_violation(
                    "The private endpoint has no private DNS zone group, so clients resolve the service's public "
                    f"address instead of the endpoint; it needs {', '.join(sorted(needed))}.",
                    pe.urn,
                )
                continue
            configured: set[str] = set()
            linked_zones: list[Any] = []
            for zg in groups:
                names, found = _zone_names(zg, zones)
                configured |= names
                linked_zones.extend(found)
            missing = sorted(needed - configured)
            if missing:
                report_violation(
                    f"The private endpoint's DNS zone group lacks {', '.join(missing)}, so those names resolve to "
                    "public addresses.",
                    pe.urn,
                )
            for zone in linked_zones:
                if zone.urn in checked:
                    continue
                checked.add(zone.urn)
                zone_links = links.under(zone, "privateZoneName", zones)
                if not zone_links:
                    report_violation(
                        "The private DNS zone is linked to no virtual network, so no client resolves its records.",
                        zone.urn,
                    )
                for link in zone_links:
                    if as_bool(output(link, "registrationEnabled")) is True:
                        report_violation(
                            "The virtual network link has registrationEnabled true; a private-link zone must not "
                            "auto-register virtual machine records.",
                            link.urn,
                        )
    pending.finish()


network_require_private_dns_zones = GuardrailStackPolicy(
    name="network-require-private-dns-zones",
    description="Every private endpoint must resolve through the private DNS zones its group id needs, linked to "
    "a virtual network.",
    validate=_validate,
    rule="B-11",
    layer="platform",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Give each PrivateEndpoint a PrivateDnsZoneGroup with one privateDnsZoneConfigs entry per zone of its group "
        "id (blob → privatelink.blob.core.windows.net, dfs → privatelink.dfs.core.windows.net, amlworkspace → "
        "privatelink.api.azureml.ms and privatelink.notebooks.azure.net, …), and link every zone to the consumer "
        "virtual network with registrationEnabled false."
    ),
    url="https://learn.microsoft.com/azure/private-link/private-endpoint-dns",
    framework=mcsb("NS-2"),
    resource_types=(T.PRIVATE_ENDPOINT, T.PRIVATE_DNS_ZONE_GROUP, T.PRIVATE_ZONE, T.VNET_LINK),
)
