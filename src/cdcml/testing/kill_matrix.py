"""The kill matrix: which policies notice which single weakenings of a stack.

From a captured graph, :func:`weakenings` changes one property a policy actually reads
(:func:`cdcml.testing.reads.record_reads`) on one resource. The classes (:data:`CLASSES`):

================  ========================================================================
flipped           a boolean negated
boundary          a number moved to 0, ±1, one either side of its value, or 2**31-1
weaker-value      a string to a weaker sibling (``Disabled`` for ``Enabled``, ``Allow`` for
                  ``Deny``, ``TLS1_0`` for ``TLS1_2``, a locally redundant SKU…)
enum-member       a string to every other member of the SDK enum at that place
config-value      a string that a policy's config lists (a schema ``enum``, a default or a
                  configured list of strings, of a policy that read the property) to every
                  other value of those lists: a tag compared against configured
                  classifications is tried with each listed classification
open-network      an address range to ``0.0.0.0/0``
emptied           a list to ``[]``
added             a key some policy looked up that the resource does not have, added with a
                  well-typed value of its SDK type (:mod:`cdcml.capture.sdk_types`): each
                  enum member, a non-empty string (for a string or an untyped
                  property), ``true`` and ``false``, ``0``, an object with its required
                  fields (one per member of a union, such as a secret that is either a
                  Key Vault reference or an inline ``SecureString``), a list of one item
removed           a key removed, unless the SDK requires it (no program can leave it out)
================  ========================================================================

A union's discriminator (a linked service's ``properties.type``, a data version's
``properties.dataType``) is never changed nor removed: alone, that gives an object of no
SDK type.

Reads of absent keys are recorded too (``props.get("password")``), which is what the
``added`` class changes. :func:`kill_matrix` evaluates every weakening and records which
policies start to report a violation that the unweakened graph did not have. The matrix
says, per policy and mutation class, how many weakenings it caught; the policies that ran
on the stack but no weakening made fire ("never fires here"); and the weakenings no policy
noticed.

A weakening is evaluated by mutating the graph — never by re-running the program — in the
resource's inputs and, where the same path exists (for an addition: where its parent
does), its outputs (stack policies read outputs), so one loaded pack serves every example.
A discriminated union (a Data Factory linked service's ``properties``) is resolved by the
``type`` the resource's own value carries, so only that member's keys are added.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import Pack
from cdcml.errors import CdcmlError
from cdcml.model import FindingKind, Findings, Resource, ResourceGraph, freeze, thaw
from cdcml.model.values import is_secret, is_unknown
from cdcml.testing.reads import Path, PolicyReads, record_reads

if TYPE_CHECKING:
    from cdcml.capture.sdk_types import ObjectType, Property, SdkType

__all__ = ["CLASSES", "KillMatrix", "Weakening", "config_families", "kill_matrix", "weakenings"]

CLASSES = (
    "flipped",
    "boundary",
    "weaker-value",
    "enum-member",
    "config-value",
    "open-network",
    "emptied",
    "added",
    "removed",
)
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
    """One property of one resource changed (``value`` is ``None`` for a removal; ``before``
    is ``None`` for an addition)."""

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
        if self.kind == "added":
            return f"{self.type.split(':')[-1]} {name}: {where} added {self.value!r}"
        return f"{self.type.split(':')[-1]} {name}: {where} {self.before!r} → {self.value!r}"


class AcceptanceRule(Protocol):
    """An accepted group of unnoticed weakenings (:class:`cdcml.testing.acceptance.UnnoticedRule`)."""

    @property
    def why(self) -> str: ...

    def describe(self) -> str: ...

    def matches(self, w: Weakening) -> bool: ...


class Acceptance(Protocol):
    """What a project accepts (:class:`cdcml.testing.acceptance.Acceptance`)."""

    @property
    def never_fires(self) -> Mapping[str, str]: ...

    @property
    def unnoticed(self) -> Sequence[AcceptanceRule]: ...


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
    acceptance: Acceptance | None = None
    """What the project accepts, with reasons (:mod:`cdcml.testing.acceptance`)."""

    @property
    def never_fire(self) -> tuple[str, ...]:
        """Policies that ran, report nothing on the graph, and no weakening made report."""
        return tuple(p for p in self.policies if not self.kills.get(p) and p not in self.already)

    @property
    def accepted_never_fire(self) -> dict[str, str]:
        """Never-firing policies the acceptance explains: policy → why."""
        reasons = self.acceptance.never_fires if self.acceptance is not None else {}
        return {p: reasons[p] for p in self.never_fire if p in reasons}

    @property
    def unaccepted_never_fire(self) -> tuple[str, ...]:
        return tuple(p for p in self.never_fire if p not in self.accepted_never_fire)

    @property
    def accepted_unnoticed(self) -> tuple[tuple[AcceptanceRule, tuple[Weakening, ...]], ...]:
        """The unnoticed weakenings the acceptance explains, grouped by the first rule that
        matches each, in the rules' order (rules that match nothing are left out)."""
        if self.acceptance is None:
            return ()
        groups: dict[int, list[Weakening]] = defaultdict(list)
        for w in self.unnoticed:
            for i, rule in enumerate(self.acceptance.unnoticed):
                if rule.matches(w):
                    groups[i].append(w)
                    break
        return tuple((self.acceptance.unnoticed[i], tuple(ws)) for i, ws in sorted(groups.items()))

    @property
    def unexplained(self) -> tuple[Weakening, ...]:
        """Unnoticed weakenings no acceptance rule explains."""
        if self.acceptance is None:
            return self.unnoticed
        rules = self.acceptance.unnoticed
        return tuple(w for w in self.unnoticed if not any(rule.matches(w) for rule in rules))

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


