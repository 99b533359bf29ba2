"""Identity: data-plane role assignments for the pipeline's managed identities, at
least privilege.

The grants are data (:class:`RoleGrant`: who, which built-in role, on which narrow
scope) and :data:`LEAST_PRIVILEGE` is the whole list of what may be granted: the
factory writes the landing containers (*Storage Blob Data Contributor* on each
container, never the account), the ML workspace reads them (*Storage Blob Data Reader*)
and receives the change stream (*Azure Event Hubs Data Receiver* on the hub), the Event
Grid topic sends to the hub (*Azure Event Hubs Data Sender*), and the Event Hubs
namespace writes its Capture container. Anything else is rejected before a resource is
declared. Every assignment is to a service principal (the managed identity), scoped to
one container or one hub.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import pulumi
from pulumi_azure_native import authorization

from cdcml.stacks._args import ArgsError, check_enum, check_pattern, check_tuple, names
from cdcml.stacks.wiring import ROLE_DEFINITION_IDS, DataRole, GrantScope, Principal

__all__ = ["LEAST_PRIVILEGE", "Identity", "IdentityArgs", "RoleGrant", "role_definition_id"]

TARGET = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

LEAST_PRIVILEGE: dict[tuple[Principal, GrantScope], DataRole] = {
    (Principal.DATA_FACTORY, GrantScope.LANDING_CONTAINER): DataRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
    (Principal.ML_WORKSPACE, GrantScope.LANDING_CONTAINER): DataRole.STORAGE_BLOB_DATA_READER,
    (Principal.ML_WORKSPACE, GrantScope.EVENT_HUB): DataRole.EVENT_HUBS_DATA_RECEIVER,
    (Principal.EVENT_GRID_TOPIC, GrantScope.EVENT_HUB): DataRole.EVENT_HUBS_DATA_SENDER,
    (Principal.EVENT_HUBS_NAMESPACE, GrantScope.CAPTURE_CONTAINER): DataRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
}
"""The one role each principal may hold on each kind of scope; pairs not listed get none."""


@dataclass(frozen=True, kw_only=True)
class RoleGrant:
    """``principal`` gets ``role`` on the ``scope`` named ``target`` (a landing container,
    the capture container, or the hub)."""

    principal: Principal
    role: DataRole
    scope: GrantScope
    target: str

    def __post_init__(self) -> None:
        check_enum(self, "principal", Principal)
        check_enum(self, "role", DataRole)
        check_enum(self, "scope", GrantScope)
        check_pattern(self, "target", TARGET, "a container or event hub name")
        allowed = LEAST_PRIVILEGE.get((self.principal, self.scope))
        if allowed is None:
            scopes = [s.value for (p, s) in LEAST_PRIVILEGE if p is self.principal]
            raise ArgsError(type(self).__name__, "scope", f"one of {names(scopes)} for {self.principal}", self.scope)
        if self.role is not allowed:
            raise ArgsError(
                type(self).__name__, "role", f"{allowed} for {self.principal} on a {self.scope}", str(self.role)
            )

    @property
    def key(self) -> str:
        return f"{self.principal}-{self.scope}-{self.target}"


@dataclass(frozen=True, kw_only=True)
class IdentityArgs:
    """The grants of a stack; each (principal, scope, target) at most once."""

    grants: tuple[RoleGrant, ...]

    def __post_init__(self) -> None:
        grants = check_tuple(self, "grants", 1, 200)
        for i, grant in enumerate(grants):
            if not isinstance(grant, RoleGrant):
                raise ArgsError(type(self).__name__, f"grants[{i}]", "a RoleGrant", grant)
            if grant.key in [g.key for g in grants[:i]]:
                raise ArgsError(type(self).__name__, f"grants[{i}]", "a grant not listed before", grant.key)


def role_definition_id(subscription_id: str, role: DataRole) -> str:
    """The ARM id of a built-in role definition in a subscription."""
    guid = ROLE_DEFINITION_IDS[role]
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


class Identity(pulumi.ComponentResource):
    """Least-privilege role assignments (``cdcml:stacks:Identity``).

    Declared before the components whose identities it grants roles to: each component
    calls :meth:`grant` as soon as its principal exists, with the ARM ids of the scopes
    (``(scope, target)`` → id), and makes what acts with that identity at create time (a
    hub's identity-based Capture, an Event Grid delivery with the topic's identity)
    depend on the assignments it gets back. :meth:`close` checks every grant was declared
    and registers the outputs."""

    assignments: dict[str, str]

    def __init__(self, name: str, args: IdentityArgs, *, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("cdcml:stacks:Identity", name, None, opts)
        self._name = name
        self._grants = args.grants
        self._client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.assignments = {}

    def grant(
        self,
        principal: Principal,
        principal_id: pulumi.Input[str],
        scopes: Mapping[tuple[GrantScope, str], pulumi.Input[str]],
    ) -> tuple[authorization.RoleAssignment, ...]:
        """Declare every grant of *principal* (its managed identity's principal id) and
        return the role assignments; each granted scope must be in *scopes*."""
        declared: list[authorization.RoleAssignment] = []
        for i, grant in enumerate(self._grants):
            if grant.principal is not principal:
                continue
            if (grant.scope, grant.target) not in scopes:
                raise ArgsError("Identity", f"grants[{i}].target", f"an existing {grant.scope}", grant.target)
            if grant.key in self.assignments:
                raise ArgsError("Identity", f"grants[{i}].principal", "a principal granted once", grant.principal)
            declared.append(
                authorization.RoleAssignment(
                    f"{self._name}-{grant.key}",
                    principal_id=principal_id,
                    principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                    role_definition_id=self._client.subscription_id.apply(partial(role_definition_id, role=grant.role)),
                    scope=scopes[(grant.scope, grant.target)],
                    description=f"cdcml: {grant.principal} → {grant.role} on {grant.scope} {grant.target}",
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
            self.assignments[grant.key] = str(grant.role)
        return tuple(declared)

    def close(self) -> None:
        """Check that every grant's principal was granted, and register the outputs."""
        for i, grant in enumerate(self._grants):
            if grant.key not in self.assignments:
                raise ArgsError("Identity", f"grants[{i}].principal", "a principal with an identity", grant.principal)
        self.register_outputs({"assignments": {g.key: self.assignments[g.key] for g in self._grants}})
