"""The marshaling the engine applies before it sends properties to an analyzer. The value
encodings are :mod:`cdcml.model.values`; the protobuf ``Struct`` they then travel in is
:mod:`cdcml.structs`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from google.protobuf import struct_pb2

from cdcml.model import Resource
from cdcml.model.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    OUTPUT_VALUE_SIG,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    is_unknown,
)
from cdcml.structs import from_struct, to_struct

__all__ = ["RefResolver", "as_received", "marshal_for_analyzer", "resource_ids"]


RefResolver = Callable[[str], str | None]
"""Maps a resource URN to its ID (``None`` when the ID is unknown, ``""`` for components)."""


def resource_ids(resources: Iterable[Resource]) -> dict[str, str | None]:
    """URN → what a reference to that resource marshals to (see :data:`RefResolver`);
    ``resource_ids(graph).get`` is the resolver for :func:`marshal_for_analyzer`. As the
    engine's ``MakeCustomResourceReference``: a custom resource's id, unknown when it is
    unknown or empty (not yet created); a component has no id, so its URN."""
    return {r.urn: ((None if not r.id or is_unknown(r.id) else r.id) if r.custom else "") for r in resources}


def marshal_for_analyzer(props: Mapping[str, Any], resolve_id: RefResolver | None = None) -> dict[str, Any]:
    """Marshal properties the way the engine does before sending them to an analyzer.

    Mirrors ``MarshalProperties(props, {KeepUnknowns: true, KeepSecrets: true,
    SkipInternalKeys: true})`` in ``analyzer_plugin.go``: internal keys (``__``-prefixed)
    are dropped at every level, secrets and unknowns are kept, resource references are
    downgraded to their ID (or URN for components, unknown when the ID is unknown), and
    output values are replaced by their value or an unknown sentinel.
    """
    return {k: _marshal(v, resolve_id) for k, v in props.items() if not str(k).startswith("__")}


_SCALARS = frozenset({str, bool, int, float, type(None)})


def _marshal(value: Any, resolve_id: RefResolver | None) -> Any:
    if type(value) in _SCALARS:
        return value  # the common case, decided without the Mapping ABC check below
    if isinstance(value, Mapping):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return {SIG_KEY: SECRET_SIG, "value": _marshal(value.get("value"), resolve_id)}
        if sig == RESOURCE_REF_SIG:
            urn = str(value.get("urn", ""))
            if "id" in value:
                rid = value.get("id")
                return UNKNOWN if rid in (None, "") or is_unknown(rid) else rid
            if resolve_id is not None:
                resolved = resolve_id(urn)
                if resolved is None:
                    return UNKNOWN
                if resolved:
                    return resolved
            return urn
        if sig == OUTPUT_VALUE_SIG:
            if "value" not in value:
                return UNKNOWN
            inner = _marshal(value["value"], resolve_id)
            return {SIG_KEY: SECRET_SIG, "value": inner} if value.get("secret") else inner
        if sig in (ASSET_SIG, ARCHIVE_SIG):
            return {k: _marshal(v, resolve_id) for k, v in value.items()}
        return {k: _marshal(v, resolve_id) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, (list, tuple)):
        return [_marshal(v, resolve_id) for v in value]
    # Scalars (NaN and infinity included) pass as they are: a Struct carries them, as the
    # engine's does.
    return value


def as_received(marshaled: Mapping[str, Any]) -> dict[str, Any]:
    """*marshaled* properties as a policy pack reads them off the wire: exactly
    ``from_struct(to_struct(marshaled))`` — numbers as floats, every dict's keys in the
    order the protobuf ``Struct`` map gives them back, the same errors — without building
    the Struct for the plain values properties are made of. Anything else (a NaN, an
    integer a double can't hold exactly, a lone surrogate, deep nesting, a type a Struct
    refuses) takes the Struct road, which gives the answer or the error."""
    try:
        return _received_dict(marshaled, 0)
    except _Unusual:
        return from_struct(to_struct(marshaled))


class _Unusual(Exception):
    """A value :func:`as_received` leaves to the real Struct round trip."""


_EXACT = 2**53
"""Integers of at most this magnitude are floats exactly (beyond it, the Struct rounds)."""
_DEEP = 32
"""Containers nested deeper than this take the Struct road (its depth checks and limits)."""


def _received(value: Any, depth: int) -> Any:
    t = type(value)
    if t is str:
        if value.isascii() or _encodable(value):
            return value
        raise _Unusual
    if t is bool or value is None:
        return value
    if t is float:
        if value - value == 0.0:  # finite
            return value
        raise _Unusual
    if t is int:
        if -_EXACT <= value <= _EXACT:
            return float(value)
        raise _Unusual
    if t is dict:
        return _received_dict(value, depth + 1)
    if t is list or t is tuple:
        if depth >= _DEEP:
            raise _Unusual
        return [_received(v, depth + 1) for v in value]
    raise _Unusual


def _received_dict(d: Mapping[str, Any], depth: int) -> dict[str, Any]:
    if depth > _DEEP or type(d) is not dict:
        raise _Unusual
    keys = tuple(d)
    if len(keys) > 1:
        keys = _struct_order(keys)
    elif keys and (type(keys[0]) is not str or not (keys[0].isascii() or _encodable(keys[0]))):
        raise _Unusual
    return {k: _received(d[k], depth) for k in keys}


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _struct_order(keys: tuple[Any, ...]) -> tuple[str, ...]:
    """The order a protobuf ``Struct`` map built by inserting *keys* in this order gives
    them back in (its hash order: a function of the keys and their insertion order only)."""
    if any(type(k) is not str for k in keys):
        raise _Unusual
    s = struct_pb2.Struct()
    try:
        for k in keys:
            s.fields[k].null_value = 0
    except (UnicodeEncodeError, ValueError):
        raise _Unusual from None
    return tuple(s.fields)
