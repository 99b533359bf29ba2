"""Cross-resource joins for stack validation policies.

Stack policies see every resource's **outputs**. During ``pulumi preview`` the computed
outputs of a resource that is about to be created (its ``name``, every ARM id built from
it) are unknown, so a join first follows the resource's ``propertyDependencies`` (known in
preview, and recorded in state), and only then compares ARM ids and names.

A check that needs a value that can't be known yet must not become a violation. Each
check of a stack policy runs in a :meth:`Pending.item` block: an ``UnknownValueError``
inside it leaves that item undecided and the other items still run; :meth:`Pending.finish`
then re-raises the first one, which the engine reports as the advisory "can't run policy
… during preview" diagnostic, next to any violation the decided items found.

A stack policy indexes its resources once per validation with :class:`StackIndex`:
:meth:`StackIndex.of_type` hands out :class:`Resources`, which build the lookups a join
makes (types, membership, names, ARM-typed subsets, parent → children) the first time one
is needed and keep them for the rest of the validation, so a join costs what it finds
rather than a scan of the stack. The helpers below take any sequence of candidates and use
those lookups when they are given :class:`Resources`. :class:`Memo` and :func:`cached`
compute a value once; :class:`Designations` and :class:`Referrers` index which resources
other resources point at. Reading a value has no effect but its answer or its
``UnknownValueError``, so an index may read ahead of the scan it replaces (every
candidate's name at once, say); what it never does is raise earlier: an
``UnknownValueError`` met while building is kept with the value it belongs to and raised
exactly where, and only when, the scan would have raised it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, cast, overload

from pulumi_policy.proxy import UnknownValueError

from cdcml.policies.types import ARM_TYPES
from cdcml.policies.vocabulary import MISSING, arm_name, get, listed

__all__ = [
    "Designations",
    "Memo",
    "Pending",
    "Referrers",
    "Resources",
    "StackIndex",
    "any_known",
    "cached",
    "depends_on",
    "name_is",
    "named",
    "of_type",
    "output",
    "refers_to",
    "resolve_id",
    "settled",
    "sole",
]


class Pending:
    """The checks of one stack validation that a value unknown during preview left undecided."""

    def __init__(self) -> None:
        self.errors: list[UnknownValueError] = []

    @contextmanager
    def item(self) -> Iterator[None]:
        """Run one check; an unknown value leaves it undecided instead of ending the policy."""
        try:
            yield
        except UnknownValueError as e:
            self.errors.append(e)

    def finish(self) -> None:
        """Hand the first undecided check to the engine (an advisory, never a violation)."""
        if self.errors:
            raise self.errors[0]


def any_known(items: Iterable[Any], predicate: Callable[[Any], bool]) -> bool:
    """Whether *predicate* holds for some item. An item whose check hits an unknown value
    counts as "maybe": when no item holds for certain, the first such ``UnknownValueError``
    is raised rather than answering ``False`` (which would become a false violation)."""
    errors: list[UnknownValueError] = []
    for item in items:
        try:
            if predicate(item):
                return True
        except UnknownValueError as e:
            errors.append(e)
    if errors:
        raise errors[0]
    return False


class _Settled(Mapping[str, Any]):
    """A stack resource's outputs, with the outputs the program left unset reading as absent."""

    def __init__(self, resource: Any) -> None:
        self._resource = resource
        self._props = resource.props

    def __getitem__(self, key: str) -> Any:
        try:
            return self._props[key]
        except UnknownValueError:
            if (self._resource.property_dependencies or {}).get(key):
                raise
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._props)

    def __len__(self) -> int:
        return len(self._props)


def settled(resource: Any) -> Mapping[str, Any]:
    """A stack resource's outputs as they will settle, for the vocabulary helpers.

    During preview an output the program didn't set as an input is unknown: the provider
    computes it on deployment (a service default). Pulumi records, per input, every
    resource whose output flowed into it, so an unknown top-level output whose input
    depends on no resource is exactly such an unset input, and reads as absent — what an
    unset input means to a resource policy. An unknown that does come from another
    resource's output still raises ``UnknownValueError``. Not for ``name`` or ids, which
    are always computed: read those from ``resource.props``.
    """
    return _Settled(resource)


