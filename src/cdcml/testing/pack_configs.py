"""Pack configurations drawn from the policies' config schemas, valid and invalid.

A CrossGuard policy declares its config as a ``PolicyConfigSchema`` (``properties``,
``required``); the Pulumi CLI validates each policy's entry of ``--policy-pack-config``
against ``{"type": "object", "properties": …, "required": …}`` after filling in the
properties' defaults and the pack's initial config (:func:`cdcml.engine.config.reconcile`
does the same, with JSON Schema draft 7)::

    @given(policy_configs(my_policy))
    def test_every_valid_config_runs(config): run_policy(my_policy, props, config=config)

    @given(pack_configs(pack, valid=False))
    def test_every_invalid_config_is_refused(doc):
        with pytest.raises(PackConfigError): reconcile(pack, parse_pack_config(doc))

Valid configs (``valid=True``) validate against the schema and carry only declared
properties (at any depth). Invalid ones (``valid=False``) break exactly one constraint of one property —
a wrong type, a number out of bounds, a value not in the enum, a missing required
property (one with no default, which the CLI would fill in), a string outside its
length or ``pattern``, an array with too few or too many items, a duplicate or one bad
item, an undeclared key where ``additionalProperties`` forbids it — and validation
reports exactly one error for them. :func:`broken_configs` says which.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as e:  # the kit's strategies need the testing extra
    raise ModuleNotFoundError(f"{__name__} needs Hypothesis: pip install 'cdcml-guard[testing]'", name=e.name) from e
from jsonschema import Draft7Validator

from cdcml.engine.config import analyzer_config
from cdcml.engine.pack import Pack
from cdcml.testing.schemas import from_json_schema

__all__ = ["LEVELS", "BrokenConfig", "broken_configs", "config_schema", "pack_configs", "policy_configs"]

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
"""The enforcement levels a pack config entry may set."""

_ENGINE_PROPERTY = "enforcementLevel"  # injected by the engine into every config schema


@dataclass(frozen=True)
class BrokenConfig:
    """A policy config that breaks exactly one constraint of its schema: *constraint* is
    the JSON Schema keyword (``type``, ``minimum``, ``enum``, ``required`` …), *path* the
    location of the offending value (of the object, for ``required``)."""

    config: dict[str, Any]
    constraint: str
    path: tuple[str | int, ...]
    message: str


def config_schema(policy_or_schema: Any) -> dict[str, Any]:
    """The object schema a policy's config is validated against, as plain JSON data.

    Takes a policy (anything with ``config_schema``), a ``PolicyConfigSchema`` (anything
    with ``properties``), or a mapping (``{"properties": …, "required": …}``, with or
    without ``"type": "object"``). The engine's injected ``enforcementLevel`` property is
    left out: it is the entry's level, not the policy's config. Whole numbers are ints."""
    source = policy_or_schema
    if hasattr(source, "config_schema"):
        source = source.config_schema
        if source is None:
            return {"type": "object", "properties": {}}
    if isinstance(source, Mapping):
        properties, required = source.get("properties") or {}, source.get("required") or ()
    elif hasattr(source, "properties"):
        properties, required = source.properties or {}, getattr(source, "required", None) or ()
    else:
        raise TypeError(f"not a policy or a config schema: {policy_or_schema!r}")
    # As plain JSON; whole floats become ints (a schema read back from GetAnalyzerInfo went
    # through a protobuf Struct, where ``"minItems": 1`` became ``1.0``).
    plain = json.loads(json.dumps({"properties": dict(properties), "required": list(required)}), parse_float=_number)
    schema: dict[str, Any] = {"type": "object", "properties": plain["properties"]}
    schema["properties"].pop(_ENGINE_PROPERTY, None)
    if plain["required"]:
        schema["required"] = [r for r in plain["required"] if r != _ENGINE_PROPERTY]
    return schema


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _defaults(schema: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(k for k, v in schema["properties"].items() if isinstance(v, Mapping) and "default" in v)


def _closed(node: Any) -> Any:
    """*node* with every object schema that says nothing of undeclared keys closed to them
    (``additionalProperties: false``), at any depth."""
    if not isinstance(node, Mapping):
        return node
    out = dict(node)
    for key in ("properties", "patternProperties"):
        if isinstance(out.get(key), Mapping):
            out[key] = {k: _closed(v) for k, v in out[key].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), Mapping):
            out[key] = _closed(out[key])
    if out.get("type") == "object" and "additionalProperties" not in out and "patternProperties" not in out:
        out["additionalProperties"] = False
    return out


def _valid(node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against *node*, with declared properties only at any depth (unless an
    object's schema says what undeclared keys may hold): a policy reads only those, and
    arbitrary extra keys only make examples large."""
    return from_json_schema(_closed(node))


