"""X-03: every PaaS resource with public access disabled has a private endpoint with the
group ids it needs (an ADLS Gen2 account: blob and dfs), and every resource with a private
endpoint has its public access disabled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.network.network_require_private_dns_zones import group_ids
from cdcml.policies.pipeline import public_access_disabled
from cdcml.policies.stack import Pending, StackIndex, output, refers_to
from cdcml.policies.vocabulary import as_bool, as_str, get, listed, str_list

__all__ = ["crossresource_require_private_endpoint", "required_groups"]

CONNECTIONS = ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections")
_CANONICAL = {g.casefold(): g for groups in T.PRIVATE_LINK_GROUPS.values() for g in groups} | {"dfs": "dfs"}


def required_groups(resource: Any) -> set[str]:
    """The (case-folded) group ids private access to *resource* needs."""
    groups = {g.casefold() for g in T.PRIVATE_LINK_GROUPS.get(resource.resource_type, ())}
    if resource.resource_type == T.STORAGE_ACCOUNT and as_bool(output(resource, "isHnsEnabled")) is True:
        groups.add("dfs")
    return groups


def _coverage(endpoints: Sequence[Any], targets: Sequence[Any]) -> tuple[dict[str, set[str]], list[UnknownValueError]]:
    """Group ids per target urn, from every endpoint whose target could be resolved."""
    coverage: dict[str, set[str]] = {}
    unresolved: list[UnknownValueError] = []
    for pe in endpoints:
        for key in CONNECTIONS:
            try:
                for i, conn in enumerate(listed(output(pe, key))):
                    groups = {g.strip().casefold() for g in str_list(get(conn, "groupIds"))}
                    for target in refers_to(pe, key, f"{key}.{i}.privateLinkServiceId", targets):
                        coverage.setdefault(target.urn, set()).update(groups or group_ids(pe))
            except UnknownValueError as e:
                unresolved.append(e)
    return coverage, unresolved


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    targets = index.of_type(*T.PUBLIC_ACCESS_PATHS)
    coverage, unresolved = _coverage(index.of_type(T.PRIVATE_ENDPOINT), targets)
    for target in targets:
        with pending.item():
            covered = coverage.get(target.urn, set())
            if not public_access_disabled(target):
                if covered:
                    report_violation(
                        "The resource has a private endpoint but its public network access is still enabled, so the "
                        "endpoint protects nothing.",
                        target.urn,
                    )
                continue
            if target.resource_type == T.PG_SERVER and as_str(output(target, "network.delegatedSubnetResourceId")):
                continue  # VNet-injected: reached inside its virtual network, no private endpoint needed
            missing = sorted(required_groups(target) - covered)
            if not missing:
                continue
            if unresolved:
                raise unresolved[0]  # an endpoint we couldn't resolve may cover it: this target is undecided
            report_violation(
                f"Public network access is disabled but no private endpoint connects with group id(s) "
                f"{', '.join(_CANONICAL.get(g, g) for g in missing)}, so nothing can reach the resource"
                + (
                    " (an ADLS Gen2 account needs both blob and dfs)." if "dfs" in missing or "blob" in missing else "."
                ),
                target.urn,
            )
    pending.finish()


crossresource_require_private_endpoint = GuardrailStackPolicy(
    name="crossresource-require-private-endpoint",
    description="Every PaaS resource with public network access disabled must have a private endpoint with the "
    "group ids it needs, and no resource with a private endpoint may keep public access on.",
    validate=_validate,
    rule="X-03",
    layer="platform",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Add a network PrivateEndpoint whose privateLinkServiceConnections point at the resource's id with the right "
        "groupIds (dataFactory, namespace, amlworkspace, blob and dfs, vault, sqlServer, postgresqlServer), and "
        "disable public network access on every resource that has one."
    ),
    url="https://learn.microsoft.com/azure/storage/common/storage-private-endpoints",
    framework=mcsb("NS-2"),
    resource_types=(*T.PUBLIC_ACCESS_PATHS, T.PRIVATE_ENDPOINT),
)
