"""Property values of stored state → the engine's wire form (:mod:`cdcml.model.values`), frozen.

* a secret stays a secret: ``{"…sig": "1b47…", "ciphertext": …}`` becomes the wire secret
  of its value when :class:`~cdcml.state.secrets.StateSecrets` can decrypt it (the passphrase
  secrets manager with a passphrase given), else the wire secret ``"[secret]"`` (the CLI's
  blinding provider); an export made with ``--show-secrets`` carries ``"plaintext"`` (the
  JSON of the value), which becomes a wire secret of that value;
* assets, archives and resource references keep their signature objects (the evaluator's
  marshaling turns references into IDs); a byte string (feature ``byteString``) becomes
  the string of its bytes (invalid UTF-8 replaced, since a protobuf string must be
  UTF-8); a NaN/Inf float becomes that float;
* the computed placeholder stays the unknown sentinel it is.

Errors name the source, the resource and the property path, never a value (values may be
secrets).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from collections.abc import Mapping
from typing import Any

from cdcml.errors import StateError
from cdcml.inputs import LARGEST_NUMBER, MAX_DEPTH, load_json, shorten, value_problem
from cdcml.model import FrozenDict
from cdcml.model.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    OUTPUT_VALUE_SIG,
    REDACTED,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
)
from cdcml.secrets import remember
from cdcml.state.secrets import StateSecrets
from cdcml.state.urns import parse_urn

__all__ = ["BYTESTRING_SIG", "COMPUTED_PLACEHOLDER", "FLOAT_SIG", "PropertyDecoder"]

BYTESTRING_SIG = "803fd3297a5875dc03ca845dda5d2a98"
FLOAT_SIG = "8ad145fe-0d11-4827-bfd7-1abcbf086f5c"
COMPUTED_PLACEHOLDER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")


class PropertyDecoder:
    """Decodes state property values into the engine's wire form (frozen)."""

    def __init__(self, source: str, features: tuple[str, ...], secrets: StateSecrets | None = None) -> None:
        self.source = source
        self.features = features
        self.secrets = secrets
        self.redacted = 0
        self.decrypted = 0
        self.byte_strings = 0

    def error(self, where: str, path: str, problem: str) -> StateError:
        at = f".{shorten(path, 120)}" if path else ""
        return StateError(f"{self.source}: {shorten(where, 200)}{at}: {problem}")

    def props(self, value: Any, where: str, name: str) -> FrozenDict:
        if value is None:
            return FrozenDict()
        if not isinstance(value, Mapping):
            raise self.error(where, name, "must be an object of properties")
        return FrozenDict({str(k): self.value(v, where, f"{name}.{k}") for k, v in value.items()})

    def value(self, v: Any, where: str, path: str, depth: int = 1) -> Any:
        """*v* in wire form; *depth* counts the containers it is in (itself included),
        refused past :data:`~cdcml.inputs.MAX_DEPTH`."""
        if isinstance(v, str) or v is None or isinstance(v, (bool, float)):
            return v
        if isinstance(v, int):
            if -LARGEST_NUMBER <= v <= LARGEST_NUMBER:
                return v
            raise self.error(where, path, str(value_problem(v)))
        if depth > MAX_DEPTH:
            raise self.error(where, path, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(v, Mapping):
            sig = v.get(SIG_KEY)
            if sig is None:
                return FrozenDict({str(k): self.value(x, where, f"{path}.{k}", depth + 1) for k, x in v.items()})
            return self.special(v, sig, where, path, depth)
        if isinstance(v, list):
            return tuple(self.value(x, where, f"{path}[{i}]", depth + 1) for i, x in enumerate(v))
        raise self.error(where, path, f"unexpected value of type {type(v).__name__}")  # pragma: no cover

    def special(self, v: Mapping[str, Any], sig: Any, where: str, path: str, depth: int = 1) -> Any:
        if sig == SECRET_SIG:
            has_cipher, has_plain = "ciphertext" in v, "plaintext" in v
            if has_cipher == has_plain:
                raise self.error(where, path, "a secret must have exactly one of 'ciphertext' and 'plaintext'")
            if has_cipher:
                ciphertext = v["ciphertext"]
                if not isinstance(ciphertext, str):
                    raise self.error(where, path, "a secret's 'ciphertext' must be a string")
                decrypted = self.secrets.decrypt(ciphertext, where, path) if self.secrets is not None else None
                if decrypted is None:
                    # Policies see "[secret]", as with `pulumi policy analyze` without the key.
                    self.redacted += 1
                    return FrozenDict({SIG_KEY: SECRET_SIG, "value": REDACTED})
                self.decrypted += 1
                return self.plaintext(decrypted, where, path, depth, "a decrypted secret is not valid JSON")
            plaintext = v["plaintext"]
            if not isinstance(plaintext, str):
                raise self.error(where, path, "a secret's 'plaintext' must be a string of JSON")
            return self.plaintext(plaintext, where, path, depth, "a secret's 'plaintext' is not valid JSON")
        if sig in (ASSET_SIG, ARCHIVE_SIG):
            return self.asset(v, sig, where, path, depth)
        if sig == RESOURCE_REF_SIG:
            urn = v.get("urn")
            if not isinstance(urn, str) or parse_urn(urn) is None:
                raise self.error(where, path, "a resource reference needs a valid 'urn'")
            for key in ("id", "packageVersion"):
                if key in v and v[key] is not None and not isinstance(v[key], str):
                    raise self.error(where, path, f"a resource reference's {key!r} must be a string")
            return FrozenDict({k: x for k, x in v.items() if x is not None})
        if sig == BYTESTRING_SIG:
            raw = v.get("value")
            if not isinstance(raw, str):
                raise self.error(where, path, "a byte string needs a base64 'value'")
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                raise self.error(where, path, "a byte string's 'value' is not base64") from None
            self.byte_strings += 1
            return data.decode("utf-8", errors="replace")
        if sig == FLOAT_SIG:
            raw = v.get("value")
            if not isinstance(raw, str) or not _HEX16.match(raw):
                raise self.error(where, path, "a float needs 'value' as 16 hexadecimal digits")
            number: float = struct.unpack(">d", bytes.fromhex(raw))[0]
            return number
        if sig == OUTPUT_VALUE_SIG:
            # Not written by the engine's serializer (outputs become the computed placeholder),
            # but accepted: the evaluator's marshaling knows them.
            return FrozenDict({str(k): self.value(x, where, f"{path}.{k}", depth + 1) for k, x in v.items()})
        raise self.error(where, path, "unrecognized signature object")

    def plaintext(self, text: str, where: str, path: str, depth: int, invalid: str) -> FrozenDict:
        """The wire secret of a secret's plaintext (the JSON of its value); errors name the
        place, never the text."""
        name = f"{self.source}: {shorten(where, 200)}.{shorten(path, 120)} (a secret's plaintext)"
        try:
            inner = load_json(text, name=name, error=StateError, max_depth=None, walk=False)
        except json.JSONDecodeError:
            raise self.error(where, path, invalid) from None
        value = self.value(inner, where, path, depth)
        if self.secrets is not None:
            remember(inner)  # decrypted here: known as a secret of the run from now on
        return FrozenDict({SIG_KEY: SECRET_SIG, "value": value})

    def asset(self, v: Mapping[str, Any], sig: str, where: str, path: str, depth: int = 1) -> FrozenDict:
        what = "an asset" if sig == ASSET_SIG else "an archive"
        if depth > MAX_DEPTH:
            raise self.error(where, path, f"nested more than {MAX_DEPTH} levels deep")
        sources = [k for k in (("text", "path", "uri") if sig == ASSET_SIG else ("assets", "path", "uri")) if k in v]
        if len(sources) > 1:
            raise self.error(where, path, f"{what} has more than one of {', '.join(sources)}")
        if not sources and not isinstance(v.get("hash"), str):
            raise self.error(where, path, f"{what} needs a hash or its contents")
        out: dict[str, Any] = {}
        for k, x in v.items():
            if k == "assets":
                if not isinstance(x, Mapping):
                    raise self.error(where, path, "an archive's 'assets' must be an object")
                members: dict[str, Any] = {}
                for name, member in x.items():
                    msig = member.get(SIG_KEY) if isinstance(member, Mapping) else None
                    if msig not in (ASSET_SIG, ARCHIVE_SIG):
                        raise self.error(where, f"{path}.assets.{name}", "must be an asset or an archive")
                    members[str(name)] = self.asset(member, msig, where, f"{path}.assets.{name}", depth + 2)
                out[k] = FrozenDict(members)
            elif k != SIG_KEY and x is not None and not isinstance(x, str):
                raise self.error(where, f"{path}.{k}", f"{what}'s {k!r} must be a string")
            else:
                out[k] = x
        return FrozenDict(out)
