"""Property values in the engine's wire form, the one encoding every source and consumer
of a :class:`~cdcml.model.ResourceGraph` shares.

Pulumi's engine passes resource properties to policy packs as a protobuf ``Struct`` in
which special values are encoded as signature objects (``sdk/go/common/resource/sig``)
and unknowns as sentinel strings:

* a secret is ``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  "value": <plain value>}``; a secret whose ciphertext could not be decrypted carries the
  value ``"[secret]"``;
* a value that can't be known yet is one of the engine's unknown sentinel strings (the
  Python policy SDK's ``pulumi_policy.proxy.UNKNOWN_*_VALUE``; a contract test pins them);
* assets, archives and resource references keep their signature objects.

This module knows the encodings and how to show a value safely (secrets redacted);
:mod:`cdcml.engine.wire` marshals values for analyzers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdcml.model.graph import Resource, ResourceGraph

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
    "contains_hidden_secret",
    "contains_secret",
    "contains_unknown",
    "graph_secrets",
    "is_secret",
    "is_unknown",
    "redact",
    "redact_text",
    "render_config_value",
    "reveal",
    "secret",
    "secret_values",
]

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"

UNKNOWN_BOOLEAN = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"
UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421"
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"
UNKNOWN_ASSET = "030794c1-ac77-496b-92df-f27374a8bd58"
UNKNOWN_ARCHIVE = "e48ece36-62e2-4504-bad9-02848725956a"
UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"

UNKNOWN = UNKNOWN_STRING
UNKNOWN_SENTINELS = frozenset(
    {UNKNOWN_BOOLEAN, UNKNOWN_NUMBER, UNKNOWN_STRING, UNKNOWN_ARRAY, UNKNOWN_ASSET, UNKNOWN_ARCHIVE, UNKNOWN_OBJECT}
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
    """Whether *value* is, or holds at any depth, a secret in wire form."""
    if is_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_secret(v) for v in value)
    return False


def contains_hidden_secret(value: Any) -> bool:
    """Whether *value* holds a secret whose plaintext is ``"[secret]"``: stored state's
    secret that could not be decrypted."""
    if is_secret(value):
        return value.get("value") == REDACTED or contains_hidden_secret(value.get("value"))
    if isinstance(value, Mapping):
        return any(contains_hidden_secret(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_hidden_secret(v) for v in value)
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


def all_finite(values: Iterable[Any]) -> bool:
    """No NaN or infinity anywhere in *values* (JSON-like values, frozen or not): one walk
    on type checks alone, for the common case where there is nothing to point at."""
    stack = list(values)
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is str or kind is int or kind is bool or v is None:
            continue
        if kind is float:
            if not math.isfinite(v):
                return False
        elif isinstance(v, Mapping):
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
        elif isinstance(v, float) and not math.isfinite(v):
            return False
    return True


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


def render_config_value(value: Any) -> str:
    """A config value as the CLI hands it to programs and packs (``ResourceGraph.config``):
    strings as-is, the rest as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))