def _sdk_type(type_token: str, path: Path, data: Any) -> SdkType | None:
    """The SDK type at *path* of *type_token*'s inputs (``None`` when the path leaves what
    the installed azure-native SDK declares). A discriminated union is resolved by the
    ``type`` the resource's own value at that place (*data*, its inputs) carries."""
    from cdcml.capture.sdk_types import UnknownResourceType, resource_type

    if not type_token.startswith("azure-native:"):
        return None
    try:
        current: ObjectType | None = resource_type(type_token).inputs
    except UnknownResourceType:
        return None
    sdk_type: SdkType | None = None
    value = data
    for key in path:
        if isinstance(key, int):
            if sdk_type is None or sdk_type.kind != "array" or sdk_type.item is None:
                return None
            sdk_type = sdk_type.item
        else:
            prop = current.properties.get(key) if current is not None else None
            if prop is None:
                return None
            sdk_type = prop.type
        value = value[key] if _has(value, key) else None
        if sdk_type.kind == "union" and value is not None:
            sdk_type = _discriminated(sdk_type, value)
            if sdk_type is None:
                return None
        current = sdk_type.object
    return sdk_type


def _discriminated(union: SdkType, value: Any) -> SdkType | None:
    """The member of *union* whose discriminator (a property with one allowed value, such as
    a linked service's ``type`` or a data version's ``dataType``) *value* carries."""
    if not isinstance(value, Mapping):
        return None
    for member in union.members:
        consts = [p for p in member.object.properties.values() if p.const is not None] if member.object else []
        if consts and all(value.get(p.name) == p.const for p in consts):
            return member
    return None


def _property(type_token: str, path: Path, data: Any) -> Property | None:
    """The SDK's declaration of the key at *path* (``None`` for a list item, or where the
    path leaves what the SDK declares)."""
    if not path or isinstance(path[-1], int):
        return None
    if len(path) == 1:
        from cdcml.capture.sdk_types import UnknownResourceType, resource_type

        if not type_token.startswith("azure-native:"):
            return None
        try:
            return resource_type(type_token).inputs.properties.get(str(path[0]))
        except UnknownResourceType:
            return None
    parent = _sdk_type(type_token, path[:-1], data)
    if parent is None or parent.object is None:
        return None
    return parent.object.properties.get(str(path[-1]))


