"""The kill matrix: which policies notice which single weakenings of a stack.

From a captured graph, :func:`weakenings` changes one property a policy actually reads
(:func:`cdcml.testing.reads.record_reads`) on one resource: a boolean flipped, a number
moved to a boundary, a string to a weaker sibling value (``Disabled`` for ``Enabled``,
``Allow`` for ``Deny``, ``TLS1_0`` for ``TLS1_2``, a locally redundant SKU…) or an open
network value, a list emptied, a key removed. :func:`kill_matrix` evaluates every
weakening and records which policies start to report a violation that the unweakened
graph did not have. The matrix says, per policy and mutation class, how many weakenings it
caught; the policies that ran on the stack but no weakening made fire ("never fires
here"); and the weakenings no policy noticed.

A weakening is evaluated by mutating the graph — never by re-running the program — in the
resource's inputs and, where the same path exists, its outputs (stack policies read
outputs), so one loaded pack serves every example.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import Pack
from cdcml.errors import CdcmlError
from cdcml.model import FindingKind, Findings, Resource, ResourceGraph, freeze, thaw
from cdcml.model.values import is_secret, is_unknown
from cdcml.testing.reads import Path, PolicyReads, record_reads

__all__ = ["CLASSES", "KillMatrix", "Weakening", "kill_matrix", "weakenings"]

CLASSES = ("flipped", "boundary", "weaker-value", "enum-member", "open-network", "emptied", "removed")
"""Mutation classes, in the order the matrix shows them."""

WEAKER: Mapping[str, tuple[str, ...]] = {
    "Enabled": ("Disabled",),
    "enabled": ("disabled",),
    "Disabled": ("Enabled",),  # publicNetworkAccess, and the like: off is the hardened value
    "disabled": ("enabled",),
    "Deny": ("Allow",),
    "TLS1_2": ("TLS1_0", "TLS1_1"),
    "1.2": ("1.0", "1.1"),
    "Premium": ("Standard", "Basic"),
    "Standard": ("Basic",),
    "Standard_ZRS": ("Standard_LRS",),
    "Standard_GRS": ("Standard_LRS",),
    "Standard_RAGRS": ("Standard_LRS",),
    "Standard_GZRS": ("Standard_LRS",),
    "Standard_RAGZRS": ("Standard_LRS",),
    "Premium_ZRS": ("Premium_LRS",),
    "Geo": ("Local",),
    "GeoZone": ("Local",),
    "Zone": ("Local",),
    "SystemAssigned": ("None",),
    "UserAssigned": ("None",),
    "SystemAssigned,UserAssigned": ("None",),
    "SystemAssigned, UserAssigned": ("None",),
    "AzureServices": ("None",),
    "Delete": ("Compact",),
    "Private": ("Public",),
    "AllowOnlyApprovedOutbound": ("Disabled", "AllowInternetOutbound"),
    "AllowInternetOutbound": ("Disabled",),
    "Manual": ("Automatic",),
}
"""String values and the other values azure-native accepts in their place (the same enum)
that can weaken a control: which of ``Enabled``/``Disabled`` is the hardened one depends on
the property, so both directions are tried and the matrix shows which a policy catches."""

OPEN_NETWORK = ("0.0.0.0/0", "*")


@dataclass(frozen=True)
class Weakening:
    """One property of one resource changed (``value`` is ``None`` for a removal)."""

    urn: str
    type: str
    path: Path
    kind: str
    before: Any
    value: Any = None

    def describe(self) -> str:
        where = ".".join(str(p) for p in self.path)
        name = self.urn.rsplit("::", 1)[-1]
        if self.kind == "removed":
            return f"{self.type.split(':')[-1]} {name}: {where} removed"
        return f"{self.type.split(':')[-1]} {name}: {where} {self.before!r} → {self.value!r}"


@dataclass(frozen=True)
class KillMatrix:
    """What :func:`kill_matrix` found (see the module's docstring)."""

    policies: tuple[str, ...]
    """Every policy that applies to the graph (``pack/policy``, in pack order): it read a
    property of some resource, or reports a violation. (CrossGuard calls every resource
    policy on every resource; one that reads nothing of this stack does not apply here.)"""
    kills: Mapping[str, Mapping[str, int]]
    """Policy → mutation class → weakenings it caught."""
    caught: tuple[tuple[Weakening, frozenset[str]], ...]
    """Each weakening some policy noticed, with those policies."""
    unnoticed: tuple[Weakening, ...]
    """Weakenings no policy noticed."""
    crashed: tuple[tuple[Weakening, str], ...] = ()
    """Weakenings on which a policy raised (under the CLI the run fails): the one-line error."""
    already: frozenset[str] = frozenset()
    """Policies that already report a violation on the unweakened graph."""

    @property
    def never_fire(self) -> tuple[str, ...]:
        """Policies that ran, report nothing on the graph, and no weakening made report."""
        return tuple(p for p in self.policies if not self.kills.get(p) and p not in self.already)

    @property
    def generated(self) -> int:
        return len(self.caught) + len(self.unnoticed) + len(self.crashed)


def _has(value: Any, key: str | int) -> bool:
    if isinstance(value, Mapping):
        return isinstance(key, str) and key in value
    return isinstance(value, (list, tuple)) and isinstance(key, int) and 0 <= key < len(value)


def _get(value: Any, path: Path) -> tuple[bool, Any]:
    for key in path:
        if not _has(value, key):
            return False, None
        value = value[key]
    return True, value


def _enum_values(type_token: str, path: Path) -> tuple[Any, ...]:
    """The members of the SDK enum at *path* of *type_token*'s inputs (none when the path
    is not an enum, or the type is not one the installed azure-native SDK declares)."""
    from cdcml.testing.sdk_types import UnknownResourceType, resource_type

    if not type_token.startswith("azure-native:"):
        return ()
    try:
        current: Any = resource_type(type_token).inputs
    except UnknownResourceType:
        return ()
    sdk_type = None
    for key in path:
        if isinstance(key, int):
            if sdk_type is None or sdk_type.kind != "array" or sdk_type.item is None:
                return ()
            sdk_type = sdk_type.item
            current = sdk_type.object
            continue
        prop = current.properties.get(key) if current is not None else None
        if prop is None:
            return ()
        sdk_type = prop.type
        current = sdk_type.object
    if sdk_type is None or sdk_type.kind != "enum" or sdk_type.enum is None:
        return ()
    return sdk_type.enum.values


def _values(value: Any, members: tuple[Any, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(class, weaker value) for a present *value*; removal is added by the caller.
    *members*: the SDK enum's values at that place, every other one is tried too."""
    if isinstance(value, bool):
        yield "flipped", not value
    elif isinstance(value, (int, float)):
        for n in sorted({0, 1, -1, int(value) - 1, int(value) + 1, 2**31 - 1} - {value}):
            yield "boundary", n
    elif isinstance(value, str):
        weaker = WEAKER.get(value, ())
        for text in weaker:
            yield "weaker-value", text
        for member in members:
            if member != value and member not in weaker:
                yield "enum-member", member
        if "/" in value and value.replace(".", "").replace("/", "").isdigit():
            yield "open-network", OPEN_NETWORK[0]
    elif isinstance(value, (list, tuple)) and value:
        yield "emptied", []


def weakenings(graph: ResourceGraph, reads: Sequence[PolicyReads]) -> list[Weakening]:
    """Every single weakening of a property some policy read, on every live resource of the
    type it was read on, in graph order (deterministic)."""
    wanted: dict[str, set[Path]] = defaultdict(set)
    for r in reads:
        for type_, paths in r.paths.items():
            wanted[type_].update(paths)
    out: list[Weakening] = []
    for resource in graph.resources:
        if resource.delete or resource.type not in wanted:
            continue
        for path in sorted(wanted[resource.type], key=lambda p: tuple(str(k) for k in p)):
            found, value = _get(resource.inputs, path)
            if not found:
                found, value = _get(resource.outputs, path)
            if not found or value is None or is_unknown(value) or is_secret(value):
                continue
            for kind, new in _values(value, _enum_values(resource.type, path)):
                out.append(Weakening(resource.urn, resource.type, path, kind, value, new))
            out.append(Weakening(resource.urn, resource.type, path, "removed", value))
    return out


def _set(value: Any, path: Path, weakening: Weakening) -> Any:
    """A thawed copy of *value* with the weakening applied at *path* (unchanged if absent)."""
    data = thaw(value)
    found, _ = _get(data, path)
    if not found:
        return value
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if weakening.kind == "removed":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    else:
        parent[last] = weakening.value
    return freeze(data)


def apply(graph: ResourceGraph, weakening: Weakening) -> ResourceGraph:
    """*graph* with *weakening* applied to its resource's inputs and outputs."""

    def changed(r: Resource) -> Resource:
        if r.urn != weakening.urn:
            return r
        return dataclasses.replace(
            r, inputs=_set(r.inputs, weakening.path, weakening), outputs=_set(r.outputs, weakening.path, weakening)
        )

    return dataclasses.replace(graph, resources=tuple(changed(r) for r in graph.resources))


def _violations(findings: Findings) -> set[tuple[str, str, str]]:
    return {
        (f"{f.pack}/{f.policy}", f.urn or "", f.message) for f in findings.findings if f.kind is FindingKind.VIOLATION
    }


def kill_matrix(
    graph: ResourceGraph, packs: Sequence[Pack], configs: Sequence[PackConfig | None] | None = None
) -> KillMatrix:
    """Evaluate every weakening of *graph* (:func:`weakenings`) with *packs* and record
    which policies start to report."""
    reads, _ = record_reads(graph, packs, configs)
    base = evaluate(graph, packs, configs)
    before = _violations(base)
    base_firing = {name for name, _, _ in before}
    ran = [r.name for r in reads if r.paths or r.name in base_firing]
    kills: dict[str, Counter[str]] = defaultdict(Counter)
    caught: list[tuple[Weakening, frozenset[str]]] = []
    unnoticed: list[Weakening] = []
    crashed: list[tuple[Weakening, str]] = []
    for w in weakenings(graph, reads):
        try:
            new = _violations(evaluate(apply(graph, w), packs, configs)) - before
        except CdcmlError as e:
            crashed.append((w, e.message))
            continue
        firing = frozenset(name for name, _, _ in new)
        if firing:
            caught.append((w, firing))
            for name in firing:
                kills[name][w.kind] += 1
        else:
            unnoticed.append(w)
    return KillMatrix(
        policies=tuple(ran),
        kills={p: dict(c) for p, c in kills.items()},
        caught=tuple(caught),
        unnoticed=tuple(unnoticed),
        crashed=tuple(crashed),
        already=frozenset(base_firing),
    )
