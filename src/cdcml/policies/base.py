"""Policy classes that carry cdcml's metadata on the policy object itself.

They are ordinary CrossGuard ``ResourceValidationPolicy``/``StackValidationPolicy``
objects (any engine runs them), with a few extra attributes that packs, ``cdcml policy
ls`` and the docs select on: the catalogue rule id, the pipeline layer and concern, and
the resource types a resource policy looks at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from cdcml.policies.vocabulary import MISSING, as_bool, as_number, get, names, present, set_path, shown

__all__ = [
    "CONCERNS",
    "LAYERS",
    "PRESENT",
    "Expect",
    "GuardrailResourcePolicy",
    "GuardrailStackPolicy",
    "PropertyPolicy",
    "mcsb",
]

LAYERS = ("source", "cdc", "landing", "eventing", "ml", "platform")
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


class _Present:
    def __repr__(self) -> str:
        return "PRESENT"


PRESENT: Any = _Present()
"""An :class:`Expect` allowed value: any non-empty value complies."""


@dataclass(frozen=True)
class Expect:
    """One "property must be X" check of a :class:`PropertyPolicy`.

    *path* is read with :func:`~cdcml.policies.vocabulary.get`; the value complies when it
    equals one of *allowed* (strings case-insensitively, booleans also from ``"true"``/
    ``"false"``, numbers as numbers). *missing* says what an absent or null value means:
    ``"violation"`` (the service default is unsafe) or ``"compliant"`` (it is safe).
    *types* narrows the check to some of the policy's resource types, *when* to resources
    whose discriminator paths hold one of the given values. *vocabulary* lists further documented
    values a message may echo (an SDK enum); nothing else is ever echoed, since policies
    see secrets as plaintext. *why* ends the message. *fix*, when given, is the value the
    policy's remediation writes at *path* (only for fixes that are safe and deterministic).
    """

    path: str
    allowed: tuple[Any, ...]
    missing: Literal["violation", "compliant"] = "violation"
    why: str = ""
    types: tuple[str, ...] = ()
    when: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    vocabulary: tuple[str, ...] = ()
    fix: Any = MISSING

    def applies(self, resource_type: str, props: Any) -> bool:
        if self.types and resource_type not in self.types:
            return False
        return all(any(_matches(get(props, path), v) for v in values) for path, values in self.when)

    def violation(self, props: Any) -> str | None:
        """The violation message for *props*, or ``None`` when they comply."""
        allowed = self.allowed
        presence = any(a is PRESENT for a in allowed)
        if presence and present(props, self.path):
            return None  # set (an unknown value is set too: a presence check needs no more)
        value = get(props, self.path)
        tail = f" {self.why}" if self.why else ""
        if presence:
            expected = "it must be set"
        else:
            expected = f"it must be {_alternatives(allowed)}" if allowed else "no value is allowed"
        if value is MISSING:
            if self.missing == "compliant":
                return None
            return f"{self.path} is not set, and the service default is unsafe; {expected}.{tail}"
        if any(_matches(value, a) for a in allowed):
            return None
        return f"{self.path} is {shown(value, (*allowed, *self.vocabulary))}; {expected}.{tail}"


def _matches(value: Any, expected: Any) -> bool:
    if expected is PRESENT:
        return value is not MISSING and value is not None and value != "" and value != [] and value != {}
    if isinstance(expected, bool):
        return as_bool(value) is expected
    if isinstance(expected, (int, float)):
        n = as_number(value)
        return n is not None and n == expected
    if isinstance(expected, str):
        return isinstance(value, str) and value.strip().casefold() == expected.casefold()
    return bool(value == expected)


def _alternatives(values: Sequence[Any]) -> str:
    return names(values) if len(values) == 1 else f"one of {names(values)}"


class PropertyPolicy(GuardrailResourcePolicy):
    """A data-driven "property must be X" policy (checkov's ``BaseResourceValueCheck``):
    the rule is the list of :class:`Expect` checks, not code. Each failing check reports
    one violation."""

    expects: tuple[Expect, ...]

    def __init__(self, *, expects: Sequence[Expect], resource_types: Sequence[str], **kwargs: Any) -> None:
        checks = tuple(expects)
        wanted = frozenset(resource_types)

        def validate(args: Any, report_violation: Any) -> None:
            if args.resource_type not in wanted:
                return
            for check in checks:
                if check.applies(args.resource_type, args.props):
                    message = check.violation(args.props)
                    if message:
                        report_violation(message)

        fixes = tuple(c for c in checks if c.fix is not MISSING)

        def remediate(args: Any) -> Any:
            if args.resource_type not in wanted:
                return None
            props = args.props
            changed = False
            for check in fixes:
                if check.applies(args.resource_type, props) and check.violation(props):
                    set_path(props, check.path, check.fix)
                    changed = True
            return props if changed else None

        super().__init__(
            validate=validate, remediate=remediate if fixes else None, resource_types=resource_types, **kwargs
        )
        self.expects = checks
