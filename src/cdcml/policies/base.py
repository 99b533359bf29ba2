"""Policy classes that carry cdcml's metadata on the policy object itself.

They are ordinary CrossGuard ``ResourceValidationPolicy``/``StackValidationPolicy``
objects (any engine runs them), with a few extra attributes that packs, ``cdcml policy
ls`` and the docs select on: the catalogue rule id, the pipeline layer and concern, and
the resource types a resource policy looks at.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from cdcml.policies.vocabulary import (
    MISSING,
    as_bool,
    as_number,
    as_str,
    config_number,
    get,
    listed,
    names,
    one_of,
    present,
    set_path,
    shown,
    str_list,
)

__all__ = [
    "CONCERNS",
    "ITEMS",
    "LAYERS",
    "PRESENT",
    "SET",
    "TEXT",
    "Condition",
    "Expect",
    "Gate",
    "GuardrailResourcePolicy",
    "GuardrailStackPolicy",
    "Has",
    "PropertyPolicy",
    "Settings",
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
        guarded = getattr(validate, "__resource_types__", None)
        types = resource_types or guarded or ()
        self._init_meta(rule, layer, concern, sorted(types))
        self.cdcml_applies_to: frozenset[str] | None = frozenset(guarded) if guarded is not None else None
        """The types ``validate`` can report on, when a type guard enforces them (the engine
        then never calls it for other types); ``None``: no such promise."""


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


# ---- "property must (not) be X" as data (checkov's BaseResourceValueCheck)

Gate = str | Callable[[Any, Mapping[str, Any]], bool]
"""When a check (or a whole :class:`PropertyPolicy`) applies: the name of a boolean config
property that must be true, or a predicate of the props and the policy's config."""
Condition = tuple[str, tuple[Any, ...]]
"""``(path, values)``: holds when the value at *path* matches one of *values*."""


class _Kind:
    """A kind of value an :class:`Expect` allows or forbids, rather than one value."""

    def __init__(self, name: str, test: Callable[[Any], bool]) -> None:
        self.name = name
        self.test = test

    def __repr__(self) -> str:
        return self.name


PRESENT: Any = _Kind("PRESENT", lambda v: v is not MISSING and v is not None and v != "" and v != [] and v != {})
"""Any non-empty value. As the one allowed value, a value unknown during preview complies
too (:func:`~cdcml.policies.vocabulary.present`): a presence check needs no more."""
SET: Any = _Kind("SET", lambda v: v is not MISSING)
"""Any value that is not absent or null, even an empty one."""
TEXT: Any = _Kind("TEXT", lambda v: bool(as_str(v)))
"""A non-empty string."""
ITEMS: Any = _Kind("ITEMS", lambda v: bool(listed(v)))
"""A non-empty list."""


class Has(_Kind):
    """A list with a string item equal to one of *values*, case-insensitively (as
    :func:`~cdcml.policies.vocabulary.one_of` compares: surrounding spaces count)."""

    def __init__(self, *values: str) -> None:
        super().__init__(f"Has({', '.join(map(repr, values))})", lambda v: any(one_of(i, values) for i in str_list(v)))


@dataclass(frozen=True)
class Settings:
    """A policy's config as its checks read it: what the engine passes (schema defaults
    already filled in), with the schema's *defaults* standing in for a missing value."""

    config: Mapping[str, Any]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def flag(self, key: str) -> bool:
        return as_bool(self.config.get(key)) is True

    def number(self, key: str) -> float:
        return config_number(self.config, key, self.defaults[key])

    def strings(self, key: str) -> tuple[str, ...]:
        return tuple(str_list(self.config.get(key)) or self.defaults[key])


_NO_SETTINGS = Settings({})


def _open(gate: Gate | None, props: Any, settings: Settings) -> bool:
    if gate is None:
        return True
    if isinstance(gate, str):
        return settings.flag(gate)
    return bool(gate(props, settings.config))


