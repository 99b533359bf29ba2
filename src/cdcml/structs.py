"""The protobuf ``Struct`` every Pulumi protocol carries properties in — the resource
monitor's (capture) and the analyzer's (engine) — converted as the SDKs convert it:
numbers become floats on the way in, and come back as floats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

__all__ = ["from_struct", "to_struct"]


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """A protobuf Struct of (already marshaled) properties: numbers become floats here,
    exactly as on the wire."""
    s = struct_pb2.Struct()
    s.update(_plain(props))
    return s


def _plain(value: Any) -> Any:
    # Struct.update wants real dicts and lists.
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    raise TypeError(f"value of type {type(value).__name__} can't be a resource property")


def from_struct(s: struct_pb2.Struct) -> dict[str, Any]:
    """The JSON value of a Struct, as the Python policy SDK reads it (numbers as floats)."""
    return json_format.MessageToDict(s)
