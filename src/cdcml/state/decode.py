"""State loading: ``pulumi stack export`` files and backend checkpoints → ResourceGraph.

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

The graph is what ``pulumi policy analyze`` hands to policies: source ``state`` with
dry-run on, property values in the engine's wire form (:mod:`cdcml.engine.wire`):

* a secret stays a secret: ``{"…sig": "1b47…", "ciphertext": …}`` is **never decrypted**
  and becomes the wire secret ``"[secret]"`` (the CLI's blinding provider); an export made
  with ``--show-secrets`` carries ``"plaintext"`` (the JSON of the value), which becomes a
  wire secret of that value;
* assets, archives and resource references keep their signature objects (the evaluator's
  marshaling turns references into IDs); a byte string (feature ``byteString``) becomes
  the string of its bytes (invalid UTF-8 replaced, since a protobuf string must be
  UTF-8); a NaN/Inf float becomes that float;
* the computed placeholder stays the unknown sentinel it is.

Every error is a :class:`~cdcml.errors.StateError` naming the source, the resource and
the property path, never a value (values may be secrets).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import math
import os
import re
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdcml.errors import StateError
from cdcml.model import CustomTimeouts, FrozenDict, Resource, ResourceGraph, ResourceOptions
from cdcml.model.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    OUTPUT_VALUE_SIG,
    REDACTED,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
    render_config_value,
)

__all__ = [
    "BYTESTRING_SIG",
    "COMPUTED_PLACEHOLDER",
    "FLOAT_SIG",
    "GZIP_MAGIC",
    "SUPPORTED_FEATURES",
    "ZSTD_MAGIC",
    "StateDocument",
    "decompress",
    "load_state",
    "load_state_file",
    "non_finite_numbers",
    "parse_urn",
    "read_document",
]

BYTESTRING_SIG = "803fd3297a5875dc03ca845dda5d2a98"
FLOAT_SIG = "8ad145fe-0d11-4827-bfd7-1abcbf086f5c"
COMPUTED_PLACEHOLDER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

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
_URN_PREFIX = "urn:pulumi:"
_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")


# --------------------------------------------------------------------------- bytes → JSON


def decompress(data: bytes, source: str = "state") -> bytes:
    """The plain bytes of *data*, gunzipped or zstd-decompressed when its magic number says
    so (``encoding.DetectCompression``); plain data is returned as is."""
    if data.startswith(GZIP_MAGIC):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise StateError(f"{source}: corrupt gzip data ({e})") from None
    if data.startswith(ZSTD_MAGIC):
        import zstandard

        try:
            # Streaming: frames written without a content size (the Go encoder's default) decompress too.
            return zstandard.ZstdDecompressor().decompressobj().decompress(data)
        except zstandard.ZstdError as e:
            raise StateError(f"{source}: corrupt zstd data ({e})") from None
    return data


def _parse_json(data: bytes | str, source: str) -> Any:
    if isinstance(data, bytes):
        data = decompress(data, source)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise StateError(f"{source}: not a state file (not UTF-8 text)") from None
    else:
        text = data
    if not text.strip():
        raise StateError(f"{source}: the file is empty, not a Pulumi state")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise StateError(f"{source}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except RecursionError:
        raise StateError(f"{source}: JSON nested too deeply") from None


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


# --------------------------------------------------------------------------- URNs


def parse_urn(urn: str) -> tuple[str, str, str, str] | None:
    """``(stack, project, qualified type, name)`` of a URN, or ``None`` when it isn't one
    (``urn:pulumi:<stack>::<project>::<qualified type>::<name>``; a name may contain ``::``)."""
    if not urn.startswith(_URN_PREFIX):
        return None
    parts = urn[len(_URN_PREFIX) :].split("::", 3)
    if len(parts) != 4 or not parts[2]:
        return None
    return parts[0], parts[1], parts[2], parts[3]


# --------------------------------------------------------------------------- property values


class _Decoder:
    """Decodes state property values into the engine's wire form (frozen)."""

    def __init__(self, source: str, features: tuple[str, ...]) -> None:
        self.source = source
        self.features = features
        self.redacted = 0
        self.byte_strings = 0

    def error(self, where: str, path: str, problem: str) -> StateError:
        at = f".{path}" if path else ""
        return StateError(f"{self.source}: {where}{at}: {problem}")

    def props(self, value: Any, where: str, name: str) -> FrozenDict:
        if value is None:
            return FrozenDict()
        if not isinstance(value, Mapping):
            raise self.error(where, name, "must be an object of properties")
        return FrozenDict({str(k): self.value(v, where, f"{name}.{k}") for k, v in value.items()})

    def value(self, v: Any, where: str, path: str) -> Any:
        if isinstance(v, Mapping):
            sig = v.get(SIG_KEY)
            if sig is None:
                return FrozenDict({str(k): self.value(x, where, f"{path}.{k}") for k, x in v.items()})
            return self.special(v, sig, where, path)
        if isinstance(v, list):
            return tuple(self.value(x, where, f"{path}[{i}]") for i, x in enumerate(v))
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        raise self.error(where, path, f"unexpected value of type {type(v).__name__}")  # pragma: no cover

    def special(self, v: Mapping[str, Any], sig: Any, where: str, path: str) -> Any:
        if sig == SECRET_SIG:
            has_cipher, has_plain = "ciphertext" in v, "plaintext" in v
            if has_cipher == has_plain:
                raise self.error(where, path, "a secret must have exactly one of 'ciphertext' and 'plaintext'")
            if has_cipher:
                if not isinstance(v["ciphertext"], str):
                    raise self.error(where, path, "a secret's 'ciphertext' must be a string")
                # Never decrypted: policies see "[secret]", as with `pulumi policy analyze`.
                self.redacted += 1
                return FrozenDict({SIG_KEY: SECRET_SIG, "value": REDACTED})
            plaintext = v["plaintext"]
            if not isinstance(plaintext, str):
                raise self.error(where, path, "a secret's 'plaintext' must be a string of JSON")
            try:
                inner = json.loads(plaintext)
            except json.JSONDecodeError:
                raise self.error(where, path, "a secret's 'plaintext' is not valid JSON") from None
            return FrozenDict({SIG_KEY: SECRET_SIG, "value": self.value(inner, where, path)})
        if sig in (ASSET_SIG, ARCHIVE_SIG):
            return self.asset(v, sig, where, path)
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
            return FrozenDict({str(k): self.value(x, where, f"{path}.{k}") for k, x in v.items()})
        raise self.error(where, path, "unrecognized signature object")

    def asset(self, v: Mapping[str, Any], sig: str, where: str, path: str) -> FrozenDict:
        what = "an asset" if sig == ASSET_SIG else "an archive"
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
                    members[str(name)] = self.asset(member, msig, where, f"{path}.assets.{name}")
                out[k] = FrozenDict(members)
            elif k != SIG_KEY and x is not None and not isinstance(x, str):
                raise self.error(where, f"{path}.{k}", f"{what}'s {k!r} must be a string")
            else:
                out[k] = x
        return FrozenDict(out)


