"""The one model out of the evaluator: ``Findings``, per (policy, resource) a violation,
a "can't be known during preview" diagnostic or not-applicable, plus remediations
(reported, never applied). Frozen, plain data."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "EnforcementLevel",
    "EvaluatedResource",
    "Finding",
    "FindingKind",
    "Findings",
    "PackRef",
    "Remediation",
    "Severity",
]


class EnforcementLevel(StrEnum):
    """The enforcement levels of the CrossGuard protocol (apitype.EnforcementLevel)."""

    ADVISORY = "advisory"
    MANDATORY = "mandatory"
    REMEDIATE = "remediate"
    DISABLED = "disabled"


class Severity(StrEnum):
    """Policy severities of the CrossGuard protocol; ``UNSPECIFIED`` when a policy has none."""

    UNSPECIFIED = ""
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class FindingKind(StrEnum):
    """What a finding says about a (policy, resource) pair."""

    VIOLATION = "violation"
    """The policy reported a violation."""
    UNKNOWN = "unknown"
    """The policy could not run because a value it needs can't be known during preview."""
    NOT_APPLICABLE = "not-applicable"
    """The policy declared itself not applicable (``args.not_applicable(reason)``)."""


@dataclass(frozen=True, slots=True)
class PackRef:
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnostic of one policy about one resource (or the stack as a whole).

    ``urn`` is the resource the finding is attached to; ``""`` means the whole stack (a
    stack policy that reported no URN). ``message`` is exactly what the engine shows:
    for violations ``description + "\\n" + message``.
    """

    kind: FindingKind
    pack: str
    pack_version: str
    policy: str
    policy_type: str  # "resource" | "stack"
    enforcement_level: EnforcementLevel
    severity: Severity
    urn: str
    resource_type: str
    description: str
    message: str

    @property
    def detail(self) -> str:
        """The policy-specific part of the message (a violation's message is
        ``description + "\\n" + message``; when that part is empty, the description)."""
        lines = self.message.split("\n", 1)
        if self.kind is FindingKind.VIOLATION:
            return lines[1] if len(lines) > 1 and lines[1].strip() else self.description
        return self.message

    @property
    def is_mandatory_violation(self) -> bool:
        return self.kind is FindingKind.VIOLATION and self.enforcement_level is EnforcementLevel.MANDATORY


@dataclass(frozen=True, slots=True)
class Remediation:
    """A remediation a policy at ``remediate`` level would apply. Reported, never applied
    to the program or the state. ``properties`` are the remediated inputs in wire form
    (secrets stay wrapped); ``changed`` lists the top-level keys whose value changed."""

    pack: str
    pack_version: str
    policy: str
    urn: str
    resource_type: str
    description: str
    properties: Mapping[str, Any]
    changed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvaluatedResource:
    """A resource that was evaluated, and the resource policies that ran on it."""

    urn: str
    type: str
    name: str
    policies: tuple[str, ...]  # "<pack>/<policy>"

    @property
    def is_default_provider(self) -> bool:
        """A provider the engine adds for the program (the engine's ``IsDefaultProvider``:
        a provider type whose name starts with ``default``)."""
        return self.type.startswith("pulumi:providers:") and self.name.startswith("default")


@dataclass(frozen=True, slots=True)
class Findings:
    """The evaluator's whole answer for one graph and one or more packs."""

    project: str
    stack: str
    source: str
    packs: tuple[PackRef, ...]
    findings: tuple[Finding, ...]
    remediations: tuple[Remediation, ...] = ()
    evaluated: tuple[EvaluatedResource, ...] = ()
    stack_policies: tuple[str, ...] = ()  # "<pack>/<policy>" that ran in AnalyzeStack

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def resource_count(self) -> int:
        """The resources as ``pulumi preview``'s summary counts them: every evaluated one but
        the default providers the engine adds (policies see those too; users never declared them)."""
        return sum(1 for r in self.evaluated if not r.is_default_provider)

    def of_kind(self, kind: FindingKind) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is kind)

    @property
    def violations(self) -> tuple[Finding, ...]:
        return self.of_kind(FindingKind.VIOLATION)

    @property
    def mandatory(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_mandatory_violation)

    def by_policy(self, policy: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.policy == policy)

    def counts(self) -> dict[str, int]:
        c = {"mandatory": 0, "advisory": 0, "unknown": 0, "not-applicable": 0, "remediations": 0}
        for f in self.findings:
            if f.kind is FindingKind.VIOLATION:
                key = "mandatory" if f.is_mandatory_violation else "advisory"
                c[key] += 1
            else:
                c[str(f.kind)] += 1
        c["remediations"] = len(self.remediations)
        return c

    @property
    def exit_code(self) -> int:
        """0 when clean or advisory only, 1 when any mandatory violation (the CLI's rule)."""
        return 1 if self.mandatory else 0
