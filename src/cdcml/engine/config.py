"""Pack configuration, built exactly as the Pulumi CLI builds it.

The SDK applies no defaults and validates nothing; the engine does
(``pkg/resource/analyzer/config.go``):

1. every policy starts at its own enforcement level (or the pack's) with the ``default``
   of each property of its config schema;
2. the pack's ``initial_config`` is applied, then the ``--policy-pack-config`` file, each
   with ``"all"`` first and per-policy entries after. A policy entry is a level string
   or an object ``{"enforcementLevel": ..., <properties>}``. Note the engine quirk this
   reproduces: an ``initial_config`` entry without ``enforcementLevel`` reaches the engine
   as level 0, which is ``advisory``, and so *demotes* the policy;
3. each policy's properties are validated against its schema wrapped as
   ``{"type": "object", "properties": …, "required": …}`` (with the engine's injected
   ``enforcementLevel`` property);
4. ``Configure`` sends every entry's level and properties through a protobuf Struct,
   so numbers reach policies as floats. Entries for names the pack has no policy for go
   too, and the pack ignores them; but an entry left without a level (such a name, or
   ``"all"``, given properties and no ``enforcementLevel``) is refused, as ``Configure``
   refuses it (``invalid enforcement level ""``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from google.protobuf import json_format

from cdcml.engine.pack import Pack, policy_severity
from cdcml.errors import PackConfigError
from cdcml.inputs import decode_text, load_json, read_file, shorten
from cdcml.model import EnforcementLevel, PolicyInfo

__all__ = [
    "PackConfig",
    "PolicyConfig",
    "analyzer_config",
    "config_problems",
    "load_pack_config_file",
    "parse_pack_config",
    "parse_pack_config_entries",
    "policy_infos",
    "read_pack_config_document",
    "reconcile",
    "unknown_policy_names",
]

_LEVELS = {level.value for level in EnforcementLevel}
_SHOWN_ERRORS = 3
_INJECTED_LEVEL = {"type": "string", "enum": ["advisory", "mandatory", "remediate", "disabled"]}
_PROTO_LEVELS = {
    0: EnforcementLevel.ADVISORY,
    1: EnforcementLevel.MANDATORY,
    2: EnforcementLevel.DISABLED,
    3: EnforcementLevel.REMEDIATE,
}


@dataclass(frozen=True)
class PolicyConfig:
    """One entry of a pack config: a level (``None`` = keep) and properties (``None`` = none)."""

    enforcement_level: EnforcementLevel | None = None
    properties: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PackConfig:
    """The reconciled config of one pack: what ``Configure`` sends, per policy."""

    pack: str
    policies: Mapping[str, PolicyConfig] = field(default_factory=dict)

    def level(self, policy: str) -> EnforcementLevel | None:
        c = self.policies.get(policy)
        return c.enforcement_level if c is not None else None

    def properties(self, policy: str) -> dict[str, Any] | None:
        """The config a policy's ``args.get_config()`` returns (``None`` ⇒ ``{}``), as the SDK
        stores it: ``MessageToDict`` of the Struct, a fresh copy per call."""
        c = self.policies.get(policy)
        if c is None or not c.properties:
            return None
        return json.loads(json.dumps(c.properties))


class _EntryError(Exception):
    """One entry of a pack config that the CLI refuses: *detail* as the CLI says it,
    *reason* the same without the entry's name."""

    def __init__(self, what: str, key: str, reason: str) -> None:
        self.detail = f'parsing {what}"{shorten(key)}": {reason}'
        self.reason = reason
        super().__init__(self.detail)


def _parse_entry(key: str, value: Any) -> PolicyConfig | None:
    """One entry of the config (``None``: nothing to apply); :class:`_EntryError` when the
    CLI refuses it."""
    level_of = "enforcement level for "
    if isinstance(value, str):
        if value not in _LEVELS:
            raise _EntryError(level_of, key, f'"{shorten(value)}" is not a valid enforcement level')
        return PolicyConfig(EnforcementLevel(value))
    if not isinstance(value, Mapping):
        reason = f"{shorten(json.dumps(value))} is not a valid value; must be a string or object"
        raise _EntryError("", key, reason)
    props = dict(value)
    level: EnforcementLevel | None = None
    if "enforcementLevel" in props:
        raw = props.pop("enforcementLevel")
        if not isinstance(raw, str):
            raise _EntryError(level_of, key, f"{shorten(repr(raw))} is not a valid enforcement level; must be a string")
        if raw not in _LEVELS:
            raise _EntryError(level_of, key, f'"{shorten(raw)}" is not a valid enforcement level')
        level = EnforcementLevel(raw)
    if level is None and not props:
        return None
    return PolicyConfig(level, props or None)