@dataclass(frozen=True)
class Expect:
    """One "property must (not) be X" check of a :class:`PropertyPolicy`.

    The value at *path* (read with :func:`~cdcml.policies.vocabulary.get`) must equal one
    of *allowed* (or of the string list config property *allowed_from*), none of
    *forbidden*, and, when it is a number, be at least *at_least* (a number, or the name of
    a number config property). Values compare as strings case-insensitively (ignoring
    surrounding spaces unless ``trim=False``, the way the hand-written policies'
    ``one_of`` compares), as booleans also from ``"true"``/``"false"``, as numbers as
    numbers; :data:`PRESENT`, :data:`SET`, :data:`TEXT`, :data:`ITEMS` and :class:`Has`
    match a kind of value. *missing* says what an absent or null value means to *allowed*:
    ``"violation"`` (the service default is unsafe) or ``"compliant"`` (it is safe); it
    never matches *forbidden* nor falls short of *at_least*. A tuple of paths checks each
    path and names the failing ones in the message's ``{paths}``.

    The check applies to the policy's resource *types* (all when empty), when its *only_if*
    gate is open, when every *when* condition holds and no *unless* condition does (an
    any-of: the rule also holds when an *unless* alternative does); having passed, it still
    fails unless every *also* condition holds (an all-of reported as one violation). It
    reads in that order (*only_if*, *when*, *unless*, *path*, *also*, each in the order
    written) and stops as soon as it knows, so a value unknown during preview stops it only
    where it matters; an unknown always reaches the SDK.

    The message is *message*, a template of ``{value}`` (the value as
    :func:`~cdcml.policies.vocabulary.shown` echoes it: the allowed values and
    *vocabulary* are the only strings ever echoed, since policies see secrets as
    plaintext), ``{minimum}`` and ``{paths}``; without one, it says what the value is and
    must be, and ends with *why*. *fix*, when given, is the value the policy's remediation
    writes at *path* (only for fixes that are safe and deterministic).
    """

    path: str | tuple[str, ...]
    allowed: tuple[Any, ...] = ()
    missing: Literal["violation", "compliant"] = "violation"
    why: str = ""
    types: tuple[str, ...] = ()
    when: tuple[Condition, ...] = ()
    vocabulary: tuple[str, ...] = ()
    fix: Any = MISSING
    forbidden: tuple[Any, ...] = ()
    at_least: float | str | None = None
    allowed_from: str = ""
    unless: tuple[Condition, ...] = ()
    also: tuple[Condition, ...] = ()
    only_if: Gate | None = None
    message: str = ""
    trim: bool = True

    def __post_init__(self) -> None:
        what = f"Expect({self.path!r})"
        if self.missing not in ("violation", "compliant"):
            raise ValueError(f"{what}: missing must be 'violation' or 'compliant'")
        if not (self.allowed or self.allowed_from or self.forbidden or self.at_least is not None):
            raise ValueError(f"{what}: say what the value must be (allowed, allowed_from, forbidden or at_least)")
        several = isinstance(self.path, tuple)
        plain = not (several or self.forbidden or self.at_least is not None or self.also or self.allowed_from)
        if not self.message and not plain:
            raise ValueError(f"{what}: this check needs a message")
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(self.message) if name is not None}
        except ValueError as e:
            raise ValueError(f"{what}: the message is not a template ({e}); write a literal brace twice") from None
        known = {"paths"} if several else {"value"} | ({"minimum"} if self.at_least is not None else set())
        if fields - known:
            raise ValueError(f"{what}: the message can use only {sorted(known)}, not {sorted(fields - known)}")
        if several and self.fix is not MISSING:
            raise ValueError(f"{what}: a fix needs a single path")

    def settings(self) -> set[str]:
        """The config properties this check reads."""
        named = (self.only_if, self.at_least, self.allowed_from)
        return {s for s in named if isinstance(s, str) and s}

    def applies(self, resource_type: str, props: Any, settings: Settings = _NO_SETTINGS) -> bool:
        if self.types and resource_type not in self.types:
            return False
        if not _open(self.only_if, props, settings):
            return False
        if not all(self._holds(c, props) for c in self.when):
            return False
        return not any(self._holds(c, props) for c in self.unless)

    def violation(self, props: Any, settings: Settings = _NO_SETTINGS) -> str | None:
        """The violation message for *props*, or ``None`` when they comply."""
        if isinstance(self.path, tuple):
            failing = [p for p in self.path if self._fails(get(props, p), settings)]
            return self.message.format(paths=" and ".join(failing)) if failing else None
        if PRESENT in self.allowed and present(props, self.path):
            return None  # set (an unknown value is set too: a presence check needs no more)
        value = get(props, self.path)
        if not self._fails(value, settings) and all(self._holds(c, props) for c in self.also):
            return None
        return self._message(value, settings)

    def _allowed(self, settings: Settings) -> tuple[Any, ...]:
        return settings.strings(self.allowed_from) if self.allowed_from else self.allowed

    def _minimum(self, settings: Settings) -> float:
        assert self.at_least is not None
        return settings.number(self.at_least) if isinstance(self.at_least, str) else float(self.at_least)

    def _fails(self, value: Any, settings: Settings) -> bool:
        allowed = self._allowed(settings)
        if value is MISSING:
            if allowed and self.missing == "violation":
                return True
        elif allowed and not any(_matches(value, a, self.trim) for a in allowed):
            return True
        if any(_matches(value, f, self.trim) for f in self.forbidden):
            return True
        number = as_number(value) if self.at_least is not None else None
        return number is not None and number < self._minimum(settings)

    def _holds(self, condition: Condition, props: Any) -> bool:
        path, values = condition
        value = get(props, path)
        return any(_matches(value, v, self.trim) for v in values)

    def _message(self, value: Any, settings: Settings) -> str:
        allowed = self._allowed(settings)
        if self.message:
            fields = {"value": shown(value, (*allowed, *self.vocabulary))}
            if self.at_least is not None:
                fields["minimum"] = f"{self._minimum(settings):g}"
            return self.message.format(**fields)
        tail = f" {self.why}" if self.why else ""
        if PRESENT in allowed:
            expected = "it must be set"
        else:
            expected = f"it must be {_alternatives(allowed)}"
        if value is MISSING:
            return f"{self.path} is not set, and the service default is unsafe; {expected}.{tail}"
        return f"{self.path} is {shown(value, (*allowed, *self.vocabulary))}; {expected}.{tail}"