def _enum_values(sdk_type: SdkType | None) -> tuple[Any, ...]:
    """The members of an SDK enum (none when *sdk_type* is not one)."""
    if sdk_type is None or sdk_type.kind != "enum" or sdk_type.enum is None:
        return ()
    return sdk_type.enum.values


def _sample(sdk_type: SdkType, depth: int = 0) -> list[Any]:
    """Well-typed values of *sdk_type* for the ``added`` class (see the module docstring);
    nested objects get one value per required field."""
    kind = sdk_type.kind
    if kind == "enum" and sdk_type.enum is not None:
        return list(sdk_type.enum.values) if depth == 0 else list(sdk_type.enum.values[:1])
    if kind in ("string", "any"):
        return [ADDED_TEXT]
    if kind == "boolean":
        return [True, False] if depth == 0 else [True]
    if kind in ("integer", "number"):
        return [0]
    if depth > 3:
        return []
    if kind == "object" and sdk_type.object is not None:
        obj: dict[str, Any] = {}
        for prop in sdk_type.object.properties.values():
            if prop.const is not None:
                obj[prop.name] = prop.const
            elif prop.required:
                inner = _sample(prop.type, depth + 1)
                if not inner:
                    return []
                obj[prop.name] = inner[0]
        return [obj]
    if kind == "union":
        return [v for m in sdk_type.members for v in _sample(m, depth + 1)[:1]]
    if kind == "array" and sdk_type.item is not None:
        return [[v] for v in _sample(sdk_type.item, depth + 1)[:1]]
    return []


ADDED_TEXT = "cdcml-added"
"""The non-empty string the ``added`` class gives a string property."""


def config_families(
    packs: Sequence[Pack], configs: Sequence[PackConfig | None] | None = None
) -> dict[str, list[frozenset[str]]]:
    """Policy (``pack/policy``) → the lists of strings its config holds: each schema
    property's ``enum`` (or its items' ``enum``), its default when it is a list of strings,
    and the reconciled config's value of it when that is one."""
    out: dict[str, list[frozenset[str]]] = {}
    for i, pack in enumerate(packs):
        config = configs[i] if configs is not None and i < len(configs) else None
        for policy in pack.policies:
            schema = getattr(getattr(policy, "config_schema", None), "properties", None) or {}
            configured = (config.properties(policy.name) if config is not None else None) or {}
            families: list[frozenset[str]] = []
            for name, spec in schema.items():
                prop: Mapping[str, Any] = spec if isinstance(spec, Mapping) else {}
                items: Mapping[str, Any] = prop["items"] if isinstance(prop.get("items"), Mapping) else {}
                for candidate in (prop.get("enum"), items.get("enum"), prop.get("default"), configured.get(name)):
                    if isinstance(candidate, list):
                        strings = frozenset(v for v in candidate if isinstance(v, str) and v)
                        if len(strings) > 1:
                            families.append(strings)
            if families:
                out[f"{pack.name}/{policy.name}"] = families
    return out


def _config_values(value: str, families: Sequence[frozenset[str]]) -> list[str]:
    """Every other value of the config lists that list *value* (case-insensitively)."""
    folded = value.casefold()
    found: dict[str, None] = {}
    for family in families:
        if any(v.casefold() == folded for v in family):
            for v in sorted(family):
                if v.casefold() != folded:
                    found.setdefault(v)
    return list(found)


def _values(value: Any, members: tuple[Any, ...] = (), listed: Sequence[str] = ()) -> Iterator[tuple[str, Any]]:
    """(class, weaker value) for a present *value*; removal is added by the caller.
    *members*: the SDK enum's values at that place, every other one is tried too;
    *listed*: the other values of config lists that list *value*."""
    if isinstance(value, bool):
        yield "flipped", not value
    elif isinstance(value, (int, float)):
        for n in sorted({0, 1, -1, int(value) - 1, int(value) + 1, 2**31 - 1} - {value}):
            yield "boundary", n
    elif isinstance(value, str):
        weaker = WEAKER.get(value, ())
        for text in weaker:
            yield "weaker-value", text
        tried = {value, *weaker}
        for member in members:
            if member not in tried:
                tried.add(member)
                yield "enum-member", member
        for text in listed:
            if text not in tried:
                tried.add(text)
                yield "config-value", text
        if "/" in value and value.replace(".", "").replace("/", "").isdigit():
            yield "open-network", OPEN_NETWORK[0]
    elif isinstance(value, (list, tuple)) and value:
        yield "emptied", []


