"""X-06: a network-isolated ML workspace reaches the landing accounts its datastores read
through managed-network private-endpoint outbound rules for both blob and dfs."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.pipeline import public_access_disabled
from cdcml.policies.stack import Memo, Pending, StackIndex, cached, depends_on, named, output, resolve_id
from cdcml.policies.vocabulary import MISSING, as_str, entries, get, one_of

__all__ = ["crossresource_require_ml_private_outbound"]

STORAGE_DATASTORES = ("AzureBlob", "AzureDataLakeGen2")
NEEDED = ("blob", "dfs")


def _datastore_accounts(datastore: Any, accounts: Sequence[Any]) -> list[Any]:
    if not one_of(output(datastore, "properties.datastoreType"), STORAGE_DATASTORES):
        return []
    deps = depends_on(datastore, "properties", T.STORAGE_ACCOUNT)
    return deps or named(output(datastore, "properties.accountName"), accounts)


def _endpoint_rules(workspace: Any) -> tuple[list[tuple[Any, Any]], UnknownValueError | None]:
    """The workspace's private-endpoint outbound rules and their targets, in order, up to the
    first whose type or target can't be known yet, and that one's error."""
    out: list[tuple[Any, Any]] = []
    try:
        for _name, rule in entries(output(workspace, "managedNetwork.outboundRules")):
            if not one_of(get(rule, "type"), ("PrivateEndpoint",)):
                continue
            out.append((rule, get(rule, "destination.serviceResourceId")))
    except UnknownValueError as e:
        return out, e
    return out, None


class _Outbound:
    """The subresources of accounts the workspaces' private-endpoint outbound rules reach,
    with each workspace's rules read once and each rule target resolved once per account."""

    def __init__(self) -> None:
        self.rules = Memo(_endpoint_rules)
        self._hits: dict[Hashable, tuple[Any, UnknownValueError | None]] = {}

    def _names(self, target: str, account: Any) -> bool:
        return cached(self._hits, (target, id(account)), lambda: bool(resolve_id(target, [account])))

    def __call__(self, workspace: Any, account: Any) -> set[str]:
        """Subresources of *account* the workspace's private-endpoint outbound rules reach."""
        deps = depends_on(workspace, "managedNetwork", T.STORAGE_ACCOUNT)
        out: set[str] = set()
        rules, undecided = self.rules(workspace)
        for rule, target in rules:
            hit = self._names(target, account) if isinstance(target, str) else False
            if hit or (target is MISSING and account in deps):
                sub = as_str(get(rule, "destination.subresourceTarget"))
                if sub:
                    out.add(sub.strip().casefold())
        if undecided is not None:
            raise undecided
        return out


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    workspaces = index.of_type(T.ML_WORKSPACE)
    accounts = index.of_type(T.STORAGE_ACCOUNT)
    datastores = index.of_type(T.ML_DATASTORE)
    outbound_of = _Outbound()
    closed = Memo(public_access_disabled)
    for ws in workspaces:
        with pending.item():
            mode = output(ws, "managedNetwork.isolationMode")
            if mode is MISSING or one_of(mode, ("Disabled",)):
                continue
            mine = datastores.under(ws, "workspaceName", workspaces)
            reached: dict[str, Any] = {}
            for ds in mine:
                for account in _datastore_accounts(ds, accounts):
                    reached[account.urn] = account
            for account in reached.values():
                with pending.item():
                    if not closed(account):
                        continue
                    outbound = outbound_of(ws, account)
                    missing = [s for s in NEEDED if s not in outbound]
                    if missing:
                        report_violation(
                            f"The workspace's managed network has no private-endpoint outbound rule to "
                            f"{account.name} for {' and '.join(missing)}, so jobs can't read the landing data its "
                            "datastore points at.",
                            ws.urn,
                        )
    pending.finish()


crossresource_require_ml_private_outbound = GuardrailStackPolicy(
    name="crossresource-require-ml-private-outbound",
    description="A network-isolated Azure ML workspace must reach every private landing account its datastores "
    "read through private-endpoint outbound rules for blob and dfs.",
    validate=_validate,
    rule="X-06",
    layer="ml",
    concern="network",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Add two PrivateEndpoint outbound rules to managedNetwork.outboundRules of the Workspace with "
        "destination.serviceResourceId set to the landing account's id and subresourceTarget blob and dfs."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-managed-network",
    framework=mcsb("NS-2"),
    resource_types=(T.ML_WORKSPACE, T.ML_DATASTORE, T.STORAGE_ACCOUNT),
)
