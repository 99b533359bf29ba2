"""Export: ResourceGraph → the JSON ``pulumi stack export`` writes (deployment version 3),
or the checkpoint a self-managed backend stores.

The inverse of :mod:`cdcml.state.decode` for what state records: URNs, types, IDs,
inputs, outputs, parents, dependencies, property dependencies, provider references and
the options state keeps (protect, ignoreChanges, aliases, customTimeouts,
additionalSecretOutputs, retainOnDelete, deletedWith, replaceOnChanges, importID).
``deleteBeforeReplace`` is not part of the state format and is not written. Unknown
values become the engine's computed placeholder, as the engine's serializer writes them.

Secrets are written the way the CLI writes them:

* ``secrets="plaintext"`` — ``pulumi stack export --show-secrets``:
  ``{"4dabf…": "1b47…", "plaintext": "<JSON of the value>"}``;
* ``secrets="passphrase"`` — ciphertext of Pulumi's passphrase secrets manager
  (AES-256-GCM, key PBKDF2-SHA256 of the passphrase, ``v1:<nonce>:<ciphertext>``), with the
  salt in ``secrets_providers``;
* ``secrets="b64"`` — Pulumi's ``b64`` test secrets manager (base64 of the JSON).

Used by tests, benchmarks and the state-roundtrip contract; cdcml itself never writes to
a backend.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from collections.abc import Mapping
from typing import Any

from cdcml import __version__
from cdcml.model import Resource, ResourceGraph
from cdcml.model.values import OUTPUT_VALUE_SIG, SECRET_SIG, SIG_KEY, is_unknown
from cdcml.secrets import PassphraseCrypter
from cdcml.state.properties import COMPUTED_PLACEHOLDER

__all__ = ["SECRETS_MODES", "compress", "dumps", "export_deployment", "export_stack", "to_checkpoint"]

SECRETS_MODES = ("plaintext", "passphrase", "b64")


class _Encrypter:
    def __init__(self, mode: str, passphrase: str | None, salt: bytes | None) -> None:
        if mode not in SECRETS_MODES:
            raise ValueError(f"secrets must be one of {', '.join(SECRETS_MODES)}")
        self.mode = mode
        self.provider: dict[str, Any] | None = None
        self._crypter: PassphraseCrypter | None = None
        if mode == "passphrase":
            if not passphrase:
                raise ValueError("secrets='passphrase' needs a passphrase")
            state, self._crypter = PassphraseCrypter.new_state(passphrase, salt)
            self.provider = {"type": "passphrase", "state": {"salt": state}}
        elif mode == "b64":
            self.provider = {"type": "b64", "state": {}}

    def secret(self, plaintext: str) -> dict[str, Any]:
        if self.mode == "plaintext":
            return {SIG_KEY: SECRET_SIG, "plaintext": plaintext}
        if self.mode == "b64":
            return {SIG_KEY: SECRET_SIG, "ciphertext": base64.b64encode(plaintext.encode("utf-8")).decode()}
        assert self._crypter is not None
        return {SIG_KEY: SECRET_SIG, "ciphertext": self._crypter.encrypt(plaintext)}


def _value(value: Any, enc: _Encrypter) -> Any:
    if is_unknown(value):
        return COMPUTED_PLACEHOLDER
    if isinstance(value, Mapping):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            inner = _value(value.get("value"), enc)
            return enc.secret(json.dumps(inner, separators=(",", ":"), ensure_ascii=False))
        if sig == OUTPUT_VALUE_SIG:
            if "value" not in value:
                return COMPUTED_PLACEHOLDER
            inner = _value(value["value"], enc)
            return enc.secret(json.dumps(inner, separators=(",", ":"))) if value.get("secret") else inner
        return {str(k): _value(v, enc) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_value(v, enc) for v in value]
    return value


def _resource(r: Resource, enc: _Encrypter) -> dict[str, Any]:
    out: dict[str, Any] = {"urn": r.urn, "custom": r.custom}
    if r.delete:
        out["delete"] = True
    if r.custom and r.id:
        out["id"] = COMPUTED_PLACEHOLDER if is_unknown(r.id) else r.id
    out["type"] = r.type
    if r.inputs:
        out["inputs"] = _value(r.inputs, enc)
    if r.outputs:
        out["outputs"] = _value(r.outputs, enc)
    if r.parent:
        out["parent"] = r.parent
    o = r.options
    if o.protect:
        out["protect"] = True
    if r.external:
        out["external"] = True
    if r.dependencies:
        out["dependencies"] = list(r.dependencies)
    if r.provider:
        out["provider"] = r.provider
    if r.property_dependencies:
        out["propertyDependencies"] = {k: list(v) for k, v in r.property_dependencies.items()}
    if r.pending_replacement:
        out["pendingReplacement"] = True
    if o.additional_secret_outputs:
        out["additionalSecretOutputs"] = list(o.additional_secret_outputs)
    if o.aliases:
        out["aliases"] = list(o.aliases)
    ct = o.custom_timeouts
    if ct is not None and (ct.create or ct.update or ct.delete):
        out["customTimeouts"] = {"create": ct.create, "update": ct.update, "delete": ct.delete}
    if o.import_id:
        out["importID"] = o.import_id
    if o.retain_on_delete:
        out["retainOnDelete"] = True
    if o.deleted_with:
        out["deletedWith"] = o.deleted_with
    if o.ignore_changes:
        out["ignoreChanges"] = list(o.ignore_changes)
    if o.replace_on_changes:
        out["replaceOnChanges"] = list(o.replace_on_changes)
    return out


def export_deployment(
    graph: ResourceGraph,
    *,
    secrets: str = "plaintext",
    passphrase: str | None = None,
    salt: bytes | None = None,
    time: str | None = None,
) -> dict[str, Any]:
    """The ``DeploymentV3`` of *graph* (manifest, secrets provider, resources)."""
    enc = _Encrypter(secrets, passphrase, salt)
    when = time or dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    deployment: dict[str, Any] = {"manifest": {"time": when, "magic": "", "version": f"cdcml {__version__}"}}
    if enc.provider is not None:
        deployment["secrets_providers"] = enc.provider
    deployment["resources"] = [_resource(r, enc) for r in graph.resources]
    return deployment


def export_stack(graph: ResourceGraph, **options: Any) -> dict[str, Any]:
    """What ``pulumi stack export`` prints (``--show-secrets`` with the default
    ``secrets="plaintext"``): ``{"version": 3, "deployment": …}``."""
    return {"version": 3, "deployment": export_deployment(graph, **options)}


def to_checkpoint(graph: ResourceGraph, *, legacy: bool = False, **options: Any) -> dict[str, Any]:
    """The checkpoint a self-managed backend stores for *graph*'s stack (version 3);
    ``legacy`` names the stack without organization and project, as the legacy layout does."""
    name = graph.stack if legacy else f"{graph.organization}/{graph.project}/{graph.stack}"
    return {"version": 3, "checkpoint": {"stack": name, "latest": export_deployment(graph, **options)}}


def compress(data: bytes, compression: str | None) -> bytes:
    """``None``/``""``: as is; ``"gz"``/``"gzip"``; ``"zst"``/``"zstd"`` (as ``PULUMI_DIY_BACKEND_GZIP``
    and ``PULUMI_DIY_BACKEND_ZSTD`` make the backend write)."""
    if not compression:
        return data
    if compression in ("gz", "gzip"):
        return gzip.compress(data, mtime=0)
    if compression in ("zst", "zstd"):
        import zstandard

        return bytes(zstandard.ZstdCompressor().compress(data))
    raise ValueError(f"unknown compression {compression!r}")


def dumps(doc: Mapping[str, Any], compression: str | None = None, *, indent: int | None = 4) -> bytes:
    """The bytes of a state document as the CLI writes them (4-space indented JSON)."""
    return compress(json.dumps(doc, indent=indent, ensure_ascii=False).encode("utf-8"), compression)
