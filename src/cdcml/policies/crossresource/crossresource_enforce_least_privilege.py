"""X-05: the pipeline's managed identities hold exactly the data-plane roles the flow
needs: the factory writes the landing account, ML reads it, and neither holds Owner or
Contributor on a resource group or subscription."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.pipeline import landing_paths
from cdcml.policies.stack import Memo, Pending, StackIndex, depends_on, named, output, sole
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
    """The stack's identities, role assignments and landing accounts, with every value a
    check reads about one assignment (its role, its scope, the accounts the scope names)
    read once, and the assignments indexed by the principal they are made to."""

    def __init__(self, resources: list[Any]) -> None:
        index = StackIndex(resources)
        self.factories = index.of_type(T.FACTORY)
        self.workspaces = index.of_type(T.ML_WORKSPACE)
        self.accounts = index.of_type(T.STORAGE_ACCOUNT)
        self.linked = index.of_type(T.LINKED_SERVICE)
        self.cdcs = index.of_type(T.CHANGE_DATA_CAPTURE)
        self.assignments = index.of_type(T.ROLE_ASSIGNMENT)
        self.role = Memo(role_of)
        self.broad_scope = Memo(self._broad_scope)
        self._scoped = Memo(self._scoped_accounts)
        self._named = Memo(self._named_accounts)
        self._held: dict[int, list[Any]] = {}
        self._writers: dict[int, tuple[list[Any], UnknownValueError | None]] = {}
        self._grants: tuple[dict[int, list[int]], list[int]] | None = None
        # principal URN -> positions of the assignments whose principalId depends on it
        self._by_principal: dict[str, list[int]] = {}
        for i, a in enumerate(self.assignments):
            for d in depends_on(a, "principalId", T.FACTORY, T.ML_WORKSPACE, T.USER_ASSIGNED_IDENTITY):
                self._by_principal.setdefault(d.urn, []).append(i)

    def principals(self, owner: Any) -> set[str]:
        """URNs standing for *owner*'s identities: itself and the user-assigned ones it uses."""
        return {owner.urn, *(u.urn for u in depends_on(owner, "identity", T.USER_ASSIGNED_IDENTITY))}

    def held_by(self, owner: Any) -> list[Any]:
        """The assignments made to one of *owner*'s identities, in stack order."""
        held = self._held.get(id(owner))
        if held is None:
            positions = {i for urn in self.principals(owner) for i in self._by_principal.get(urn, ())}
            held = self._held[id(owner)] = [self.assignments[i] for i in sorted(positions)]
        return held

    @staticmethod
    def _broad_scope(assignment: Any) -> bool:
        if depends_on(assignment, "scope", T.RESOURCE_GROUP):
            return True
        scope = as_str(output(assignment, "scope")) or ""
        return bool(_SUBSCRIPTION.match(scope) or _GROUP.match(scope))

    def _scoped_accounts(self, assignment: Any) -> frozenset[int]:
        """The accounts the assignment's scope depends on: the account, or a container's."""
        out = {id(a) for a in depends_on(assignment, "scope", T.STORAGE_ACCOUNT)}
        for c in depends_on(assignment, "scope", T.BLOB_CONTAINER):
            account = sole(c, "accountName", self.accounts)
            if account is not None:
                out.add(id(account))
        return frozenset(out)

    def _named_accounts(self, assignment: Any) -> frozenset[int]:
        """The accounts named by the storage account in the assignment's scope id."""
        m = _ACCOUNT.search(as_str(output(assignment, "scope")) or "")
        return frozenset(id(a) for a in named(m.group("name"), self.accounts)) if m is not None else frozenset()

    def covers(self, assignment: Any, account: Any) -> bool:
        """Whether the assignment's scope includes *account* (the account, one of its
        containers, or a resource group)."""
        return (
            id(account) in self._scoped(assignment)
            or self.broad_scope(assignment)
            or id(account) in self._named(assignment)
        )

    def _workspace_grants(self) -> tuple[dict[int, list[int]], list[int]]:
        """Which workspaces hold an assignment that may cover a given account: by account
        (the accounts an assignment's scope depends on or names), and the workspaces holding
        an assignment that covers every account or can't be decided (broad, or unknown scope)."""
        if self._grants is None:
            by_account: dict[int, set[int]] = {}
            everywhere: set[int] = set()
            for position, workspace in enumerate(self.workspaces):
                for a in self.held_by(workspace):
                    accounts = set(self._scoped(a))
                    try:
                        if self.broad_scope(a):
                            everywhere.add(position)
                            continue
                        accounts |= self._named(a)
                    except UnknownValueError:
                        everywhere.add(position)  # undecided for any account it isn't scoped to
                        continue
                    for account in accounts:
                        by_account.setdefault(account, set()).add(position)
            self._grants = ({k: sorted(v) for k, v in by_account.items()}, sorted(everywhere))
        return self._grants

    def writers(self, account: Any) -> tuple[list[Any], UnknownValueError | None]:
        """The workspaces, in order, whose identity can write *account* but not only read it,
        up to the first whose assignments can't be decided, and that one's error."""
        found = self._writers.get(id(account))
        if found is None:
            out: list[Any] = []
            error: UnknownValueError | None = None
            by_account, everywhere = self._workspace_grants()
            # Any other workspace holds no assignment that covers the account or is undecided.
            for position in sorted({*by_account.get(id(account), ()), *everywhere}):
                workspace = self.workspaces[position]
                try:
                    held = [a for a in self.held_by(workspace) if self.covers(a, account)]
                    roles = {self.role(a) for a in held}
                except UnknownValueError as e:
                    error = e
                    break
                if held and not roles & set(READ) and roles & set(WRITE):
                    out.append(workspace)
            found = self._writers[id(account)] = (out, error)
        return found


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    stack = _Stack(args.resources)
    for owner in (*stack.factories, *stack.workspaces):
        for assignment in stack.held_by(owner):
            with pending.item():
                role = stack.role(assignment)
                if role in BROAD and stack.broad_scope(assignment):
                    report_violation(
                        f"The role assignment gives {owner.name}'s identity {role} on a whole resource group or "
                        "subscription; grant data-plane roles on the resources it uses instead.",
                        assignment.urn,
                    )
    for cdc in stack.cdcs:
        with pending.item():
            factory = sole(cdc, "factoryName", stack.factories)
            if factory is None or output(factory, "identity.type") is MISSING:
                continue
            for path in landing_paths(cdc, stack.linked, stack.accounts):
                for account in path.account_resources(stack.accounts):
                    grants = [a for a in stack.held_by(factory) if stack.covers(a, account) and stack.role(a) in WRITE]
                    if not grants:
                        report_violation(
                            "The factory's identity has no Storage Blob Data Contributor (or Owner) on "
                            f"{account.name}, where CDC {cdc.name} writes; the CDC can't land its changes.",
                            factory.urn,
                        )
                    writers, undecided = stack.writers(account)
                    for workspace in writers:
                        report_violation(
                            f"The workspace's identity can write {account.name}, the CDC landing account, where "
                            "Storage Blob Data Reader suffices.",
                            workspace.urn,
                        )
                    if undecided is not None:
                        raise undecided
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
