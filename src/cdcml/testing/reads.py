"""What each policy actually reads: the ``props`` paths a policy touches while it runs on a
graph, recorded through the same proxy the SDK hands it.

The engine's evaluator takes an *observe* hook (:func:`cdcml.engine.evaluate.evaluate`)
that wraps each resource's ``props`` proxy; :func:`record_reads` wraps it in a recording
view that notes every key read (``props["a"]``, ``props.get("a")``, ``"a" in props``,
nested values, list items) against the policy running at that moment (told by the
evaluator's *watch*), then hands back exactly what the SDK's proxy gives — unknown values
still raise the SDK's ``UnknownValueError`` — so no finding changes while it records.

The weakenings of the kill matrix (:mod:`cdcml.testing.kill_matrix`) change only
properties some policy reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import Pack
from cdcml.model import Findings, Resource, ResourceGraph

__all__ = ["Path", "PolicyReads", "record_reads"]

Path = tuple[str | int, ...]
"""A property path: keys of objects and indexes of lists, from the top of ``props``."""


@dataclass(frozen=True)
class PolicyReads:
    """The reads of one policy: for each resource type, the property paths it read."""

    pack: str
    policy: str
    paths: Mapping[str, frozenset[Path]]

    @property
    def name(self) -> str:
        return f"{self.pack}/{self.policy}"


class _Recorder:
    """The evaluator's watch (which policy is running) and observe hook (wrap props)."""

    def __init__(self, pack: Pack) -> None:
        self.names = [p.name for p in pack.policies]
        self.current: str | None = None
        self.reads: dict[str, dict[str, set[Path]]] = defaultdict(lambda: defaultdict(set))

    def begin(self, policy: int, resource: int) -> None:
        self.current = self.names[policy] if 0 <= policy < len(self.names) else None

    def end(self) -> None:
        self.current = None

    def note(self, type_: str, path: Path) -> None:
        if self.current is not None:
            self.reads[self.current][type_].add(path)

    def observe(self, resource: Resource) -> Any:
        return lambda proxy: _wrap(proxy, (), self, resource.type)


def _wrap(value: Any, path: Path, recorder: _Recorder, type_: str) -> Any:
    if isinstance(value, Mapping):
        return _MappingView(value, path, recorder, type_)
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return _SequenceView(value, path, recorder, type_)
    return value


class _MappingView(Mapping[str, Any]):
    """A read-recording view of the SDK's dict proxy; reads and assignments go through."""

    def __init__(self, target: Any, path: Path, recorder: _Recorder, type_: str) -> None:
        self._target, self._path, self._recorder, self._type = target, path, recorder, type_

    def __getitem__(self, key: str) -> Any:
        path = (*self._path, key)
        self._recorder.note(self._type, path)
        return _wrap(self._target[key], path, self._recorder, self._type)

    def __setitem__(self, key: str, value: Any) -> None:
        self._target[key] = value

    def __iter__(self) -> Iterator[str]:
        return iter(self._target)

    def __len__(self) -> int:
        return len(self._target)

    def __repr__(self) -> str:
        return repr(dict(self))


class _SequenceView(Sequence[Any]):
    """A read-recording view of the SDK's list proxy."""

    def __init__(self, target: Any, path: Path, recorder: _Recorder, type_: str) -> None:
        self._target, self._path, self._recorder, self._type = target, path, recorder, type_

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        path = (*self._path, index)
        self._recorder.note(self._type, path)
        return _wrap(self._target[index], path, self._recorder, self._type)

    def __len__(self) -> int:
        return len(self._target)

    def __repr__(self) -> str:
        return repr(list(self))


def record_reads(
    graph: ResourceGraph, packs: Sequence[Pack], configs: Sequence[PackConfig | None] | None = None
) -> tuple[list[PolicyReads], list[Findings]]:
    """Evaluate each of *packs* on *graph* (one at a time, so each pack's policies are told
    apart) and return what every policy read, with each pack's findings — the findings an
    evaluation without recording gives."""
    reads: list[PolicyReads] = []
    findings: list[Findings] = []
    for i, pack in enumerate(packs):
        recorder = _Recorder(pack)
        config = [configs[i]] if configs is not None and i < len(configs) else None
        findings.append(evaluate(graph, [pack], config, watch=recorder, observe=recorder.observe))
        for policy in pack.policies:
            by_type = recorder.reads.get(policy.name, {})
            reads.append(
                PolicyReads(pack.name, policy.name, {t: frozenset(paths) for t, paths in sorted(by_type.items())})
            )
    return reads, findings
