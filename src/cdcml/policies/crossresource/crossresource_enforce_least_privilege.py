"""X-05: the pipeline's managed identities hold exactly the data-plane roles the flow
needs: the factory writes the landing account, ML reads it, and neither holds Owner or
Contributor on a resource group or subscription."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.pipeline import landing_paths
from cdcml.policies.stack import Pending, depends_on, named, of_type, output, sole
from cdcml.policies.vocabulary import MISSING, as_str

__all__ = ["ROLES", "crossresource_enforce_least_privilege", "role_of"]

ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
}
"""Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles)."""
BROAD = ("Owner", "Contributor", "User Access Administrator")
WRITE = ("Storage Blob Data Owner", "Storage Blob Data Contributor")
READ = ("Storage Blob Data Reader",)
_SUBSCRIPTION = re.compile(r"^/subscriptions/[^/]+/?$", re.IGNORECASE)
_GROUP = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/?$", re.IGNORECASE)
_ACCOUNT = re.compile(r"/providers/microsoft\.storage/storageaccounts/(?P<name>[^/]+)", re.IGNORECASE)


def role_of(assignment: Any) -> str | None:
    """The built-in role an assignment grants (``None`` for a custom role)."""
    value = as_str(output(assignment, "roleDefinitionId")) or ""
    return ROLES.get(value.rstrip("/").rsplit("/", 1)[-1].casefold())


class _Stack:
    def __init__(self, resources: list[Any]) -> None:
        self.factories = of_type(resources, T.FACTORY)
        self.workspaces = of_type(resources, T.ML_WORKSPACE)
        self.identities = of_type(resources, T.USER_ASSIGNED_IDENTITY)
        self.accounts = of_type(resources, T.STORAGE_ACCOUNT)
        self.containers = of_type(resources, T.BLOB_CONTAINER)
        self.groups = of_type(resources, T.RESOURCE_GROUP)
        self.assignments = of_type(resources, T.ROLE_ASSIGNMENT)

    def principals(self, owner: Any) -> set[str]:
        """URNs standing for *owner*'s identities: itself and the user-assigned ones it uses."""
        return {owner.urn, *(u.urn for u in depends_on(owner, "identity", T.USER_ASSIGNED_IDENTITY))}

    def held_by(self, owner: Any) -> list[Any]:
        mine = self.principals(owner)
        return [
            a
            for a in self.assignments
            if any(
                d.urn in mine for d in depends_on(a, "principalId", T.FACTORY, T.ML_WORKSPACE, T.USER_ASSIGNED_IDENTITY)
            )
        ]

    def broad_scope(self, assignment: Any) -> bool:
        if depends_on(assignment, "scope", T.RESOURCE_GROUP):
            return True
        scope = as_str(output(assignment, "scope")) or ""
        return bool(_SUBSCRIPTION.match(scope) or _GROUP.match(scope))

    def covers(self, assignment: Any, account: Any) -> bool:
        """Whether the assignment's scope includes *account* (the account, one of its
        containers, or a resource group)."""
        if account in depends_on(assignment, "scope", T.STORAGE_ACCOUNT):
            return True
        if any(
            sole(c, "accountName", self.accounts) is account for c in depends_on(assignment, "scope", T.BLOB_CONTAINER)
        ):
            return True
        if self.broad_scope(assignment):
            return True
        m = _ACCOUNT.search(as_str(output(assignment, "scope")) or "")
        return m is not None and account in named(m.group("name"), self.accounts)


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    stack = _Stack(args.resources)
    for owner in (*stack.factories, *stack.workspaces):
        for assignment in stack.held_by(owner):
            with pending.item():
                role = role_of(assignment)
                if role in BROAD and stack.broad_scope(assignment):
                    report_violation(
                        f"The role assignment gives {owner.name}'s identity {role} on a whole resource group or "
                        "subscription; grant data-plane roles on the resources it uses instead.",
                        assignment.urn,
                    )
    linked = of_type(args.resources, T.LINKED_SERVICE)
    for cdc in of_type(args.resources, T.CHANGE_DATA_CAPTURE):
        with pending.item():
            factory = sole(cdc, "factoryName", stack.factories)
            if factory is None or output(factory, "identity.type") is MISSING:
                continue
            for path in landing_paths(cdc, linked, stack.accounts):
                for account in path.account_resources(stack.accounts):
                    grants = [a for a in stack.held_by(factory) if stack.covers(a, account) and role_of(a) in WRITE]
                    if not grants:
                        report_violation(
                            "The factory's identity has no Storage Blob Data Contributor (or Owner) on "
                            f"{account.name}, where CDC {cdc.name} writes; the CDC can't land its changes.",
                            factory.urn,
                        )
                    for workspace in stack.workspaces:
                        held = [a for a in stack.held_by(workspace) if stack.covers(a, account)]
                        roles = {role_of(a) for a in held}
                        if held and not roles & set(READ) and roles & set(WRITE):
                            report_violation(
                                f"The workspace's identity can write {account.name}, the CDC landing account, where "
                                "Storage Blob Data Reader suffices.",
                                workspace.urn,
                            )
    pending.finish()


crossresource_enforce_least_privilege = GuardrailStackPolicy(
    name="crossresource-enforce-least-privilege",
    description="The factory and ML identities must hold the data-plane roles the CDC→ML flow needs and no broad "
    "management roles.",
    validate=_validate,
    rule="X-05",
    layer="platform",
    concern="identity",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Assign the factory's identity Storage Blob Data Contributor on the landing account or container, the ML "
        "identity Storage Blob Data Reader, and remove Owner/Contributor/User Access Administrator assignments of "
        "either at resource-group or subscription scope."
    ),
    url="https://learn.microsoft.com/azure/role-based-access-control/built-in-roles#storage",
    framework=mcsb("PA-7"),
    resource_types=(T.ROLE_ASSIGNMENT, T.FACTORY, T.ML_WORKSPACE, T.STORAGE_ACCOUNT),
)