def _check_document(doc: Any, source: str) -> Mapping[str, Any]:
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise PackConfigError(f"{source}: expected a JSON object of policy names")
    return doc


def parse_pack_config(doc: Any, source: str = "policy pack config") -> dict[str, PolicyConfig]:
    """Parse the ``--policy-pack-config`` JSON shape (``parsePolicyPackConfig``)."""
    out: dict[str, PolicyConfig] = {}
    for key, value in _check_document(doc, source).items():
        try:
            entry = _parse_entry(key, value)
        except _EntryError as e:
            raise PackConfigError(f"{source}: {e.detail}") from None
        if entry is not None:
            out[key] = entry
    return out


def parse_pack_config_entries(
    doc: Any, source: str = "policy pack config"
) -> tuple[dict[str, PolicyConfig], list[tuple[str, str]]]:
    """Like :func:`parse_pack_config`, but every entry the CLI refuses is returned as
    ``(key, reason)`` instead of raised, with the entries it accepts
    (``cdcml policy validate-config``). A document that is not an object still raises."""
    out: dict[str, PolicyConfig] = {}
    problems: list[tuple[str, str]] = []
    for key, value in _check_document(doc, source).items():
        try:
            entry = _parse_entry(key, value)
        except _EntryError as e:
            problems.append((key, e.reason))
            continue
        if entry is not None:
            out[key] = entry
    return out, problems


def read_pack_config_document(path: str | os.PathLike[str]) -> Any:
    """The JSON document of a ``--policy-pack-config`` file (``None`` when it is blank): a
    regular file within the input size limit, UTF-8 JSON whose values a pack can receive
    (:mod:`cdcml.inputs`)."""
    p = Path(path)
    name = f"policy pack config {p}"
    try:
        text = decode_text(read_file(p, name=name, error=PackConfigError), name=name, error=PackConfigError)
    except OSError as e:
        raise PackConfigError(f"policy pack config {p}: {e.strerror}") from None
    if not text.strip():
        return None
    try:
        return load_json(text, name=name, error=PackConfigError)
    except json.JSONDecodeError as e:
        raise PackConfigError(
            f"policy pack config {p}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
        ) from None


def load_pack_config_file(path: str | os.PathLike[str]) -> dict[str, PolicyConfig]:
    """A ``--policy-pack-config`` file, read (:func:`read_pack_config_document`) and parsed."""
    return parse_pack_config(read_pack_config_document(path), f"policy pack config {Path(path)}")


@dataclass(frozen=True)
class _PolicyInfo:
    name: str
    level: EnforcementLevel
    schema: dict[
        str, Any
    ]  # {"properties": …, "required": […]}; every policy has one (the engine injects enforcementLevel)


def analyzer_config(pack: Pack) -> dict[str, Any]:
    """What :func:`reconcile` reads of *pack*'s ``GetAnalyzerInfo``, as plain data (a pack
    loaded in its own process sends it; :attr:`Pack.analyzer_config`)."""
    policies, initial = _policy_infos(pack)
    return {
        "policies": [{"name": p.name, "level": str(p.level), "schema": p.schema} for p in policies],
        "initial": {
            k: {"level": None if v.enforcement_level is None else str(v.enforcement_level), "properties": v.properties}
            for k, v in initial.items()
        },
    }


def _plain_infos(plain: Mapping[str, Any]) -> tuple[list[_PolicyInfo], dict[str, PolicyConfig]]:
    policies = [_PolicyInfo(p["name"], EnforcementLevel(p["level"]), p["schema"]) for p in plain["policies"]]
    initial = {
        str(k): PolicyConfig(
            EnforcementLevel(v["level"]) if v["level"] is not None else None,
            dict(v["properties"]) if v["properties"] is not None else None,
        )
        for k, v in plain["initial"].items()
    }
    return policies, initial