def _addable(data: Any, path: Path) -> bool:
    """*path* is absent (or null) in *data* but its parent is there (an object, or a list
    the path would append to)."""
    found, parent = _get(data, path[:-1])
    last = path[-1]
    if not found:
        return False
    if isinstance(parent, Mapping):
        return isinstance(last, str) and (last not in parent or parent[last] is None)
    return isinstance(parent, (list, tuple)) and isinstance(last, int) and last == len(parent)


def weakenings(
    graph: ResourceGraph, reads: Sequence[PolicyReads], families: Mapping[str, Sequence[frozenset[str]]] | None = None
) -> list[Weakening]:
    """Every single weakening of a property some policy read, on every live resource of the
    type it was read on, in graph order (deterministic). *families*: the config lists of
    each policy (:func:`config_families`), for the ``config-value`` class."""
    wanted: dict[str, set[Path]] = defaultdict(set)
    readers: dict[tuple[str, Path], list[frozenset[str]]] = defaultdict(list)
    for r in reads:
        for type_, paths in r.paths.items():
            wanted[type_].update(paths)
            for path in paths:
                readers[(type_, path)].extend((families or {}).get(r.name, ()))
    out: list[Weakening] = []
    for resource in graph.resources:
        if resource.delete or resource.type not in wanted:
            continue
        for path in sorted(wanted[resource.type], key=lambda p: tuple(str(k) for k in p)):
            found, value = _get(resource.inputs, path)
            if not found:  # a stack policy may read it from the outputs; unknown there means not declared
                found, value = _get(resource.outputs, path)
                found = found and not is_unknown(value)
            if not found or value is None:
                if _addable(resource.inputs, path) and not _secret_along(resource.inputs, path):
                    sdk_type = _sdk_type(resource.type, path, resource.inputs)
                    for new in _sample(sdk_type) if sdk_type is not None else ():
                        out.append(Weakening(resource.urn, resource.type, path, "added", None, new))
                continue
            if is_unknown(value) or is_secret(value):
                continue
            declared = _property(resource.type, path, resource.inputs)
            if declared is not None and declared.const is not None:
                continue  # a union's discriminator: changed alone, the object is of no SDK type
            members = _enum_values(_sdk_type(resource.type, path, resource.inputs)) if isinstance(value, str) else ()
            listed = _config_values(value, readers[(resource.type, path)]) if isinstance(value, str) else []
            for kind, new in _values(value, members, listed):
                out.append(Weakening(resource.urn, resource.type, path, kind, value, new))
            if declared is None or not declared.required:
                out.append(Weakening(resource.urn, resource.type, path, "removed", value))
    return out


def _secret_along(data: Any, path: Path) -> bool:
    """Some value on the way to *path* is unknown or secret (nothing is added under it)."""
    value = data
    for key in path[:-1]:
        value = value[key]
        if is_unknown(value) or is_secret(value):
            return True
    return False


def _set(value: Any, path: Path, weakening: Weakening) -> Any:
    """A thawed copy of *value* with the weakening applied at *path* (unchanged if absent,
    or, for an addition, if the key is there or its parent is not)."""
    data = thaw(value)
    if weakening.kind == "added":
        if not _addable(data, path):
            return value
    else:
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
    elif weakening.kind == "added" and isinstance(parent, list):
        parent.append(thaw(weakening.value))
    else:
        parent[last] = thaw(weakening.value) if weakening.kind == "added" else weakening.value
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
    for w in weakenings(graph, reads, config_families(packs, configs)):
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
