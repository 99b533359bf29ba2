"""The verdict: what a run (``cdcml preview``, ``cdcml policy analyze``) concludes, and
what every renderer (text, JSON, SARIF, JUnit, Markdown) takes.

A :class:`Verdict` holds one :class:`StackReport` per stack (its graph, its findings after
a baseline, the waivers that matched them, any lock an update holds), the metadata of
every policy that ran (:class:`PolicyInfo`), the waivers and which of them expired, and
the run's warnings. Frozen, plain data; built by :mod:`cdcml.runs`.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from cdcml.model.findings import EnforcementLevel, Finding, FindingKind, Findings, PackRef, Severity
from cdcml.model.graph import ResourceGraph

__all__ = [
    "Artifact",
    "LockInfo",
    "PolicyInfo",
    "Shard",
    "SourceLocation",
    "StackRef",
    "StackReport",
    "Verdict",
    "Waiver",
    "WaiverMatch",
]


@dataclass(frozen=True, order=True)
class StackRef:
    """A stack's fully qualified name in a self-managed backend: ``organization/<project>/<stack>``
    (the organization is always ``organization``). ``project`` is ``""`` for a stack of the
    legacy layout until its state has been read."""

    organization: str
    project: str
    stack: str

    def __str__(self) -> str:
        return f"{self.organization}/{self.project}/{self.stack}" if self.project else self.stack


@dataclass(frozen=True)
class LockInfo:
    """A lock file: an update holds the stack."""

    key: str
    pid: int | None = None
    username: str = ""
    hostname: str = ""
    timestamp: str = ""

    def describe(self) -> str:
        who = f"{self.username or '?'}@{self.hostname or '?'}"
        pid = f" (pid {self.pid})" if self.pid is not None else ""
        when = f" since {self.timestamp}" if self.timestamp else ""
        return f"locked by {who}{pid}{when}"


@dataclass(frozen=True)
class Waiver:
    """One entry of a waiver file (``index`` is its position, from 1)."""

    policy: str
    urn: str
    reason: str
    owner: str
    expires: dt.date
    index: int = 0
    source: str = ""

    def expired(self, today: dt.date) -> bool:
        return self.expires < today

    def matches(self, finding: Finding) -> bool:
        if finding.kind is not FindingKind.VIOLATION:
            return False
        policy_ok = fnmatch.fnmatchcase(finding.policy, self.policy) or fnmatch.fnmatchcase(
            f"{finding.pack}/{finding.policy}", self.policy
        )
        return policy_ok and fnmatch.fnmatchcase(finding.urn, self.urn)

    def describe(self) -> str:
        return f"waiver #{self.index} ({self.policy} on {self.urn}, owner {self.owner}, expires {self.expires})"

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "urn": self.urn,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
        }


@dataclass(frozen=True)
class WaiverMatch:
    """The waiver a finding matched, and whether it still waives it."""

    waiver: Waiver
    active: bool

    @property
    def status(self) -> str:
        return "active" if self.active else "expired"

    def to_json(self) -> dict[str, Any]:
        """The waiver as in a waiver file, with its ``status`` for this finding."""
        return {**self.waiver.to_json(), "status": self.status}


@dataclass(frozen=True)
class PolicyInfo:
    """A policy's metadata as reports show it, with its effective enforcement level."""

    pack: str
    pack_version: str
    name: str
    policy_type: str  # "resource" | "stack"
    description: str
    level: EnforcementLevel
    severity: Severity
    tags: tuple[str, ...] = ()
    remediation_steps: str = ""
    url: str = ""
    framework: Mapping[str, str] | None = None
    resource_types: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.pack}/{self.name}"


