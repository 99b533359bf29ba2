"""A-06: no linked service a CDC reads or writes through connects via a self-hosted
integration runtime, which the ChangeDataCapture resource does not support."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.pipeline import SOURCE, TARGET, linked_services_of
from cdcml.policies.stack import Pending, StackIndex, output, refers_to
from cdcml.policies.vocabulary import one_of

__all__ = ["cdc_disallow_self_hosted_runtime", "runtimes_of"]


def runtimes_of(linked_service: Any, runtimes: Sequence[Any]) -> list[Any]:
    """The integration runtimes a linked service connects via (``properties.connectVia``)."""
    return refers_to(linked_service, "properties", "properties.connectVia.referenceName", runtimes)


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    index = StackIndex(args.resources)
    linked = index.of_type(T.LINKED_SERVICE)
    runtimes = index.of_type(T.INTEGRATION_RUNTIME)
    for cdc in index.of_type(T.CHANGE_DATA_CAPTURE):
        for key in (SOURCE, TARGET):
            with pending.item():
                for i, _conn, services in linked_services_of(cdc, key, linked):
                    for ls in services:
                        with pending.item():
                            for ir in runtimes_of(ls, runtimes):
                                if one_of(output(ir, "properties.type"), ("SelfHosted",)):
                                    report_violation(
                                        f"{key}[{i}] uses linked service {ls.name}, which connects via the "
                                        f"self-hosted integration runtime {ir.name}; the ChangeDataCapture resource "
                                        "does not support self-hosted integration runtimes.",
                                        cdc.urn,
                                    )
    pending.finish()


cdc_disallow_self_hosted_runtime = GuardrailStackPolicy(
    name="cdc-disallow-self-hosted-runtime",
    description="No linked service of a Data Factory change data capture may connect via a self-hosted "
    "integration runtime.",
    validate=_validate,
    rule="A-06",
    layer="cdc",
    concern="dataflow",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Connect the CDC's linked services via the Azure (AutoResolve) integration runtime or a managed-VNet "
        "integration runtime with managed private endpoints; keep self-hosted runtimes for pipelines only."
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-change-data-capture-resource",
    framework=mcsb("AM-2"),
    resource_types=(T.CHANGE_DATA_CAPTURE, T.LINKED_SERVICE, T.INTEGRATION_RUNTIME),
)
