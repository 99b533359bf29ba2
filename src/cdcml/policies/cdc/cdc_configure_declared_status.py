"""A-07: a CDC declares its status as Running or Stopped, and a production CDC is declared
Running unless its factory says it is started outside the stack."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.stack import Pending, StackIndex, output, settled, sole
from cdcml.policies.vocabulary import ENVIRONMENT_SCHEMA, environment, equals_ci, one_of, shown, tag

__all__ = ["STATUSES", "cdc_configure_declared_status"]

STATUSES = ("Running", "Stopped")
EXTERNAL_START_TAG = "cdc-start"


def _validate(args: Any, report_violation: Any) -> None:
    env = environment(args.get_config())
    pending = Pending()
    index = StackIndex(args.resources)
    factories = index.of_type(T.FACTORY)
    for cdc in index.of_type(T.CHANGE_DATA_CAPTURE):
        with pending.item():
            status = output(cdc, "status")
            if not one_of(status, STATUSES):
                report_violation(
                    f'status is {shown(status, STATUSES)}; declare "Running" or "Stopped" so the stack says '
                    "whether the CDC should be capturing.",
                    cdc.urn,
                )
                continue
            if env != "prod" or one_of(status, ("Running",)):
                continue
            factory = sole(cdc, "factoryName", factories)
            if factory is not None and equals_ci(tag(settled(factory), EXTERNAL_START_TAG), "external"):
                continue
            report_violation(
                'A production CDC is declared "Stopped", so it captures nothing after deployment; declare it '
                f'"Running", or tag its factory {EXTERNAL_START_TAG}=external when a release step starts it.',
                cdc.urn,
            )
    pending.finish()


cdc_configure_declared_status = GuardrailStackPolicy(
    name="cdc-configure-declared-status",
    description="A Data Factory change data capture must declare whether it runs, and run in production unless "
    "it is started outside the stack.",
    validate=_validate,
    rule="A-07",
    layer="cdc",
    concern="dataflow",
    severity=Severity.LOW,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Set status on the ChangeDataCapture to "Running" (or "Stopped" outside production). Starting and stopping '
        "are runtime actions, so if a release pipeline starts the CDC, tag the factory cdc-start=external."
    ),
    url="https://learn.microsoft.com/rest/api/datafactory/change-data-capture/start",
    framework=mcsb("AM-2"),
    resource_types=(T.CHANGE_DATA_CAPTURE, T.FACTORY),
    config={"environment": ENVIRONMENT_SCHEMA},
)
