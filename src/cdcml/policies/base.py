"""Policy classes that carry cdcml's metadata on the policy object itself.

They are ordinary CrossGuard ``ResourceValidationPolicy``/``StackValidationPolicy``
objects (any engine runs them), with a few extra attributes that packs, ``cdcml policy
ls`` and the docs select on: the catalogue rule id, the pipeline layer and concern, and
the resource types a resource policy looks at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

__all__ = ["CONCERNS", "LAYERS", "GuardrailResourcePolicy", "GuardrailStackPolicy", "mcsb"]

LAYERS = ("cdc", "landing", "eventing", "ml", "platform")
CONCERNS = (
    "cadence",
    "network",
    "identity",
    "encryption",
    "protection",
    "tagging",
    "governance",
    "lifecycle",
    "observability",
    "cost",
    "dataflow",
)


def mcsb(control: str) -> PolicyComplianceFramework:
    """The Microsoft cloud security benchmark control a policy maps to (e.g. ``NS-2``)."""
    return PolicyComplianceFramework(
        name="MCSB",
        version="v2",
        reference=control,
        specification="https://learn.microsoft.com/security/benchmark/azure/overview",
    )


class _Guardrail:
    rule: str
    layer: str
    concern: str
    resource_types: tuple[str, ...]

    def _init_meta(self, rule: str, layer: str, concern: str, resource_types: Sequence[str]) -> None:
        if layer not in LAYERS:
            raise ValueError(f"layer must be one of {LAYERS}")
        if concern not in CONCERNS:
            raise ValueError(f"concern must be one of {CONCERNS}")
        self.rule = rule
        self.layer = layer
        self.concern = concern
        self.resource_types = tuple(resource_types)


def _schema(config: Mapping[str, Mapping[str, Any]] | None, required: Sequence[str] | None) -> Any:
    if not config:
        return None
    return PolicyConfigSchema(
        properties={k: dict(v) for k, v in config.items()}, required=list(required) if required else None
    )


class GuardrailResourcePolicy(_Guardrail, ResourceValidationPolicy):
    def __init__(
        self,
        *,
        name: str,
        description: str,
        validate: Callable[..., Any] | None,
        rule: str,
        layer: str,
        concern: str,
        severity: Severity,
        enforcement_level: EnforcementLevel,
        remediation_steps: str,
        url: str,
        framework: PolicyComplianceFramework | None = None,
        resource_types: Sequence[str] = (),
        config: Mapping[str, Mapping[str, Any]] | None = None,
        required: Sequence[str] | None = None,
        remediate: Callable[..., Any] | None = None,
    ) -> None:
        ResourceValidationPolicy.__init__(
            self,
            name=name,
            description=description,
            validate=validate,
            enforcement_level=enforcement_level,
            config_schema=_schema(config, required),
            severity=severity,
            framework=framework,
            tags=[layer, concern],
            remediation_steps=remediation_steps,
            url=url,
            remediate=remediate,
        )
        types = resource_types or getattr(validate, "__resource_types__", ())
        self._init_meta(rule, layer, concern, sorted(types))


class GuardrailStackPolicy(_Guardrail, StackValidationPolicy):
    def __init__(
        self,
        *,
        name: str,
        description: str,
        validate: Callable[..., Any],
        rule: str,
        layer: str,
        concern: str,
        severity: Severity,
        enforcement_level: EnforcementLevel,
        remediation_steps: str,
        url: str,
        framework: PolicyComplianceFramework | None = None,
        resource_types: Sequence[str] = (),
        config: Mapping[str, Mapping[str, Any]] | None = None,
        required: Sequence[str] | None = None,
    ) -> None:
        StackValidationPolicy.__init__(
            self,
            name=name,
            description=description,
            validate=validate,
            enforcement_level=enforcement_level,
            config_schema=_schema(config, required),
            severity=severity,
            framework=framework,
            tags=[layer, concern],
            remediation_steps=remediation_steps,
            url=url,
        )
        self._init_meta(rule, layer, concern, sorted(resource_types))
