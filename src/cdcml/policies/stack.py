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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from cdcml.policies.types import ARM_TYPES
from cdcml.policies.vocabulary import MISSING, arm_name, get, listed

__all__ = [
    "Pending",
    "any_known",
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
    types = {c.resource_type for c in candidates}
    deps = [d for d in depends_on(resource, key, *types) if any(d.urn == c.urn for c in candidates)]
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
    types = {c.resource_type for c in candidates}
    deps = depends_on(resource, key, *types)
    if len(deps) == 1:
        return deps[0]
    if not (resource.property_dependencies or {}).get(key) and len(candidates) == 1:
        return candidates[0]
    return None