def output(resource: Any, path: str, default: Any = MISSING) -> Any:
    """The settled output at dotted *path* (see :func:`settled`)."""
    return get(settled(resource), path, default)


class _Names:
    """The candidates' names, read once: what :func:`name_is` compares, per candidate."""

    def __init__(self, candidates: Sequence[Any]) -> None:
        self.known: dict[str, list[int]] = {}  # case-folded name -> positions
        self.unknown: list[tuple[Any, UnknownValueError]] = []  # in candidate order
        self.unknown_by_pulumi_name: dict[str, list[int]] = {}
        for i, c in enumerate(candidates):
            try:
                value = get(c.props, "name")
            except UnknownValueError as e:
                self.unknown.append((c, e))
                self.unknown_by_pulumi_name.setdefault(c.name.casefold(), []).append(i)
                continue
            if isinstance(value, str):
                self.known.setdefault(value.casefold(), []).append(i)
            elif value is MISSING:
                self.known.setdefault(c.name.casefold(), []).append(i)

    def positions(self, wanted: str) -> list[int]:
        """Positions of the candidates :func:`name_is` *wanted* (case-folded) holds for; raises
        as :func:`named` does when none does and some name is unknown."""
        hits = self.known.get(wanted, []) + self.unknown_by_pulumi_name.get(wanted, [])
        if not hits and self.unknown:
            # No unknown-named candidate has the Pulumi name *wanted*: the first one is undecided.
            resource, e = self.unknown[0]
            raise UnknownValueError(e.unknown_type_sentinel, [resource.name, *e.props])
        return sorted(hits)


class Resources(Sequence[Any]):
    """Stack resources (in stack order) with the lookups joins make on them.

    Each lookup is built on first use and kept: the set of their types (what :func:`sole`
    and :func:`refers_to` filter dependencies by), membership by identity, names
    (:meth:`named`), the subset of one ARM type (:meth:`of_arm_type`) and parent → children
    joins (:meth:`under`). Get them from :meth:`StackIndex.of_type`; never mutate one.
    """

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = tuple(items)
        self._ids: frozenset[int] | None = None
        self._urns: frozenset[str] | None = None
        self._types: frozenset[str] | None = None
        self._names: _Names | None = None
        self._arm: dict[str, Resources] = {}
        self._joins: dict[tuple[str, int], tuple[Sequence[Any], dict[int, list[Any]]]] = {}

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __contains__(self, value: object) -> bool:
        # Stack resources compare by identity, so membership is a set lookup.
        if self._ids is None:
            self._ids = frozenset(id(r) for r in self._items)
        return id(value) in self._ids

    def __repr__(self) -> str:
        return f"Resources({[r.urn for r in self._items]!r})"

    @property
    def types(self) -> frozenset[str]:
        """The resource types among these resources."""
        if self._types is None:
            self._types = frozenset(r.resource_type for r in self._items)
        return self._types

    @property
    def urns(self) -> frozenset[str]:
        if self._urns is None:
            self._urns = frozenset(r.urn for r in self._items)
        return self._urns

    def named(self, name: Any) -> list[Any]:
        """:func:`named` over these resources, each name read once per validation."""
        if not isinstance(name, str) or not name.strip():
            return []
        if self._names is None:
            self._names = _Names(self._items)
        return [self._items[i] for i in self._names.positions(name.strip().casefold())]

    def of_arm_type(self, arm_type: str) -> Resources:
        """These resources of ARM type *arm_type* (lower-cased, as :func:`arm_name` gives it)."""
        found = self._arm.get(arm_type)
        if found is None:
            found = self._arm[arm_type] = Resources(
                r for r in self._items if ARM_TYPES.get(r.resource_type) == arm_type
            )
        return found

    def under(self, parent: Any, key: str, parents: Sequence[Any]) -> list[Any]:
        """These resources whose *key* designates *parent* among *parents* (``sole(r, key,
        parents) is parent``), in order. The join is made for all parents on first use."""
        entry = self._joins.get((key, id(parents)))
        if entry is None:
            by_parent: dict[int, list[Any]] = {}
            for r in self._items:
                p = sole(r, key, parents)
                if p is not None:
                    by_parent.setdefault(id(p), []).append(r)
            # The entry keeps *parents* alive, so its id can't be reused while it is cached.
            entry = self._joins[(key, id(parents))] = (parents, by_parent)
        return list(entry[1].get(id(parent), ()))


