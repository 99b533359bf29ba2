"""State documents: bytes → JSON → the envelope of a stack's state, normalised.

Two document shapes carry a stack's state, each in several versions:

* an **export** (``pulumi stack export``, ``apitype.UntypedDeployment``):
  ``{"version": 1|2|3|4, "features"?: [...], "deployment": {...}}``;
* an on-disk **checkpoint** of a self-managed backend (``apitype.VersionedCheckpoint``):
  ``{"version": 1|2|3|4, "features"?: [...], "checkpoint": {"stack", "config", "latest": {...}}}``,
  or, before versioning (version 0), ``{"target"|"stack", "config", "latest": {...}}``.

Either may be gzip- or zstd-compressed (detected from the bytes, as the backend does).
Older deployments are migrated the way ``apitype/migrate`` does (version 1 ``defaults``
are dropped; versions 1 and 2 get property dependencies on every dependency). Version 4
lists the optional features it needs; a feature cdcml doesn't know is refused, as the
Pulumi CLI refuses it.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from cdcml.errors import StateError
from cdcml.inputs import decode_text, load_json, max_input_size, read_stream, too_large, value_problem

__all__ = [
    "GZIP_MAGIC",
    "NEWEST_VERSION",
    "SUPPORTED_FEATURES",
    "ZSTD_MAGIC",
    "StateDocument",
    "decompress",
    "parse_json",
    "read_document",
]

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

SUPPORTED_FEATURES = frozenset(
    {
        "byteString",
        "extensionParameterization",
        "hooks",
        "refreshBeforeUpdate",
        "replaceWith",
        "snippets-prototype",
        "taint",
        "views",
    }
)
"""The version-4 features this reader understands (``pkg/resource/stack/deployment.go``)."""

NEWEST_VERSION = 4
_ZSTD_PIECE = 1024


# --------------------------------------------------------------------------- bytes → JSON


def decompress(data: bytes, source: str = "state") -> bytes:
    """The plain bytes of *data*, gunzipped or zstd-decompressed when its magic number says
    so (``encoding.DetectCompression``); plain data is returned as is. The output is
    bounded like any input (:func:`~cdcml.inputs.max_input_size`): a decompression bomb
    stops at the limit, never holding more than the limit and a chunk."""
    if data.startswith(GZIP_MAGIC):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
                return read_stream(f, name=f"{source} (gunzipped)", error=StateError)
        except (OSError, EOFError, zlib.error) as e:
            raise StateError(f"{source}: corrupt gzip data ({e})") from None
    if data.startswith(ZSTD_MAGIC):
        import zstandard

        try:
            return _unzstd(zstandard.ZstdDecompressor().decompressobj(), data, source)
        except zstandard.ZstdError as e:
            raise StateError(f"{source}: corrupt zstd data ({e})") from None
    return data


def _unzstd(decompressor: Any, data: bytes, source: str) -> bytes:
    """The first zstd frame of *data* (as ``decompressobj`` reads it: frames written without
    a content size, as the Go encoder writes them, too), fed a kibibyte at a time so that
    one call can't expand past the limit by more than a block ratio allows (~32 MiB)."""
    limit = max_input_size()
    chunks: list[bytes] = []
    total = 0
    for start in range(0, len(data), _ZSTD_PIECE):
        out = decompressor.decompress(data[start : start + _ZSTD_PIECE])
        if out:
            chunks.append(out)
            total += len(out)
            if total > limit:
                chunks.clear()
                raise too_large(f"{source} (zstd-decompressed)", StateError)
        if decompressor.eof:
            break
    return b"".join(chunks)


_DIGIT_MAP = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_DIGITS = b"0" * 19  # the shortest integer literal past 64 bits: -9223372036854775809
_NOT_PARSED = object()


def _orjson(data: bytes) -> Any:
    """orjson's parse of UTF-8 *data* when it is exactly what ``json.loads`` gives, else
    :data:`_NOT_PARSED` (then the json module parses, with its values and its errors).

    orjson refuses what the json module accepts and cdcml words itself (``NaN``,
    ``Infinity``, ``1e400``, a lone surrogate escape, nesting past 1,024) — those fall
    back; the one silent difference, an integer past 64 bits read as a float, is ruled
    out by refusing any run of 19 digits (a translate and a substring search: ~20 ms on
    a 20 MB state)."""
    if data.translate(_DIGIT_MAP).find(_LONG_DIGITS) != -1:
        return _NOT_PARSED
    try:
        return orjson.loads(data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data)
    except orjson.JSONDecodeError:
        return _NOT_PARSED


