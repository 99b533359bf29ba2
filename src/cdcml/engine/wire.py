"""The engine's property-value wire form, and the marshaling it applies for analyzers.

Pulumi's engine passes resource properties to policy packs as a protobuf ``Struct`` in
which special values are encoded as signature objects (``sdk/go/common/resource/sig``)
and unknowns as sentinel strings. cdcml keeps property values in exactly that form in
the :class:`~cdcml.model.ResourceGraph`, and this module is the only place that knows
the encodings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

from cdcml.model import Resource, ResourceGraph

__all__ = [
    "ARCHIVE_SIG",
    "ASSET_SIG",
    "OUTPUT_VALUE_SIG",
    "REDACTED",
    "RESOURCE_REF_SIG",
    "SECRET_SIG",
    "SIG_KEY",
    "UNKNOWN",
    "UNKNOWN_SENTINELS",
    "contains_secret",
    "contains_unknown",
    "from_struct",
    "graph_secrets",
    "is_secret",
    "is_unknown",
    "marshal_for_analyzer",
    "redact",
    "redact_text",
    "resource_ids",
    "reveal",
    "secret",
    "to_struct",
]

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"

UNKNOWN = UNKNOWN_STRING_VALUE
UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)

REDACTED = "[secret]"
"""What a secret looks like wherever cdcml shows a value, and the plaintext of a secret
whose ciphertext can't be decrypted (as ``pulumi policy analyze`` does)."""


def secret(value: Any) -> dict[str, Any]:
    """Wrap a plain value as a wire-form secret."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG


def reveal(value: Any) -> Any:
    """The plain value of a wire-form secret (or the value itself if it isn't one)."""
    return value.get("value") if is_secret(value) else value


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def contains_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_secret(v) for v in value)
    return False


def contains_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def redact(value: Any) -> Any:
    """A display-safe copy: every secret replaced by ``"[secret]"``, unknowns by ``"<unknown>"``."""
    if is_secret(value):
        return REDACTED
    if is_unknown(value):
        return "<unknown>"
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def secret_values(value: Any) -> list[str]:
    """Every plaintext string (and scalar) held inside a secret, for leak checks."""
    found: list[str] = []

    def walk(v: Any, inside: bool) -> None:
        if is_secret(v):
            walk(v.get("value"), True)
        elif isinstance(v, Mapping):
            for x in v.values():
                walk(x, inside)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x, inside)
        elif inside and v is not None and not isinstance(v, bool) and str(v) != REDACTED:
            found.append(str(v))

    walk(value, False)
    return found


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """*text* with each of *secrets* (plaintexts of 3 characters or more) replaced by
    ``"[secret]"``, the longest first, so a secret that contains another is never left
    half-shown."""
    for value in sorted({v for v in secrets if len(v) >= 3 and v != REDACTED}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def graph_secrets(graph: ResourceGraph, resources: Iterable[Resource] | None = None) -> set[str]:
    """The secret plaintexts of *graph*: its secret property values (of *resources* only,
    when given) and its secret config values."""
    values: set[str] = set()
    for r in graph.resources if resources is None else resources:
        values.update(secret_values(r.inputs))
        values.update(secret_values(r.outputs))
    for key in graph.config_secret_keys:
        value = graph.config.get(key)
        if value:
            values.add(value)
    return values


RefResolver = Callable[[str], str | None]
"""Maps a resource URN to its ID (``None`` when the ID is unknown, ``""`` for components)."""


def resource_ids(resources: Iterable[Resource]) -> dict[str, str | None]:
    """URN → what a reference to that resource marshals to (see :data:`RefResolver`);
    ``resource_ids(graph).get`` is the resolver for :func:`marshal_for_analyzer`."""
    return {r.urn: ((None if is_unknown(r.id) else r.id) if r.custom else "") for r in resources}


def marshal_for_analyzer(props: Mapping[str, Any], resolve_id: RefResolver | None = None) -> dict[str, Any]:
    """Marshal properties the way the engine does before sending them to an analyzer.

    Mirrors ``MarshalProperties(props, {KeepUnknowns: true, KeepSecrets: true,
    SkipInternalKeys: true})`` in ``analyzer_plugin.go``: internal keys (``__``-prefixed)
    are dropped at every level, secrets and unknowns are kept, resource references are
    downgraded to their ID (or URN for components, unknown when the ID is unknown), and
    output values are replaced by their value or an unknown sentinel.
    """
    return {k: _marshal(v, resolve_id) for k, v in props.items() if not str(k).startswith("__")}


def _marshal(value: Any, resolve_id: RefResolver | None) -> Any:
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
