"""The protobuf ``Struct`` every Pulumi protocol carries properties in — the resource
monitor's (capture) and the analyzer's (engine) — converted as the SDKs convert it:
numbers become floats on the way in, and come back as floats.

What a Struct can't carry is a :class:`PropertyValueError` naming the property path,
never protobuf's ``RecursionError`` or ``UnicodeEncodeError``: values nested more than
:data:`~cdcml.inputs.MAX_DEPTH` levels deep (a Python policy pack fails on them under the
Pulumi CLI too, past about 200) and strings with a lone surrogate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

from cdcml.errors import CdcmlError
from cdcml.inputs import MAX_DEPTH, find_problem

__all__ = ["PropertyValueError", "from_struct", "to_struct"]


class PropertyValueError(CdcmlError):
    """A property value a protobuf Struct can't carry (not a ``ValueError``: callers that
    catch those for NaN numbers must not catch this one)."""


def _refuse(props: Any, problem: str | None) -> PropertyValueError:
    """The error naming where in *props* the problem is: *problem* is nesting (the
    properties themselves are level 0), or ``None`` for what :func:`find_problem` says."""
    found = find_problem(props, MAX_DEPTH + 1 if problem is not None else None)
    path, said = found if found is not None else ("", "")
    text = problem or said or "a value can't be carried"
    return PropertyValueError(f"property {path}: {text}" if path else f"a property value: {text}")


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """A protobuf Struct of (already marshaled) properties: numbers become floats here,
    exactly as on the wire."""
    s = struct_pb2.Struct()
    try:
        s.update(_plain(props, 0))
    except (_TooDeep, RecursionError):
        raise _refuse(props, f"nested more than {MAX_DEPTH} levels deep") from None
    except UnicodeEncodeError:
        raise _refuse(props, None) from None
    return s


class _TooDeep(Exception):
    pass


def _plain(value: Any, depth: int) -> Any:
    # Struct.update wants real dicts and lists.
    if isinstance(value, Mapping):
        if depth > MAX_DEPTH:
            raise _TooDeep
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if depth > MAX_DEPTH:
            raise _TooDeep
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    raise TypeError(f"value of type {type(value).__name__} can't be a resource property")


def from_struct(s: struct_pb2.Struct) -> dict[str, Any]:
    """The JSON value of a Struct, as the Python policy SDK reads it (numbers as floats)."""
    try:
        return json_format.MessageToDict(s)
    except RecursionError:
        raise PropertyValueError("a property value is nested too deeply to be read (past about 200 levels)") from None