def parse_json(data: bytes | str, source: str) -> Any:
    if isinstance(data, bytes):
        data = decompress(data, source)
        template = "{name}: not a state file (not UTF-8 text: {where})"
        text = decode_text(data, name=source, error=StateError, bom=True, template=template)
        if text.strip():
            del text  # checked; orjson reads the bytes, and a state's text is as large as they are
            fast = _orjson(data)
            if fast is not _NOT_PARSED:
                return fast
            text = decode_text(data, name=source, error=StateError, bom=True, template=template)
    else:
        text = data
    if not text.strip():
        raise StateError(f"{source}: the file is empty, not a Pulumi state")
    try:
        # Property values are checked where they are decoded (depth, numbers); a state is
        # too large to walk here.
        return load_json(text, name=source, error=StateError, max_depth=None, walk=False)
    except json.JSONDecodeError as e:
        raise StateError(f"{source}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None


# --------------------------------------------------------------------------- the envelope


@dataclass(frozen=True)
class StateDocument:
    """The envelope of a state document, normalised to a version-3 deployment."""

    kind: str  # "export" | "checkpoint"
    version: int
    features: tuple[str, ...]
    deployment: Mapping[str, Any] | None  # None: a checkpoint of a stack that never deployed
    stack: str = ""  # the checkpoint's stack name ("" when unknown)
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def secrets_provider(self) -> str:
        sp = (self.deployment or {}).get("secrets_providers")
        return str(sp.get("type") or "") if isinstance(sp, Mapping) else ""


def _version(value: Any, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise StateError(f"{source}: 'version' must be an integer")
    problem = value_problem(value)
    if problem is not None:
        raise StateError(f"{source}: version: {problem}")
    return value


def _features(doc: Mapping[str, Any], version: int, source: str) -> tuple[str, ...]:
    raw = doc.get("features")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise StateError(f"{source}: 'features' must be a list of strings")
    if version < 4 and raw:
        raise StateError(f"{source}: 'features' needs state version 4, the file says version {version}")
    unknown = sorted(set(raw) - SUPPORTED_FEATURES)
    if unknown:
        names = ", ".join(repr(f) for f in unknown)
        raise StateError(
            f"{source}: the state needs feature(s) {names}, which cdcml does not support "
            f"(supported: {', '.join(sorted(SUPPORTED_FEATURES))}); it was written by a newer Pulumi"
        )
    return tuple(raw)


def read_document(doc: Any, source: str = "state") -> StateDocument:
    """Recognise an export or a checkpoint (any version) and normalise its deployment."""
    if not isinstance(doc, Mapping):
        raise StateError(f"{source}: not a Pulumi state (expected a JSON object)")
    if "deployment" in doc:
        version = _version(doc.get("version"), source)
        if version < 1:
            raise StateError(f"{source}: deployment version {version} is too old (cdcml reads 1-{NEWEST_VERSION})")
        if version > NEWEST_VERSION:
            raise StateError(
                f"{source}: deployment version {version} is newer than cdcml reads (1-{NEWEST_VERSION}); "
                "upgrade cdcml or export with `pulumi stack export --version 3`"
            )
        features = _features(doc, version, source)
        deployment = doc["deployment"]
        if not isinstance(deployment, Mapping):
            raise StateError(f"{source}: 'deployment' must be an object")
        return StateDocument("export", version, features, _migrate(deployment, version, source))
    if "checkpoint" in doc:
        version = _version(doc.get("version"), source)
        if version < 1 or version > NEWEST_VERSION:
            raise StateError(f"{source}: unsupported checkpoint version {version} (cdcml reads 0-{NEWEST_VERSION})")
        features = _features(doc, version, source)
        checkpoint = doc["checkpoint"]
        if not isinstance(checkpoint, Mapping):
            raise StateError(f"{source}: 'checkpoint' must be an object")
        return _checkpoint(checkpoint, version, features, source)
    if "latest" in doc or "target" in doc or ("stack" in doc and "version" not in doc):
        # Version 0: a CheckpointV1 written before checkpoints carried a version.
        return _checkpoint(doc, 0, (), source)
    if "version" in doc:
        raise StateError(f"{source}: a 'version' but neither 'deployment' nor 'checkpoint': not a Pulumi state")
    raise StateError(f"{source}: not a Pulumi state (no 'deployment', 'checkpoint' or 'latest')")


def _checkpoint(checkpoint: Mapping[str, Any], version: int, features: tuple[str, ...], source: str) -> StateDocument:
    stack = checkpoint.get("stack")
    if stack is None:
        stack = ""
    if not isinstance(stack, str):
        raise StateError(f"{source}: the checkpoint's 'stack' must be a string")
    config = checkpoint.get("config") or {}
    if not isinstance(config, Mapping):
        raise StateError(f"{source}: the checkpoint's 'config' must be an object")
    latest = checkpoint.get("latest")
    if latest is None:
        return StateDocument("checkpoint", version, features, None, stack, config)
    if not isinstance(latest, Mapping):
        raise StateError(f"{source}: the checkpoint's 'latest' must be an object")
    deployment_version = 3 if version in (3, 4) else max(version, 1)
    return StateDocument("checkpoint", version, features, _migrate(latest, deployment_version, source), stack, config)


def _migrate(deployment: Mapping[str, Any], version: int, source: str) -> Mapping[str, Any]:
    """``migrate.UpToDeploymentV3``: version 1 drops ``defaults``; versions 1 and 2 give
    every input property a dependency on all of the resource's dependencies."""
    if version >= 3:
        return deployment
    resources = deployment.get("resources")
    if resources is None:
        return deployment
    if not isinstance(resources, list):
        raise StateError(f"{source}: 'resources' must be a list")
    migrated = []
    for res in resources:
        if not isinstance(res, Mapping):
            migrated.append(res)
            continue
        r = {k: v for k, v in res.items() if k != "defaults"}
        deps = r.get("dependencies") or []
        inputs = r.get("inputs") or {}
        if isinstance(inputs, Mapping) and isinstance(deps, list):
            r["propertyDependencies"] = {k: list(deps) for k in inputs}
        migrated.append(r)
    return {**deployment, "resources": migrated}
