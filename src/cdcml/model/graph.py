"""The one model in: ``ResourceGraph``, what every source produces (program capture,
stack state) and the evaluator consumes. Frozen, plain data: no Pulumi or CrossGuard
objects inside.

Property values (``Resource.inputs``, ``Resource.outputs``, stack outputs) are kept in the
engine's *wire form* (:mod:`cdcml.model.values`). Containers inside property values are
:class:`FrozenDict` and tuples, so a graph can be shared between policies, threads and
Hypothesis examples without defensive copies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CustomTimeouts",
    "FrozenDict",
    "Resource",
    "ResourceGraph",
    "ResourceOptions",
    "SourcePosition",
    "freeze",
    "thaw",
]


class FrozenDict(dict[str, Any]):
    """A ``dict`` that refuses mutation. It stays a ``dict`` so JSON, protobuf and
    the Pulumi SDKs accept it unchanged."""

    __slots__ = ()

    def _readonly(self, *args: object, **kwargs: object) -> Any:
        raise TypeError("ResourceGraph property values are immutable")

    __setitem__ = __delitem__ = _readonly
    clear = pop = popitem = setdefault = update = _readonly
    __ior__ = _readonly

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted((k, _hashable(v)) for k, v in self.items())))

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


def freeze(value: Any) -> Any:
    """Deep-convert a JSON-like value to its immutable form (dict → FrozenDict, list → tuple)."""
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Deep-convert a frozen value back to plain, mutable ``dict``/``list`` JSON."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class CustomTimeouts:
    """Resource custom timeouts, in seconds (as the engine passes them to analyzers)."""

    create: float = 0.0
    update: float = 0.0
    delete: float = 0.0


@dataclass(frozen=True, slots=True)
class ResourceOptions:
    """The resource options the engine hands to policies, plus a few it records in state."""

    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool | None = None
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    custom_timeouts: CustomTimeouts | None = None
    retain_on_delete: bool = False
    deleted_with: str = ""
    replace_on_changes: tuple[str, ...] = ()
    import_id: str = ""


@dataclass(frozen=True, slots=True)
class SourcePosition:
    """Where the program registered a resource, as the Pulumi engine records it: ``path``
    relative to the project directory (the one holding ``Pulumi.yaml``; ``/``-separated,
    ``..`` for a file beside it), ``line`` from 1, ``column`` (0: not known)."""

    path: str
    line: int
    column: int = 0

    @property
    def uri(self) -> str:
        """The engine's form (a resource's ``sourcePosition`` in state):
        ``project:///<path>#<line>[,<column>]``."""
        column = f",{self.column}" if self.column else ""
        return f"project:///{self.path}#{self.line}{column}"


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource of a stack, as the engine sees it.

    ``inputs`` are the post-Check inputs (provider defaults and auto-names applied);
    ``outputs`` the provider's outputs (unknown sentinels where a value can't be known).
    ``provider`` is a provider reference ``"<provider urn>::<provider id>"`` or ``""``.
    ``source_position`` is where the program declared it (a captured program only).
    """

    urn: str
    type: str
    name: str
    custom: bool
    id: str = ""
    inputs: Mapping[str, Any] = field(default_factory=FrozenDict)
    outputs: Mapping[str, Any] = field(default_factory=FrozenDict)
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=FrozenDict)
    provider: str = ""
    options: ResourceOptions = field(default_factory=ResourceOptions)
    external: bool = False
    delete: bool = False
    pending_replacement: bool = False
    source_position: SourcePosition | None = None

    @property
    def provider_urn(self) -> str:
        """The URN part of the provider reference (``""`` when there is none)."""
        return self.provider.rsplit("::", 1)[0] if self.provider else ""

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")


@dataclass(frozen=True, slots=True)
class ResourceGraph:
    """All resources of one stack, in registration (dependency) order, and its outputs.

    ``source`` says where the graph came from: ``preview`` or ``resolved`` for a captured
    program, ``state`` for a stack export or backend checkpoint. ``dry_run`` is what the
    engine would pass to policies as ``PULUMI_DRY_RUN``. ``config`` is the stack's
    configuration as the CLI passes it to packs (``PULUMI_CONFIG``); keys listed in
    ``config_secret_keys`` hold secrets and must never be printed.
    """

    project: str
    stack: str
    resources: tuple[Resource, ...]
    outputs: Mapping[str, Any] = field(default_factory=FrozenDict)
    organization: str = "organization"
    source: str = "preview"
    dry_run: bool = True
    config: Mapping[str, str] = field(default_factory=FrozenDict)
    config_secret_keys: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=FrozenDict)
    diagnostics: tuple[str, ...] = ()
    _index: Mapping[str, Resource] = field(default_factory=FrozenDict, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Resource] = {}
        for r in self.resources:
            if r.urn in index:
                raise ValueError(f"duplicate resource URN {r.urn}")
            index[r.urn] = r
        object.__setattr__(self, "_index", index)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def get(self, urn: str) -> Resource | None:
        return self._index.get(urn)

    def __getitem__(self, urn: str) -> Resource:
        return self._index[urn]

    def __contains__(self, urn: object) -> bool:
        return urn in self._index

    def of_type(self, *types: str) -> tuple[Resource, ...]:
        wanted = set(types)
        return tuple(r for r in self.resources if r.type in wanted)

    @property
    def stack_urn(self) -> str:
        for r in self.resources:
            if r.type == "pulumi:pulumi:Stack":
                return r.urn
        return ""

    def types(self) -> dict[str, int]:
        """Resource count per type, in first-seen order."""
        counts: dict[str, int] = {}
        for r in self.resources:
            counts[r.type] = counts.get(r.type, 0) + 1
        return counts