@dataclass(frozen=True)
class Artifact:
    """Where a stack's findings point in the repository or the backend (SARIF's physical
    location): ``uri`` relative to ``base_id`` (whose absolute URI is ``base_uri``), or an
    absolute URI when ``base_id`` is empty; ``lines`` maps URNs to their line in the file."""

    uri: str
    base_id: str = ""
    base_uri: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceLocation:
    """Where the program declared a resource, as reports show it: ``file`` is the program
    file as SARIF locates it (relative to the working directory when inside it, like a
    stack's :class:`Artifact`), ``line`` from 1, ``column`` 0 when not known."""

    file: Artifact
    line: int
    column: int = 0

    @property
    def path(self) -> str:
        """The file as a person reads it: relative to the working directory when inside it,
        else absolute."""
        if self.file.base_id or not self.file.uri.startswith("file:"):
            return self.file.uri
        return url2pathname(urlsplit(self.file.uri).path)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class StackReport:
    """One stack's verdicts: its graph, its findings (baselined ones removed), the waivers
    that matched them (by finding index), and any lock an update holds on it. ``sources``
    says where the program declared each resource (by URN; a captured program only)."""

    ref: StackRef
    graph: ResourceGraph
    findings: Findings
    location: str
    artifact: Artifact
    locks: tuple[LockInfo, ...] = ()
    waivers: Mapping[int, WaiverMatch] = field(default_factory=dict)
    baselined: int = 0
    sources: Mapping[str, SourceLocation] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.ref.organization}/{self.findings.project}/{self.findings.stack}"

    def waived(self, index: int) -> bool:
        match = self.waivers.get(index)
        return match is not None and match.active

    @property
    def mandatory(self) -> tuple[Finding, ...]:
        """Mandatory violations that no active waiver covers."""
        return tuple(f for i, f in enumerate(self.findings.findings) if f.is_mandatory_violation and not self.waived(i))

    def counts(self) -> dict[str, int]:
        c = self.findings.counts()
        waived = [i for i in self.waivers if self.waived(i)]
        c["waived"] = len(waived)
        for i in waived:
            f = self.findings.findings[i]
            c["mandatory" if f.is_mandatory_violation else "advisory"] -= 1
        c["baselined"] = self.baselined
        return c

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory else 0


@dataclass(frozen=True)
class Shard:
    """Which part of a backend's stacks a sharded run (``--all --shard K/N``) audited.

    ``index`` is K (from 1) of ``count`` N; ``total`` is how many stacks the backend listed
    for the run (every shard), ``listing`` a digest of their names (shards of one run list
    the same stacks); ``positions`` is, for each stack of the verdict, its place in that
    listing (what puts the shards' stacks back in the order one run gives them)."""

    index: int
    count: int
    total: int
    listing: str
    positions: tuple[int, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The verdicts of one run (``cdcml preview`` or ``cdcml policy analyze``) over one or
    more stacks: what every report renders."""

    command: str  # "preview" | "policy analyze"
    source: str  # the state file, backend URL or program directory
    stacks: tuple[StackReport, ...]
    packs: tuple[PackRef, ...]
    policies: tuple[PolicyInfo, ...]
    multi: bool = False  # a run over a whole backend (reports are "stacks" documents)
    waivers: tuple[Waiver, ...] = ()
    expired_waivers: tuple[Waiver, ...] = ()
    warnings: tuple[str, ...] = ()
    today: dt.date | None = None
    shard: Shard | None = None
    """Set for one shard of a sharded run; ``None`` for a whole run (and a merge of shards)."""

    @property
    def single(self) -> StackReport | None:
        """The stack of a one-stack verdict; ``None`` for a run over a whole backend (whose
        reports are ``stacks`` documents)."""
        return self.stacks[0] if not self.multi and len(self.stacks) == 1 else None

    @property
    def exit_code(self) -> int:
        """1 when any stack has an unwaived mandatory violation or a waiver has expired."""
        if self.expired_waivers or any(s.exit_code for s in self.stacks):
            return 1
        return 0

    def totals(self) -> dict[str, int]:
        keys = ("mandatory", "advisory", "unknown", "not-applicable", "remediations", "waived", "baselined")
        total = dict.fromkeys(keys, 0)
        total["resources"] = 0
        for s in self.stacks:
            for k, v in s.counts().items():
                total[k] = total.get(k, 0) + v
            total["resources"] += s.findings.resource_count
        total["stacks"] = len(self.stacks)
        total["locked"] = sum(1 for s in self.stacks if s.locks)
        return total