# --------------------------------------------------------------------------- resources


def _typed(res: Mapping[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    """``res[key]`` checked like Go's JSON decoder checks a struct field (``null`` ⇒ default)."""
    value = res.get(key)
    if value is None:
        return default
    if not isinstance(value, kind):
        raise StateError(f"{where}: {key!r} must be {_WHAT[kind]}")
    return value


_WHAT: dict[type, str] = {bool: "a boolean", str: "a string", list: "a list", Mapping: "an object"}


def _strings(res: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = _typed(res, key, list, [], where)
    if not all(isinstance(x, str) for x in value):
        raise StateError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _timeouts(res: Mapping[str, Any], where: str) -> CustomTimeouts | None:
    ct = _typed(res, "customTimeouts", Mapping, None, where)
    if ct is None:
        return None
    values: dict[str, float] = {}
    for key in ("create", "update", "delete"):
        x = ct.get(key)
        if x is None:
            values[key] = 0.0
        elif isinstance(x, bool) or not isinstance(x, (int, float)):
            raise StateError(f"{where}: customTimeouts.{key} must be a number of seconds")
        else:
            values[key] = float(x)
    if not any(values.values()):
        return None
    return CustomTimeouts(**values)


def _resource(res: Any, index: int, decoder: _Decoder) -> Resource:
    source = decoder.source
    if not isinstance(res, Mapping):
        raise StateError(f"{source}: resources[{index}] must be an object")
    urn = res.get("urn")
    if not isinstance(urn, str) or not urn:
        raise StateError(f"{source}: resources[{index}] is missing its 'urn'")
    parsed = parse_urn(urn)
    if parsed is None:
        raise StateError(f"{source}: resources[{index}] has an invalid URN {urn!r}")
    where = f"{source}: {urn}"
    rtype = res.get("type")
    if not isinstance(rtype, str) or not rtype:
        raise StateError(f"{where}: missing its 'type'")
    custom = _typed(res, "custom", bool, False, where)
    rid = _typed(res, "id", str, "", where)
    if not custom and rid:
        raise StateError(f"{where}: 'custom' is false but it has an ID")
    parent = _typed(res, "parent", str, "", where)
    if parent and parse_urn(parent) is None:
        raise StateError(f"{where}: invalid parent URN {parent!r}")
    dependencies = _strings(res, "dependencies", where)
    raw_pdeps = _typed(res, "propertyDependencies", Mapping, {}, where)
    pdeps: dict[str, tuple[str, ...]] = {}
    for key, urns in raw_pdeps.items():
        if urns is None:
            pdeps[str(key)] = ()
        elif isinstance(urns, list) and all(isinstance(u, str) for u in urns):
            pdeps[str(key)] = tuple(urns)
        else:
            raise StateError(f"{where}: propertyDependencies.{key} must be a list of URNs")
    provider = _typed(res, "provider", str, "", where)
    if provider and (parse_urn(provider.rsplit("::", 1)[0]) is None or "::" not in provider):
        raise StateError(f"{where}: invalid provider reference (expected '<provider URN>::<provider ID>')")
    dbr = res.get("deleteBeforeReplace")
    if dbr is not None and not isinstance(dbr, bool):
        raise StateError(f"{where}: 'deleteBeforeReplace' must be a boolean")
    options = ResourceOptions(
        protect=_typed(res, "protect", bool, False, where),
        ignore_changes=_strings(res, "ignoreChanges", where),
        delete_before_replace=dbr,
        additional_secret_outputs=_strings(res, "additionalSecretOutputs", where),
        aliases=_aliases(res, where),
        custom_timeouts=_timeouts(res, where),
        retain_on_delete=_typed(res, "retainOnDelete", bool, False, where),
        deleted_with=_typed(res, "deletedWith", str, "", where),
        replace_on_changes=_strings(res, "replaceOnChanges", where),
        import_id=_typed(res, "importID", str, "", where),
    )
    return Resource(
        urn=urn,
        type=rtype,
        name=parsed[3],
        custom=custom,
        id=rid,
        inputs=decoder.props(res.get("inputs"), urn, "inputs"),
        outputs=decoder.props(res.get("outputs"), urn, "outputs"),
        parent=parent,
        dependencies=dependencies,
        property_dependencies=FrozenDict(pdeps),
        provider=provider,
        options=options,
        external=_typed(res, "external", bool, False, where),
        delete=_typed(res, "delete", bool, False, where),
        pending_replacement=_typed(res, "pendingReplacement", bool, False, where),
    )


def _aliases(res: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """Aliases are URNs; newer states may also record alias specs (objects), which
    analyzers receive as the URNs they resolve to and which can't be resolved here."""
    value = _typed(res, "aliases", list, [], where)
    out = []
    for a in value:
        if isinstance(a, str):
            out.append(a)
        elif not isinstance(a, Mapping):
            raise StateError(f"{where}: 'aliases' must be a list of URNs")
    return tuple(out)


# --------------------------------------------------------------------------- the graph


def _config(config: Mapping[str, Any]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Checkpoint config as the CLI passes it to packs; ``secure`` values are never
    decrypted: they are ``"[secret]"`` and listed as secret keys."""
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in config.items():
        if isinstance(value, Mapping) and set(value) == {"secure"}:
            values[str(key)] = REDACTED
            secret_keys.append(str(key))
        else:
            values[str(key)] = render_config_value(value)
    return values, tuple(secret_keys)


def _split_stack_name(name: str) -> tuple[str, str, str]:
    """``(organization, project, stack)`` of a checkpoint's stack name (``org/proj/stack``,
    ``org/stack`` or ``stack``); missing parts are ``""``."""
    parts = name.split("/")
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return parts[0], "", parts[1]
    return "", "", name


def load_state(
    data: bytes | str | Mapping[str, Any],
    *,
    source: str = "state",
    project: str | None = None,
    stack: str | None = None,
    organization: str | None = None,
) -> ResourceGraph:
    """The ResourceGraph of a state document (bytes, text or parsed JSON).

    *project*, *stack* and *organization* name the stack when the caller knows it (a
    backend does); otherwise they come from the resources' URNs or the checkpoint.
    """
    doc = data if isinstance(data, Mapping) else _parse_json(data, source)
    state = read_document(doc, source)
    decoder = _Decoder(source, state.features)
    deployment = state.deployment or {}
    raw_resources = deployment.get("resources")
    if raw_resources is None:
        raw_resources = []
    if not isinstance(raw_resources, list):
        raise StateError(f"{source}: 'resources' must be a list")

    parsed = [_resource(r, i, decoder) for i, r in enumerate(raw_resources)]
    resources, diagnostics = _dedupe(parsed, source)

    ck_org, ck_project, ck_stack = _split_stack_name(state.stack)
    urn_stack, urn_project = "", ""
    root = next((r for r in resources if r.type == "pulumi:pulumi:Stack" and not r.parent), None)
    first = root or (resources[0] if resources else None)
    if first is not None:
        urn_stack, urn_project, _, _ = parse_urn(first.urn) or ("", "", "", "")
    name = stack or urn_stack or ck_stack or "stack"
    proj = project or urn_project or ck_project or "project"
    org = organization or ck_org or "organization"
    if first is not None and (stack or project) and (urn_stack, urn_project) != (name, proj):
        diagnostics.append(
            f"the state's URNs name stack {urn_stack!r} of project {urn_project!r}, not {proj}/{name}; "
            "policies see the names in the URNs"
        )
        name, proj = urn_stack, urn_project

    config, secret_keys = _config(state.config)
    if decoder.redacted:
        provider = state.secrets_provider or "unknown"
        diagnostics.append(
            f"{decoder.redacted} secret value(s) are encrypted (secrets provider {provider!r}) and were not "
            'decrypted: policies see "[secret]", as with `pulumi policy analyze`'
        )
    if decoder.byte_strings:
        diagnostics.append(f"{decoder.byte_strings} byte string value(s) decoded as UTF-8 text")
    pending = deployment.get("pending_operations")
    if isinstance(pending, list) and pending:
        kinds = ", ".join(sorted({str(op.get("type", "?")) for op in pending if isinstance(op, Mapping)}))
        diagnostics.append(
            f"{len(pending)} operation(s) ({kinds}) were pending when the state was saved: an update was "
            "interrupted, so the state may not match what is deployed"
        )
    failed = [r.get("urn") for r in raw_resources if isinstance(r, Mapping) and r.get("initErrors")]
    if failed:
        diagnostics.append(f"{len(failed)} resource(s) recorded initialization errors (partially created)")
    if not resources:
        diagnostics.append("the stack has no resources; nothing to analyze")

    outputs = root.outputs if root is not None else FrozenDict()
    return ResourceGraph(
        project=proj,
        stack=name,
        resources=tuple(resources),
        outputs=outputs,
        organization=org,
        source="state",
        dry_run=True,
        config=FrozenDict(config),
        config_secret_keys=secret_keys,
        diagnostics=tuple(dict.fromkeys(diagnostics)),
    )


def _dedupe(resources: Sequence[Resource], source: str) -> tuple[list[Resource], list[str]]:
    """A state may hold a resource twice: the live one and an old copy pending deletion
    (``delete: true``, after a failed replacement). Analysis skips the old copy, so it is
    dropped here; any other duplicate URN is an error."""
    live: dict[str, int] = {}
    for r in resources:
        if not r.delete:
            if r.urn in live:
                raise StateError(f"{source}: duplicate resource URN {r.urn}")
            live[r.urn] = 1
    out: list[Resource] = []
    seen_deleted: set[str] = set()
    dropped = 0
    for r in resources:
        if r.delete and (r.urn in live or r.urn in seen_deleted):
            dropped += 1
            continue
        if r.delete:
            seen_deleted.add(r.urn)
        out.append(r)
    notes = []
    if dropped:
        notes.append(f"{dropped} old cop(ies) of replaced resources pending deletion were skipped")
    return out, notes


def load_state_file(path: str | os.PathLike[str], **names: Any) -> ResourceGraph:
    """The ResourceGraph of an export or checkpoint file (plain, ``.gz`` or ``.zst``);
    ``-`` reads standard input."""
    p = str(path)
    if p == "-":
        import sys

        return load_state(sys.stdin.buffer.read(), source="<stdin>", **names)
    try:
        data = Path(p).read_bytes()
    except FileNotFoundError:
        raise StateError(f"state file {p} does not exist") from None
    except IsADirectoryError:
        raise StateError(f"state file {p} is a directory; for a backend directory use --backend file://{p}") from None
    except OSError as e:
        raise StateError(f"can't read state file {p}: {e.strerror}") from None
    return load_state(data, source=p, **names)


def non_finite_numbers(graph: ResourceGraph) -> list[str]:
    """``"<urn> inputs.a.b"`` for every NaN or infinite number a policy would receive.

    The Python policy SDK converts the analyzer's protobuf Struct with
    ``json_format.MessageToDict``, which rejects NaN and infinity: a pack would fail on
    such a resource under ``pulumi policy analyze`` as well."""
    found: list[str] = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            found.append(where)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{where}.{k}")
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i}]")

    for r in graph.resources:
        if r.delete:
            continue
        walk(r.inputs, f"{r.urn} inputs")
        walk(r.outputs, f"{r.urn} outputs")
    return found
