"""I-06: the CDC landing account tiers down and expires change data with a lifecycle rule
that covers the CDC folder."""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.pipeline import landing_paths
from cdcml.policies.stack import Memo, Pending, StackIndex, any_known, cached, output
from cdcml.policies.vocabulary import MISSING, as_bool, get, listed, one_of, str_list

__all__ = ["cost_require_landing_lifecycle"]

ACTIONS = ("tierToCool", "tierToCold", "tierToArchive", "delete")


def covers(rule: Any, blob_path: str) -> bool:
    """Whether an enabled lifecycle rule with a base-blob action applies to *blob_path*."""
    if as_bool(get(rule, "enabled")) is False or not one_of(get(rule, "type"), ("Lifecycle",)):
        return False
    base = get(rule, "definition.actions.baseBlob")
    if not any(get(base, a) is not MISSING for a in ACTIONS):
        return False
    prefixes = [p.lstrip("/") for p in str_list(get(rule, "definition.filters.prefixMatch"))]
    # prefixMatch is a plain string prefix of "<container>/<blob path>".
    return not prefixes or any(blob_path.startswith(p) for p in prefixes)


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    linked = index.of_type(T.LINKED_SERVICE)
    accounts = index.of_type(T.STORAGE_ACCOUNT)
    policies = index.of_type(T.MANAGEMENT_POLICY)
    rules_of = Memo(lambda p: listed(output(p, "policy.rules")))
    verdicts: dict[Hashable, tuple[Any, UnknownValueError | None]] = {}

    def managed(account: Any, blob_path: str) -> bool:
        """Whether an enabled lifecycle rule of the account covers *blob_path* (once per pair)."""

        def decide() -> bool:
            rules = [rule for p in policies.under(account, "accountName", accounts) for rule in rules_of(p)]
            return any_known(rules, partial(covers, blob_path=blob_path))

        return cached(verdicts, (id(account), blob_path), decide)

    for cdc in index.of_type(T.CHANGE_DATA_CAPTURE):
        with pending.item():
            for path in landing_paths(cdc, linked, accounts):
                blob_path = f"{path.filesystem}/{path.folder}".strip("/")
                for account in path.account_resources(accounts):
                    with pending.item():
                        if not managed(account, blob_path):
                            report_violation(
                                f"Storage account {account.name} has no enabled lifecycle rule covering the folder "
                                f"CDC {cdc.name} writes ({path.filesystem}/…), so change files accumulate in the hot "
                                "tier forever.",
                                account.urn,
                            )
    pending.finish()


cost_require_landing_lifecycle = GuardrailStackPolicy(
    name="cost-require-landing-lifecycle",
    description="A CDC landing storage account must have a lifecycle rule that tiers down and expires the CDC folder.",
    validate=_validate,
    rule="I-06",
    layer="landing",
    concern="cost",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Add a storage ManagementPolicy on the landing account with an enabled Lifecycle rule whose "
        "filters.prefixMatch covers <filesystem>/<cdc folder> and whose actions.baseBlob tier to cool or cold and "
        "delete after the retention period."
    ),
    url="https://learn.microsoft.com/azure/storage/blobs/lifecycle-management-overview",
    framework=mcsb("AM-2"),
    resource_types=(T.CHANGE_DATA_CAPTURE, T.LINKED_SERVICE, T.STORAGE_ACCOUNT, T.MANAGEMENT_POLICY),
)