def _matches(value: Any, expected: Any, trim: bool) -> bool:
    if isinstance(expected, _Kind):
        return expected.test(value)
    if isinstance(expected, bool):
        return as_bool(value) is expected
    if isinstance(expected, (int, float)):
        n = as_number(value)
        return n is not None and n == expected
    if isinstance(expected, str):
        if not isinstance(value, str):
            return False
        return (value.strip() if trim else value).casefold() == expected.casefold()
    return bool(value == expected)


def _alternatives(values: Sequence[Any]) -> str:
    return names(values) if len(values) == 1 else f"one of {names(values)}"


class PropertyPolicy(GuardrailResourcePolicy):
    """A data-driven "property must be X" policy (checkov's ``BaseResourceValueCheck``):
    the rule is the list of :class:`Expect` checks, not code. Each failing check reports
    one violation, in the order of the list. *only_if* gates the whole policy (a config
    flag or a predicate of props and config, evaluated before any check)."""

    expects: tuple[Expect, ...]

    def __init__(
        self, *, expects: Sequence[Expect], resource_types: Sequence[str], only_if: Gate | None = None, **kwargs: Any
    ) -> None:
        checks = tuple(expects)
        wanted = frozenset(resource_types)
        config: Mapping[str, Mapping[str, Any]] = kwargs.get("config") or {}
        defaults = {k: v["default"] for k, v in config.items() if "default" in v}
        named = {only_if} if isinstance(only_if, str) else set()
        unknown = sorted(named.union(*(c.settings() for c in checks)) - set(defaults))
        if unknown:
            raise ValueError(f"{kwargs.get('name')}: its checks read config without a schema default: {unknown}")

        def settings_of(args: Any) -> Settings | None:
            """The settings to check *args* with, or ``None`` when the policy doesn't apply."""
            if args.resource_type not in wanted:
                return None
            settings = Settings(args.get_config(), defaults)
            return settings if _open(only_if, args.props, settings) else None

        def validate(args: Any, report_violation: Any) -> None:
            settings = settings_of(args)
            if settings is None:
                return
            for check in checks:
                if check.applies(args.resource_type, args.props, settings):
                    message = check.violation(args.props, settings)
                    if message:
                        report_violation(message)

        fixes = tuple(c for c in checks if c.fix is not MISSING)

        def remediate(args: Any) -> Any:
            settings = settings_of(args)
            if settings is None:
                return None
            props = args.props
            fixed = []
            for check in fixes:  # each sees the fixes before it
                if check.applies(args.resource_type, props, settings) and check.violation(props, settings):
                    assert isinstance(check.path, str)
                    set_path(props, check.path, check.fix)
                    fixed.append(check.path)
            return props if fixed else None

        super().__init__(
            validate=validate, remediate=remediate if fixes else None, resource_types=resource_types, **kwargs
        )
        self.expects = checks
        self.cdcml_applies_to = wanted  # settings_of: nothing is checked on other types