def policy_configs(policy_or_schema: Any, valid: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Configs of one policy drawn from its config schema (see :func:`config_schema`):
    valid ones, or (``valid=False``) ones breaking exactly one constraint."""
    schema = config_schema(policy_or_schema)
    if valid:
        return _valid(schema)
    return broken_configs(schema).map(lambda broken: broken.config)


def broken_configs(policy_or_schema: Any, *, provided: Iterable[str] = ()) -> st.SearchStrategy[BrokenConfig]:
    """Configs breaking exactly one constraint of the policy's config schema, with the
    constraint they break. A required property is left out only when neither its default
    nor *provided* (e.g. the pack's initial config) fills it in, as the CLI would.
    Raises ``ValueError`` for a schema with no constraint to break."""
    schema = config_schema(policy_or_schema)
    filled = _defaults(schema) | frozenset(provided)
    breaks = _object_breaks(schema, filled)
    if not breaks:
        raise ValueError(f"the config schema {schema!r} has no constraint a config could break")
    validator = Draft7Validator(schema)

    def single_error(config: dict[str, Any]) -> list[Any]:
        return list(validator.iter_errors(config))

    def described(config: dict[str, Any]) -> BrokenConfig:
        (error,) = single_error(config)
        return BrokenConfig(config, str(error.validator), tuple(error.absolute_path), error.message)

    return st.one_of(breaks).filter(lambda c: len(single_error(c)) == 1).map(described)


# --------------------------------------------------------------------------- breaking one constraint

_JSON_KINDS: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "integer": st.integers(-(10**6), 10**6),
    "number": st.floats(-1e6, 1e6, allow_nan=False).filter(lambda x: not x.is_integer()),
    "string": st.text(max_size=8),
    "array": st.lists(st.integers(0, 9), max_size=2),
    "object": st.dictionaries(st.text(max_size=4), st.integers(0, 9), max_size=2),
}


def _wrong_type(types: str | list[str]) -> st.SearchStrategy[Any]:
    allowed = {types} if isinstance(types, str) else set(types)
    if "number" in allowed:
        allowed |= {"integer"}
    return st.one_of([s for kind, s in _JSON_KINDS.items() if kind not in allowed])


def _below(bound: float, *, inclusive: bool, integer: bool) -> st.SearchStrategy[Any]:
    """Numbers below *bound* (or equal, when *inclusive*), near it and far from it."""
    top = math.ceil(bound) - 1 if not (inclusive and float(bound).is_integer()) else int(bound)
    ints = st.integers(max_value=top).filter(lambda x: x < bound or (inclusive and x == bound))
    if integer:
        return ints
    return ints | st.floats(max_value=bound, exclude_max=not inclusive, allow_nan=False, allow_infinity=False)


def _above(bound: float, *, inclusive: bool, integer: bool) -> st.SearchStrategy[Any]:
    return _below(-bound, inclusive=inclusive, integer=integer).map(lambda x: -x)


def _number_breaks(node: Mapping[str, Any]) -> list[st.SearchStrategy[Any]]:
    integer = node.get("type") == "integer"
    out = []
    if isinstance(node.get("minimum"), int | float):
        out.append(_below(node["minimum"], inclusive=False, integer=integer))
    if isinstance(node.get("exclusiveMinimum"), int | float) and not isinstance(node["exclusiveMinimum"], bool):
        out.append(_below(node["exclusiveMinimum"], inclusive=True, integer=integer))
    if isinstance(node.get("maximum"), int | float):
        out.append(_above(node["maximum"], inclusive=False, integer=integer))
    if isinstance(node.get("exclusiveMaximum"), int | float) and not isinstance(node["exclusiveMaximum"], bool):
        out.append(_above(node["exclusiveMaximum"], inclusive=True, integer=integer))
    return out


def _string_breaks(node: Mapping[str, Any]) -> list[st.SearchStrategy[Any]]:
    """Strings too short, too long (otherwise valid: the pattern still matches) or not
    matching the pattern (with a valid length)."""
    lo, hi = node.get("minLength", 0), node.get("maxLength")
    out = []
    if lo > 0:
        out.append(_valid({**node, "minLength": 0, "maxLength": lo - 1}))
    if hi is not None:
        out.append(_valid({**node, "minLength": hi + 1, "maxLength": hi + 8}))
    if "pattern" in node:
        pattern = re.compile(node["pattern"])
        out.append(st.text(min_size=lo, max_size=lo + 12 if hi is None else hi).filter(lambda s: not pattern.search(s)))
    return out


def _array_breaks(node: Mapping[str, Any]) -> list[st.SearchStrategy[Any]]:
    items = node.get("items")
    item = _valid(items) if isinstance(items, Mapping) else st.integers(0, 9)
    unique = bool(node.get("uniqueItems"))
    lo, hi = node.get("minItems", 0), node.get("maxItems")
    out = []
    if lo > 0:
        out.append(st.lists(item, max_size=lo - 1, unique_by=_json_key if unique else None))
    if hi is not None:
        out.append(st.lists(item, min_size=hi + 1, max_size=hi + 3, unique_by=_json_key if unique else None))
    valid_list = st.lists(item, min_size=max(lo, 1), max_size=max(lo, 1) + 2, unique_by=_json_key if unique else None)
    if unique:
        out.append(valid_list.map(lambda xs: [*xs, xs[0]]))
    if isinstance(items, Mapping):
        for bad in _breaks(items):
            out.append(
                st.tuples(valid_list, bad, st.integers(0, 10)).map(
                    lambda t: [*t[0][: t[2] % len(t[0])], t[1], *t[0][t[2] % len(t[0]) + 1 :]]
                )
            )
    return out


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _object_breaks(node: Mapping[str, Any], filled: frozenset[str] = frozenset()) -> list[st.SearchStrategy[Any]]:
    """Objects valid against *node* but for one property, one missing required property
    (not one in *filled*), or one undeclared key."""
    properties: Mapping[str, Any] = node.get("properties") or {}
    base = _valid(node)
    out = []
    for name, sub in properties.items():
        for bad in _breaks(sub):
            out.append(st.tuples(base, st.just(name), bad).map(lambda t: {**t[0], t[1]: t[2]}))
    for name in node.get("required", ()):
        if name not in filled:
            out.append(st.tuples(base, st.just(name)).map(lambda t: {k: v for k, v in t[0].items() if k != t[1]}))
    extra = node.get("additionalProperties")
    undeclared = st.text(min_size=1, max_size=8).filter(lambda k: k not in properties)
    if extra is False:
        out.append(st.tuples(base, undeclared, st.integers(0, 9)).map(lambda t: {**t[0], t[1]: t[2]}))
    elif isinstance(extra, Mapping):
        for bad in _breaks(extra):
            out.append(st.tuples(base, undeclared, bad).map(lambda t: {**t[0], t[1]: t[2]}))
    return out


def _breaks(node: Mapping[str, Any]) -> list[st.SearchStrategy[Any]]:
    """Strategies of values that break one constraint of *node* (filtered to exactly one
    error by the caller)."""
    if "const" in node:
        return [st.one_of(list(_JSON_KINDS.values())).filter(lambda v: v != node["const"])]
    if "enum" in node:
        enum = node["enum"]
        kind = node.get("type")
        near = _JSON_KINDS[kind] if isinstance(kind, str) and kind in _JSON_KINDS else st.one_of(*_JSON_KINDS.values())
        return [near.filter(lambda v: v not in enum)]
    kind = node.get("type")
    out = [_wrong_type(kind)] if kind is not None else []
    if kind in ("number", "integer"):
        out += _number_breaks(node)
    elif kind == "string":
        out += _string_breaks(node)
    elif kind == "array":
        out += _array_breaks(node)
    elif kind == "object":
        out += _object_breaks(node)
    return out


# --------------------------------------------------------------------------- whole packs


def _pack_schemas(pack: Pack | Iterable[Any]) -> dict[str, tuple[dict[str, Any], frozenset[str]]]:
    """Each configurable policy's schema and the properties filled in before the file
    config (defaults, the pack's initial config)."""
    if isinstance(pack, Pack):
        plain = analyzer_config(pack)
        initial = plain["initial"]
        out = {}
        for info in plain["policies"]:
            schema = config_schema(info["schema"] or {})
            if not schema["properties"]:
                continue
            given = (initial.get(info["name"]) or {}).get("properties") or {}
            out[info["name"]] = (schema, _defaults(schema) | frozenset(given))
        return out
    schemas = {p.name: config_schema(p) for p in pack if getattr(p, "config_schema", None) is not None}
    return {name: (schema, _defaults(schema)) for name, schema in schemas.items() if schema["properties"]}


def pack_configs(
    pack: Pack | Iterable[Any], valid: bool = True, *, levels: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    """``--policy-pack-config`` documents for *pack* (a loaded :class:`~cdcml.engine.pack.Pack`
    or its policies): ``{policy: {property: value, …}}`` for some of its configurable
    policies, each entry with an ``enforcementLevel`` drawn from *levels* when given.
    Valid ones pass the CLI's validation; with ``valid=False`` exactly one entry breaks
    exactly one constraint of its policy's schema (the others stay valid), so the CLI —
    and :func:`cdcml.engine.config.reconcile` — refuses the document."""
    schemas = _pack_schemas(pack)
    if not schemas:
        raise ValueError("the pack has no configurable policy")

    def entry(config: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        if levels is None:
            return config
        return st.tuples(config, levels).map(lambda t: {**t[0], _ENGINE_PROPERTY: t[1]})

    entries = {name: entry(_valid(schema)) for name, (schema, _) in schemas.items()}
    documents = st.fixed_dictionaries({}, optional=entries)
    if valid:
        return documents
    breakable = {}
    for name, (schema, filled) in schemas.items():
        try:
            breakable[name] = broken_configs(schema, provided=filled).map(lambda b: b.config)
        except ValueError:
            continue
    if not breakable:
        raise ValueError("no configurable policy of the pack has a constraint a config could break")
    broken = st.sampled_from(sorted(breakable)).flatmap(lambda name: st.tuples(st.just(name), entry(breakable[name])))
    return st.tuples(documents, broken).map(lambda t: {**t[0], t[1][0]: t[1][1]})
