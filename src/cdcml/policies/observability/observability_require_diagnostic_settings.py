"""H-01: every PaaS resource of the pipeline sends its resource logs somewhere: a
diagnostic setting with at least one enabled log category and a destination."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.stack import Designations, Memo, Pending, Resources, StackIndex, depends_on, named, output, settled
from cdcml.policies.vocabulary import arm_top, as_bool, get, listed, present

__all__ = ["LOGGED_TYPES", "observability_require_diagnostic_settings"]

LOGGED_TYPES = (
    T.FACTORY,
    T.EH_NAMESPACE,
    T.ML_WORKSPACE,
    T.KEY_VAULT,
    T.STORAGE_ACCOUNT,
    T.SQL_DATABASE,
    T.PG_SERVER,
)


def targets_of(setting: Any, resources: Sequence[Any]) -> list[Any]:
    """The resources a diagnostic setting's ``resourceUri`` designates (a storage account
    also through its ``blobServices/default``)."""
    deps = [d for d in depends_on(setting, "resourceUri", *LOGGED_TYPES) if d in resources]
    if deps:
        return deps
    top = arm_top(output(setting, "resourceUri"))
    if top is None:
        return []
    arm_type, name = top
    if isinstance(resources, Resources):
        return named(name, resources.of_arm_type(arm_type))
    return named(name, [r for r in resources if T.ARM_TYPES.get(r.resource_type) == arm_type])


def effective(setting: Any) -> bool:
    """Whether the setting enables at least one log and has a destination."""
    logs = listed(output(setting, "logs"))
    enabled = any(as_bool(get(log, "enabled")) is True for log in logs)
    props = settled(setting)
    keys = ("workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId")
    return enabled and any(present(props, key) for key in keys)


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    resources = index.of_type(*LOGGED_TYPES)
    settings = Designations(index.of_type(T.DIAGNOSTIC_SETTING), partial(targets_of, resources=resources))
    logs = Memo(effective)
    for resource in resources:
        with pending.item():
            # Is some setting designating the resource effective? (A setting whose target is
            # unknown may designate it.)
            if not settings.any_known(resource, logs):
                report_violation(
                    "The resource has no diagnostic setting with an enabled log category and a destination, so "
                    "failed CDC runs, denied requests and data access leave no trace.",
                    resource.urn,
                )
    pending.finish()


observability_require_diagnostic_settings = GuardrailStackPolicy(
    name="observability-require-diagnostic-settings",
    description="Every Data Factory, Event Hubs namespace, ML workspace, Key Vault, storage account and source "
    "database must send resource logs through a diagnostic setting.",
    validate=_validate,
    rule="H-01",
    layer="platform",
    concern="observability",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Add a monitor DiagnosticSetting per resource (for storage, on its blobServices/default too) with resourceUri "
        "set to the resource id, logs [{categoryGroup: allLogs, enabled: true}] and workspaceId pointing at the "
        "central Log Analytics workspace."
    ),
    url="https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings",
    framework=mcsb("LT-3"),
    resource_types=(*LOGGED_TYPES, T.DIAGNOSTIC_SETTING),
)