def _policy_infos(pack: Pack) -> tuple[list[_PolicyInfo], dict[str, PolicyConfig]]:
    """Policy levels, schemas and the initial config as the engine reads them from
    ``GetAnalyzerInfo`` (protobuf round trip included)."""
    if pack.analyzer_config is not None:
        return _plain_infos(pack.analyzer_config)
    info = pack.analyzer_info()
    policies = []
    for p in info.policies:
        # An unset configSchema reads as empty properties and no required list.
        props = json_format.MessageToDict(p.configSchema.properties)
        required = list(p.configSchema.required)
        schema: dict[str, Any] = {"properties": dict(props)}
        if required:
            schema["required"] = required
        # The engine injects enforcementLevel into every schema when the pack supports config.
        # No config can reach it (levels are taken out of entries before validation, and the
        # SDK refuses a schema property of that name), so mutating it changes nothing.
        schema["properties"]["enforcementLevel"] = dict(_INJECTED_LEVEL)  # pragma: no mutate
        policies.append(_PolicyInfo(p.name, _PROTO_LEVELS[p.enforcementLevel], schema))
    initial: dict[str, PolicyConfig] = {}
    for key, value in info.initialConfig.items():
        props = json_format.MessageToDict(value.properties)  # unset: {}
        initial[key] = PolicyConfig(_PROTO_LEVELS[value.enforcementLevel], props or None)
    return policies, initial


def _apply(result: dict[str, PolicyConfig], given: Mapping[str, PolicyConfig]) -> None:
    all_cfg = given.get("all")
    if all_cfg is not None and all_cfg.enforcement_level is not None:
        for k, v in list(result.items()):
            result[k] = PolicyConfig(all_cfg.enforcement_level, v.properties)
    for policy, cfg in given.items():
        current = result.get(policy)
        level = current.enforcement_level if current else None
        props = dict(current.properties) if current and current.properties is not None else None
        if cfg.enforcement_level is not None:
            level = cfg.enforcement_level
        if cfg.properties:
            props = props or {}
            props.update(cfg.properties)
        result[policy] = PolicyConfig(level, props)


def _merged(
    pack: Pack, file_config: Mapping[str, PolicyConfig] | None
) -> tuple[list[_PolicyInfo], dict[str, PolicyConfig]]:
    """The policies' infos and their config before validation: schema defaults, then the
    pack's initial config, then *file_config*."""
    infos, initial = _policy_infos(pack)
    result: dict[str, PolicyConfig] = {}
    for info in infos:
        defaults = None
        for k, v in info.schema["properties"].items():
            if isinstance(v, Mapping) and "default" in v:
                defaults = defaults or {}
                defaults[k] = v["default"]
        result[info.name] = PolicyConfig(info.level, defaults)
    if initial:
        _apply(result, initial)
    if file_config:
        _apply(result, file_config)
    return infos, result


def _schema_problems(infos: Sequence[_PolicyInfo], result: Mapping[str, PolicyConfig]) -> list[tuple[str, str]]:
    """``(policy, problem)`` for every way *result* fails the policies' schemas."""
    problems: list[tuple[str, str]] = []
    for info in infos:
        cfg = result.get(info.name)
        props = dict(cfg.properties) if cfg and cfg.properties else {}
        schema: dict[str, Any] = {"type": "object"}
        if info.schema.get("properties"):
            schema["properties"] = info.schema["properties"]
        if info.schema.get("required"):
            schema["required"] = info.schema["required"]
        try:
            jsonschema.Draft7Validator.check_schema(schema)
            validator = jsonschema.Draft7Validator(schema)
            found = sorted(validator.iter_errors(props), key=lambda e: list(e.absolute_path))
        except jsonschema.SchemaError as e:
            problems.append((info.name, f"its config schema is invalid: {e.message}"))
            continue
        for err in found:
            where = shorten(".".join(str(p) for p in err.absolute_path), 120)
            # jsonschema's message repeats the value: a long one is cut.
            problems.append((info.name, f"{where + ': ' if where else ''}{shorten(err.message, 160)}"))
    return problems


