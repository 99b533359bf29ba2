"""F-03: only a development Data Factory is authored against Git; test and production
factories are deployed from CI/CD and carry no repository configuration."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import ENVIRONMENT_SCHEMA, MISSING, environment, get, resource_types

__all__ = ["governance_configure_factory_git"]


@resource_types(T.FACTORY)
def _validate(args: Any, report_violation: Any) -> None:
    env = environment(args.get_config())
    repo = get(args.props, "repoConfiguration")
    if env == "dev" and repo is MISSING:
        report_violation(
            "A development factory has no repoConfiguration, so pipeline and CDC changes made in ADF Studio are "
            "not versioned or reviewed."
        )
    elif env != "dev" and repo is not MISSING:
        report_violation(
            f"A {env} factory has repoConfiguration; promote changes from the development factory through CI/CD "
            "instead of authoring in this one."
        )


governance_configure_factory_git = GuardrailResourcePolicy(
    name="governance-configure-factory-git",
    description="A development Data Factory must use Git integration and a test or production factory must not.",
    validate=_validate,
    rule="F-03",
    layer="cdc",
    concern="governance",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set repoConfiguration (GitHub or Azure DevOps, with a collaboration branch) on the development factory "
        "only, and remove it from test and production factories, which CI/CD deploys."
    ),
    url="https://learn.microsoft.com/azure/data-factory/source-control",
    framework=mcsb("PV-2"),
    config={"environment": ENVIRONMENT_SCHEMA},
)