class StackIndex:
    """The resources of one stack validation, indexed by type and URN.

    Build one per validation (``StackIndex(args.resources)``): the resources are the
    validation's own objects, so an index never outlives it. The type and URN index itself
    is the run's when the list carries it: cdcml's evaluator hands every stack validation a
    list with the positions by type and URN it worked out once per run (``cdcml_index``),
    and the index uses them once it has checked, in one pass, that every position still
    holds the type and URN indexed. Any other list (the SDK servicer's, a policy's own
    selection, one a policy changed) is indexed here."""

    def __init__(self, resources: Iterable[Any]) -> None:
        self.resources = Resources(resources)
        run = getattr(resources, "cdcml_index", None)
        items = self.resources
        self._run = (
            run
            if run is not None
            and tuple(r.resource_type for r in items) == run.type_order
            and tuple(r.urn for r in items) == run.urn_order
            else None
        )
        self._by_type: dict[str, list[Any]] | None = None
        self._by_urn: dict[str, Any] | None = None
        self._of_type: dict[frozenset[str], Resources] = {}

    def of_type(self, *types: str) -> Resources:
        """The resources of *types*, in stack order (as :func:`of_type`)."""
        wanted = frozenset(types)
        found = self._of_type.get(wanted)
        if found is None:
            items: Iterable[Any]
            if len(wanted) == 1 and self._run is not None:
                items = [self.resources[i] for i in self._run.types.get(types[0], ())]
            elif len(wanted) == 1:
                if self._by_type is None:
                    self._by_type = {}
                    for r in self.resources:
                        self._by_type.setdefault(r.resource_type, []).append(r)
                items = self._by_type.get(types[0], ())
            else:
                items = (r for r in self.resources if r.resource_type in wanted)
            found = self._of_type[wanted] = Resources(items)
        return found

    def get(self, urn: str) -> Any | None:
        """The resource with *urn*, if the stack has it."""
        if self._run is not None:
            at = self._run.urns.get(urn)
            return None if at is None else self.resources[at]
        if self._by_urn is None:
            self._by_urn = {r.urn: r for r in self.resources}
        return self._by_urn.get(urn)


T = TypeVar("T")