def _level_problems(pack: Pack, result: Mapping[str, PolicyConfig]) -> list[tuple[str, str]]:
    """``(entry, problem)`` for every entry that ends with no enforcement level, which the
    engine's ``Configure`` refuses (``invalid enforcement level ""``). Every policy of the
    pack has a level (its own or the pack's), so such an entry is ``all`` or a name the pack
    has no policy for, given properties and no ``enforcementLevel``."""
    refused = 'the Pulumi CLI refuses an entry with properties and no enforcementLevel (invalid enforcement level "")'
    return [
        (
            name,
            f"{refused} for 'all'" if name == "all" else f"pack {pack.name} has no policy {name!r}; {refused} for it",
        )
        for name, cfg in result.items()
        if cfg.enforcement_level is None
    ]


def config_problems(pack: Pack, file_config: Mapping[str, PolicyConfig] | None = None) -> list[tuple[str, str]]:
    """``(policy, problem)`` for every way the config :func:`reconcile` would build from
    *file_config* is refused: schema errors, then entries left without a level (empty: the
    CLI accepts it)."""
    infos, result = _merged(pack, file_config)
    return _schema_problems(infos, result) + _level_problems(pack, result)


def reconcile(
    pack: Pack, file_config: Mapping[str, PolicyConfig] | None = None, *, source: str = "policy pack config"
) -> PackConfig:
    """The config the CLI would ``Configure`` *pack* with. Raises :class:`PackConfigError`
    (one line) when the result fails a policy's schema (every error), else when an entry of
    *file_config* (read from *source*) names no policy and sets no level (the first)."""
    infos, result = _merged(pack, file_config)
    errors = [f"{policy}: {problem}" for policy, problem in _schema_problems(infos, result)]
    if errors:
        more = f"; and {len(errors) - _SHOWN_ERRORS} more" if len(errors) > _SHOWN_ERRORS else ""
        raise PackConfigError(
            f"validating policy config: {pack.name} {pack.version}  " + "; ".join(errors[:_SHOWN_ERRORS]) + more
        )
    unset = _level_problems(pack, result)
    if unset:
        raise PackConfigError(f"{source}: {unset[0][1]}")

    # Configure: every entry goes through a Struct, as the engine's structpb.NewStruct does.
    from google.protobuf import struct_pb2

    final: dict[str, PolicyConfig] = {}
    for name, cfg in result.items():
        s = struct_pb2.Struct()
        if cfg.properties:
            s.update(json.loads(json.dumps(cfg.properties)))
        props = json_format.MessageToDict(s)
        final[name] = PolicyConfig(cfg.enforcement_level, props or None)
    return PackConfig(pack=pack.name, policies=final)


def unknown_policy_names(pack: Pack, file_config: Mapping[str, PolicyConfig]) -> list[str]:
    """Entries of a config file that name no policy of *pack* (``all`` names every policy).
    The engine sends them to the pack, which ignores them, when they end with a level; when
    they don't, :func:`reconcile` refuses them."""
    names = set(pack.policy_names())
    return sorted(k for k in file_config if k != "all" and k not in names)


def policy_infos(packs: Sequence[Pack], configs: Sequence[PackConfig | None] = ()) -> tuple[PolicyInfo, ...]:
    """Every policy of *packs*, in pack order, with the level *configs* give it."""
    out = []
    for i, pack in enumerate(packs):
        config = configs[i] if i < len(configs) else None
        for p in pack.metas():
            out.append(
                PolicyInfo(
                    pack=pack.name,
                    pack_version=pack.version,
                    name=p.name,
                    policy_type=p.policy_type,
                    description=p.description,
                    level=pack.policy_level(p, config.level(p.name) if config is not None else None),
                    severity=policy_severity(p),
                    tags=p.tags,
                    remediation_steps=p.remediation_steps,
                    url=p.url,
                    framework=dict(p.framework) if p.framework is not None else None,
                    resource_types=p.resource_types,
                )
            )
    return tuple(out)
