"""Hypothesis strategies for the inputs and outputs of any azure-native resource type.

The strategies are derived from the installed SDK's types (:mod:`cdcml.capture.sdk_types`)
and draw property bags in the engine's wire form, as a :class:`~cdcml.model.ResourceGraph`
holds them and policies receive them: wire (camelCase) names, nested objects as dicts,
lists and maps, enum members as their string values, and — on request — unknowns (the
engine's sentinel for a value computed later, :data:`cdcml.model.values.UNKNOWN`) and
secrets (the secret signature object around the plain value, as
:func:`cdcml.testing.secret` makes them).

* :func:`resource_inputs` / :func:`resource_outputs` draw well-typed bags: every bag passes
  :func:`cdcml.testing.oracle.check_inputs` / ``check_outputs`` (a property test holds them
  to it). Required properties are always there, discriminators carry their constant,
  closed enums draw members, open ones members or other strings.
* :func:`property_bags` is **deliberately ill-typed**, for the *robust* law (no policy may
  raise on what it is handed): a well-typed bag with a few breakages mixed in — nulls,
  values of the wrong type, enum members in odd casing, dropped required keys, undeclared
  keys.

Bags are kept small so drawing is fast: at most two elements per list or map, strings of
at most 12 characters, and below ``max_depth`` levels of nesting an object draws its
required properties only.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from cdcml.capture.sdk_types import ObjectType, Property, SdkType, resource_type
from cdcml.errors import CdcmlError
from cdcml.model.values import ASSET_SIG, SIG_KEY, UNKNOWN, is_unknown, secret

__all__ = ["property_bags", "resource_inputs", "resource_outputs", "sdk_values"]

_ALPHABET = st.characters(codec="ascii", categories=("L", "Nd"), include_characters="-_.")
_STRINGS = st.text(_ALPHABET, max_size=12)
_KEYS = st.text(_ALPHABET, min_size=1, max_size=8)
_INTEGERS = st.one_of(st.sampled_from([0, 1, -1, 2**31 - 1]), st.integers(min_value=-1000, max_value=100_000))
_NUMBERS = st.one_of(_INTEGERS, st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
_ANY = st.one_of(_STRINGS, st.integers(min_value=-1000, max_value=1000), st.booleans())
_ONE_IN_FOUR = st.integers(min_value=0, max_value=3).map(lambda n: n == 3)
_HARD_DEPTH = 8
"""Nesting beyond which no object is drawn at all (only types that *require* themselves,
recursively, get there; such a property can't be drawn and its bag is rejected)."""


class _Builder:
    """Strategies for one set of knobs; one per call, caching per object type and depth."""

    def __init__(self, *, unknowns: bool, secrets: bool, required_only: bool, max_depth: int) -> None:
        self.unknowns = unknowns
        self.secrets = secrets
        self.required_only = required_only
        self.max_depth = max_depth
        self._objects: dict[tuple[int, int], st.SearchStrategy[Any]] = {}

    def wrap(self, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        """*strategy*, a value of which is a secret (one in four) or unknown (one in four)
        when the knobs say so."""
        if self.secrets:
            plain = strategy
            strategy = _ONE_IN_FOUR.flatmap(lambda hit: plain.map(secret) if hit else plain)
        if self.unknowns:
            known = strategy
            strategy = _ONE_IN_FOUR.flatmap(lambda hit: st.just(UNKNOWN) if hit else known)
        return strategy

    def value(self, sdk_type: SdkType, depth: int) -> st.SearchStrategy[Any]:
        return self.wrap(self._plain(sdk_type, depth))

    def _plain(self, sdk_type: SdkType, depth: int) -> st.SearchStrategy[Any]:
        kind = sdk_type.kind
        if kind == "object" and sdk_type.object is not None:
            return self.object(sdk_type.object, depth + 1)
        if kind == "union":
            return st.one_of(*(self._plain(m, depth) for m in sdk_type.members))
        if kind == "array" and sdk_type.item is not None:
            return st.lists(self.value(sdk_type.item, depth), max_size=2)
        if kind == "map" and sdk_type.item is not None:
            return st.dictionaries(_KEYS, self.value(sdk_type.item, depth), max_size=2)
        if kind == "enum" and sdk_type.enum is not None:
            members = st.sampled_from(sdk_type.enum.values)
            return st.one_of(members, _STRINGS) if sdk_type.enum.open else members
        if kind == "asset":
            return _STRINGS.map(lambda text: {SIG_KEY: ASSET_SIG, "text": text})
        return {"string": _STRINGS, "integer": _INTEGERS, "number": _NUMBERS, "boolean": st.booleans()}.get(kind, _ANY)

    def property(self, prop: Property, depth: int) -> st.SearchStrategy[Any]:
        if prop.const is not None:
            return self.wrap(st.just(prop.const))
        return self.value(prop.type, depth)

    def _lazy(self, prop: Property, depth: int) -> st.SearchStrategy[Any]:
        """The strategy of *prop*, built on first draw (so recursive types are fine)."""

        def build() -> st.SearchStrategy[Any]:
            return self.property(prop, depth)

        return st.deferred(build)

    def object(
        self, object_type: ObjectType, depth: int, overrides: Mapping[str, Any] | None = None
    ) -> st.SearchStrategy[dict[str, Any]]:
        key = (id(object_type), depth)
        if not overrides and key in self._objects:
            return self._objects[key]
        if depth > _HARD_DEPTH:
            return st.nothing()
        overrides = overrides or {}
        nested = _split(overrides)
        shallow = self.required_only or depth > self.max_depth
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for name, prop in object_type.properties.items():
            if name in nested:
                assert prop.type.object is not None
                required[name] = self.object(prop.type.object, depth + 1, nested[name])
            elif name in overrides:
                required[name] = _as_strategy(overrides[name])
            elif prop.required:
                required[name] = self._lazy(prop, depth)
            elif not shallow:
                optional[name] = self._lazy(prop, depth)
        strategy = st.fixed_dictionaries(required, optional=optional)
        if not overrides:
            self._objects[key] = strategy
        return strategy


def _as_strategy(value: Any) -> st.SearchStrategy[Any]:
    return value if isinstance(value, st.SearchStrategy) else st.just(copy.deepcopy(value))


def _split(overrides: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"sku.name": v}`` → ``{"sku": {"name": v}}`` (only the dotted paths)."""
    nested: dict[str, dict[str, Any]] = {}
    for path, value in overrides.items():
        head, dot, rest = path.partition(".")
        if dot:
            nested.setdefault(head, {})[rest] = value
    return nested


def _check_overrides(object_type: ObjectType, overrides: Mapping[str, Any], token: str) -> None:
    for path in overrides:
        current: ObjectType | None = object_type
        for step in path.split("."):
            prop = current.properties.get(step) if current is not None else None
            if prop is None:
                raise CdcmlError(f"override {path!r}: {token} has no property {step!r} there")
            current = prop.type.object
        if any(other.startswith(path + ".") for other in overrides):
            raise CdcmlError(f"override {path!r} conflicts with the overrides of properties inside it")


def _bags(
    object_type: ObjectType,
    token: str,
    *,
    unknowns: bool,
    secrets: bool,
    required_only: bool,
    overrides: Mapping[str, Any] | None,
    max_depth: int,
) -> st.SearchStrategy[dict[str, Any]]:
    overrides = dict(overrides or {})
    _check_overrides(object_type, overrides, token)
    builder = _Builder(unknowns=unknowns, secrets=secrets, required_only=required_only, max_depth=max_depth)
    return builder.object(object_type, 0, overrides)


def resource_inputs(
    type_token: str,
    *,
    unknowns: bool = False,
    secrets: bool = False,
    required_only: bool = False,
    overrides: Mapping[str, Any] | None = None,
    max_depth: int = 2,
) -> st.SearchStrategy[dict[str, Any]]:
    """Well-typed inputs of *type_token* in wire form (they pass ``check_inputs``).

    *unknowns* / *secrets*: any value may be the engine's unknown sentinel / a secret.
    *required_only*: only the required properties (and overrides). *overrides*: wire paths
    (``"publicNetworkAccess"``, ``"sku.name"``) to a value or a strategy; each is always
    present. *max_depth*: levels of nested objects that draw optional properties."""
    return _bags(
        resource_type(type_token).inputs,
        type_token,
        unknowns=unknowns,
        secrets=secrets,
        required_only=required_only,
        overrides=overrides,
        max_depth=max_depth,
    )


def resource_outputs(
    type_token: str,
    *,
    unknowns: bool = False,
    secrets: bool = False,
    required_only: bool = False,
    overrides: Mapping[str, Any] | None = None,
    max_depth: int = 2,
) -> st.SearchStrategy[dict[str, Any]]:
    """Well-typed outputs of *type_token* (the resource's output properties, nested
    ``…Response`` types) in wire form; they pass ``check_outputs``. Knobs as
    :func:`resource_inputs`."""
    return _bags(
        resource_type(type_token).outputs,
        type_token,
        unknowns=unknowns,
        secrets=secrets,
        required_only=required_only,
        overrides=overrides,
        max_depth=max_depth,
    )


def sdk_values(sdk_type: SdkType, *, unknowns: bool = False, secrets: bool = False) -> st.SearchStrategy[Any]:
    """Well-typed wire values of one :class:`~cdcml.capture.sdk_types.SdkType`."""
    return _Builder(unknowns=unknowns, secrets=secrets, required_only=False, max_depth=2).value(sdk_type, 0)


_WRONG: dict[str, Any] = {
    "string": 42,
    "integer": "42",
    "number": "4.2",
    "boolean": "true",
    "enum": False,
    "object": ["not", "an", "object"],
    "array": {"not": "a list"},
    "map": "not a map",
    "union": 0,
    "asset": 0,
    "any": None,
}


@st.composite
def property_bags(draw: st.DrawFn, type_token: str, *, max_breakages: int = 3) -> dict[str, Any]:
    """**Deliberately ill-typed** inputs of *type_token*, for robustness tests: a bag of
    :func:`resource_inputs` (with unknowns and secrets) with up to *max_breakages* of these
    mixed in, anywhere in the tree: a value set to null, a value of the wrong type, a string
    in odd casing (``"Disabled"`` → ``"dISABLED"``, ``"DISABLED"``, ``"disabled"``), a
    property removed (required ones too), an undeclared key (capitalised, ending in ``X``,
    so never a wire name). A policy must not raise on any of them; the bag need not (and
    usually does not) pass the type oracle."""
    object_type = resource_type(type_token).inputs
    bag: dict[str, Any] = draw(resource_inputs(type_token, unknowns=True, secrets=True))
    for _ in range(draw(st.integers(min_value=0, max_value=max_breakages))):
        target, at = draw(st.sampled_from(_objects_in(bag, object_type)))
        how = draw(st.sampled_from(["null", "wrong-type", "odd-case", "remove", "extra-key"]))
        strings = _enum_strings(target, at) or sorted(
            k for k, v in target.items() if isinstance(v, str) and v and not is_unknown(v)
        )
        names = sorted(set(target) | set(at.properties if at is not None else ()))
        if how == "odd-case" and strings:
            name = draw(st.sampled_from(strings))
            target[name] = draw(st.sampled_from([str.swapcase, str.upper, str.lower]))(target[name])
        elif how in ("null", "wrong-type", "remove") and names:
            name = draw(st.sampled_from(names))
            prop = at.properties.get(name) if at is not None else None
            if how == "null":
                target[name] = None
            elif how == "wrong-type":
                target[name] = _WRONG[prop.type.kind] if prop is not None else ["wrong"]
            else:
                target.pop(name, None)
        else:
            target[draw(_KEYS).capitalize() + "X"] = draw(_ANY)
    return bag


def _enum_strings(target: dict[str, Any], at: ObjectType | None) -> list[str]:
    """The keys of *target* whose values are members of their property's enum, those of
    closed enums (where casing makes the value ill-typed) if there are any."""
    closed: list[str] = []
    open_: list[str] = []
    for key, value in target.items():
        prop = at.properties.get(key) if at is not None else None
        if prop is not None and prop.type.enum is not None and value in prop.type.enum.values:
            (open_ if prop.type.enum.open else closed).append(key)
    return sorted(closed or open_)


def _objects_in(bag: dict[str, Any], object_type: ObjectType | None) -> list[tuple[dict[str, Any], ObjectType | None]]:
    """Every plain dict of *bag* (secrets' insides included) with its object type, if known."""
    found: list[tuple[dict[str, Any], ObjectType | None]] = [(bag, object_type)]

    def walk(value: Any, sdk_type: SdkType | None) -> None:
        if isinstance(value, dict) and SIG_KEY in value:
            walk(value.get("value"), sdk_type)
        elif isinstance(value, dict):
            inner = sdk_type.object if sdk_type is not None and sdk_type.kind == "object" else None
            if inner is not None or sdk_type is None or sdk_type.kind in ("map", "union", "any"):
                found.append((value, inner))
            for key, item in value.items():
                walk(item, _member_type(sdk_type, inner, key))
        elif isinstance(value, list):
            for item in value:
                walk(item, sdk_type.item if sdk_type is not None else None)

    for key, value in bag.items():
        prop = object_type.properties.get(key) if object_type is not None else None
        walk(value, prop.type if prop is not None else None)
    return found


def _member_type(sdk_type: SdkType | None, inner: ObjectType | None, key: str) -> SdkType | None:
    if inner is not None:
        prop = inner.properties.get(key)
        return prop.type if prop is not None else None
    if sdk_type is not None and sdk_type.kind == "map":
        return sdk_type.item
    return None