def cached(cache: dict[Hashable, tuple[Any, UnknownValueError | None]], key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per *key* of *cache*: a later call returns the same value, or
    raises the same ``UnknownValueError``, as the first."""
    hit = cache.get(key)
    if hit is None:
        try:
            value = compute()
        except UnknownValueError as e:
            cache[key] = (None, e)
            raise
        cache[key] = (value, None)
        return value
    if hit[1] is not None:
        raise hit[1]
    return cast(T, hit[0])


class Memo(Generic[T]):
    """*fn* of one resource, computed once per resource (see :func:`cached`). For values
    that depend on nothing but the resource (and the validation's unchanging resources)."""

    def __init__(self, fn: Callable[[Any], T]) -> None:
        self._fn = fn
        self._cache: dict[Hashable, tuple[Any, UnknownValueError | None]] = {}
        self._keep: list[Any] = []  # the resources keyed by id stay alive, so no id is reused

    def __call__(self, resource: Any) -> T:
        key = id(resource)
        if key not in self._cache:
            self._keep.append(resource)
        return cached(self._cache, key, lambda: self._fn(resource))


class Designations:
    """Which of *items* designate which resources, for "does some item designate this
    resource (and pass a check)?" asked of many resources without scanning every item.

    *designate* gives the resources an item designates and may raise ``UnknownValueError``
    (the item is then undecided for every resource). It is called once per item, in order.
    """

    def __init__(self, items: Sequence[Any], designate: Callable[[Any], Iterable[Any]]) -> None:
        self.items = items
        self._by_target: dict[int, list[int]] = {}
        self._undecided: tuple[int, UnknownValueError] | None = None
        for i, item in enumerate(items):
            try:
                targets = designate(item)
            except UnknownValueError as e:
                if self._undecided is None:
                    self._undecided = (i, e)
                continue
            for target in targets:
                positions = self._by_target.setdefault(id(target), [])
                if not positions or positions[-1] != i:
                    positions.append(i)

    def of(self, resource: Any) -> list[Any]:
        """The items known to designate *resource*, in order."""
        return [self.items[i] for i in self._by_target.get(id(resource), ())]

    def any_known(self, resource: Any, check: Callable[[Any], bool]) -> bool:
        """``any_known(items, lambda item: resource in designate(item) and check(item))``:
        ``True`` when an item designating *resource* passes *check* for certain; otherwise
        the first (in item order) ``UnknownValueError`` of an undecided item or of *check*."""
        errors: list[tuple[int, UnknownValueError]] = []
        for i in self._by_target.get(id(resource), ()):
            try:
                if check(self.items[i]):
                    return True
            except UnknownValueError as e:
                errors.append((i, e))
        if self._undecided is not None:
            errors.append(self._undecided)
        if errors:
            raise min(errors, key=lambda error: error[0])[1]
        return False


class Referrers:
    """Which of *items* may refer to a given resource, as :func:`refers_to` with that one
    resource as the candidates (``refers_to(item, key, path, [resource])``) decides.

    An item refers to a resource through the ``propertyDependencies`` of *key*, or by an ARM
    id or bare name at *path*. Each item's dependencies and the ARM types and names at its
    *path* are read once and indexed, so :meth:`of` returns, in order, every item for which
    that call could return the resource or raise — a superset: for any other item it
    returns ``[]`` for certain — without looking at every item.
    """

    def __init__(self, items: Sequence[Any], key: str, path: str) -> None:
        self.items = items
        self._deps: dict[int, list[int]] = {}
        self._undecided: list[int] = []  # the value at *path* (or an item of it) is unknown
        self._names: dict[tuple[str | None, str], list[int]] = {}  # (ARM type or None if bare, name) -> items
        self._arm_types: dict[str | None, list[int]] = {}
        self._of: dict[int, tuple[Any, list[Any]]] = {}
        for i, item in enumerate(items):
            for d in (item.property_dependencies or {}).get(key) or []:
                self._deps.setdefault(id(d), []).append(i)
            try:
                value = output(item, path)
                values = listed(value) if not isinstance(value, str) else [value]
            except UnknownValueError:
                self._undecided.append(i)
                continue
            for v in values:
                parsed = arm_name(v)
                if parsed is not None:
                    arm_type, name = parsed
                    self._add(i, arm_type, name)
                elif isinstance(v, str) and "/" not in v:
                    self._add(i, None, v)

    def _add(self, i: int, arm_type: str | None, name: str) -> None:
        if not name.strip():
            return  # named() matches nothing for an empty name
        self._names.setdefault((arm_type, name.strip().casefold()), []).append(i)
        self._arm_types.setdefault(arm_type, []).append(i)

    def of(self, resource: Any) -> list[Any]:
        """The items that may refer to *resource*, in order (worked out once per resource)."""
        found = self._of.get(id(resource))
        if found is None:
            found = self._of[id(resource)] = (resource, self._referrers(resource))
        return list(found[1])

    def _referrers(self, resource: Any) -> list[Any]:
        positions = {*self._deps.get(id(resource), ()), *self._undecided}
        arm_type = ARM_TYPES.get(resource.resource_type)
        kinds: tuple[str | None, ...] = (None, arm_type) if arm_type is not None else (None,)
        try:
            value = get(resource.props, "name")
        except UnknownValueError:
            # Its name is unknown: an item naming any resource of its kind may name it (or is undecided).
            for kind in kinds:
                positions.update(self._arm_types.get(kind, ()))
        else:
            key = value.casefold() if isinstance(value, str) else resource.name.casefold() if value is MISSING else None
            if key is not None:
                for kind in kinds:
                    positions.update(self._names.get((kind, key), ()))
        return [self.items[i] for i in sorted(positions)]


def of_type(resources: Iterable[Any], *types: str) -> list[Any]:
    wanted = frozenset(types)
    return [r for r in resources if r.resource_type in wanted]


def _unique(items: Iterable[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for r in items:
        if r.urn not in seen:
            seen.add(r.urn)
            out.append(r)
    return out


def depends_on(resource: Any, key: str | None, *types: str) -> list[Any]:
    """The resources of *types* that property *key* of *resource* depends on (all of its
    dependencies when *key* is ``None``)."""
    wanted = frozenset(types)
    if key is None:
        deps: Sequence[Any] = resource.dependencies or []
    else:
        deps = (resource.property_dependencies or {}).get(key) or []
    return _unique(d for d in deps if d.resource_type in wanted)


def name_is(resource: Any, name: str) -> bool:
    """Whether *resource* is called *name* (case-insensitively, as ARM compares names).

    Its ``name`` output is unknown in preview; then its Pulumi name decides a match, and
    a different Pulumi name leaves the question open (``UnknownValueError``)."""
    wanted = name.casefold()
    try:
        value = get(resource.props, "name")
    except UnknownValueError as e:
        if resource.name.casefold() == wanted:
            return True
        # Say whose name: "string value at .<pulumi name>.name can't be known during preview".
        raise UnknownValueError(e.unknown_type_sentinel, [resource.name, *e.props]) from None
    if isinstance(value, str):
        return value.casefold() == wanted
    return bool(value is MISSING and resource.name.casefold() == wanted)


def named(name: Any, candidates: Iterable[Any]) -> list[Any]:
    """The *candidates* called *name*; undecidable (``UnknownValueError``) only when none
    matches for certain and one of them has an unknown name."""
    if isinstance(candidates, Resources):
        return candidates.named(name)
    if not isinstance(name, str) or not name.strip():
        return []
    hits: list[Any] = []
    errors: list[UnknownValueError] = []
    for c in candidates:
        try:
            if name_is(c, name.strip()):
                hits.append(c)
        except UnknownValueError as e:
            errors.append(e)
    if not hits and errors:
        raise errors[0]
    return hits


def resolve_id(value: Any, candidates: Iterable[Any]) -> list[Any]:
    """The *candidates* an ARM id (or a bare name) designates."""
    parsed = arm_name(value)
    if parsed is not None:
        arm_type, name = parsed
        if isinstance(candidates, Resources):
            return candidates.of_arm_type(arm_type).named(name)
        return named(name, [c for c in candidates if ARM_TYPES.get(c.resource_type) == arm_type])
    if isinstance(value, str) and "/" not in value:
        return named(value, candidates)
    return []


def refers_to(resource: Any, key: str, path: str | None, candidates: Sequence[Any]) -> list[Any]:
    """The *candidates* that property *key* of *resource* refers to.

    ``propertyDependencies`` of *key* decide when they name any candidate; otherwise the
    value at *path* (an ARM id or a name, or a list of them) is resolved. Raises
    ``UnknownValueError`` when that value, or a name it must be compared with, is unknown.
    """
    if isinstance(candidates, Resources):
        types, urns = candidates.types, candidates.urns
    else:
        types, urns = frozenset(c.resource_type for c in candidates), frozenset(c.urn for c in candidates)
    deps = [d for d in depends_on(resource, key, *types) if d.urn in urns]
    if deps or path is None:
        return deps
    value = output(resource, path)
    values = listed(value) if not isinstance(value, str) else [value]
    out: list[Any] = []
    for v in values:
        out.extend(resolve_id(v, candidates))
    return _unique(out)


def sole(resource: Any, key: str, candidates: Sequence[Any]) -> Any | None:
    """The one candidate *resource*'s *key* depends on; else, when *key* depends on no
    resource at all and the stack has exactly one candidate, that one (a child whose
    parent name was given as a literal string)."""
    types = candidates.types if isinstance(candidates, Resources) else {c.resource_type for c in candidates}
    deps = depends_on(resource, key, *types)
    if len(deps) == 1:
        return deps[0]
    if not (resource.property_dependencies or {}).get(key) and len(candidates) == 1:
        return candidates[0]
    return None
