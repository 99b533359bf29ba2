"""The type oracle: do a resource's inputs (or outputs) comply with the SDK's types?

ProTI's "well-typed" check (Sokolowski et al., TSE 2024) for Python programs on azure-native:
a property bag in the engine's wire form is compared with the type model the installed SDK
declares (:mod:`cdcml.capture.sdk_types`), and every disagreement is a :class:`TypeProblem`
naming the property path (``sku.name``, ``networkRuleSet.ipRules[0].value``,
``tags.owner``), what was expected and what was found:

* ``missing`` — a required property is absent (or null);
* ``type`` — a value of the wrong kind (a string where a bool is declared, a list where an
  object is, …);
* ``enum`` — a string that is not a member of a *closed* enum (``Union[str, Enum]`` allows
  any string and is never reported; casing counts, as the SDK's enums are case-sensitive
  values);
* ``const`` — a discriminator that is not the constant its type declares;
* ``unknown-property`` — a key the type does not declare.

What the engine may legitimately hand a policy is accepted: an unknown (a computed value
during preview, any of the engine's sentinels) wherever any value could be, a secret whose
plaintext is checked in its place, a whole number sent as a float (the wire has only
doubles) for an integer, and for a union of object types (azure-native's discriminated
unions) any member. Messages never show a secret's plaintext.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cdcml.capture.sdk_types import ObjectType, SdkType, resource_type
from cdcml.model.values import ARCHIVE_SIG, ASSET_SIG, SIG_KEY, is_secret, is_unknown, reveal

__all__ = ["TypeProblem", "check_inputs", "check_object", "check_outputs", "check_value"]

ProblemKind = Literal["missing", "type", "enum", "const", "unknown-property"]
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_\-$@]+$")


@dataclass(frozen=True)
class TypeProblem:
    """One way a property bag disagrees with the SDK's type."""

    path: str
    kind: ProblemKind
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: expected {self.expected}, found {self.found}"


def check_inputs(type_token: str, inputs: Mapping[str, Any]) -> list[TypeProblem]:
    """Every way *inputs* (wire form) disagree with the input type (``<Resource>Args``) of
    *type_token*; empty when they comply."""
    return check_object(resource_type(type_token).inputs, inputs)


def check_outputs(type_token: str, outputs: Mapping[str, Any]) -> list[TypeProblem]:
    """Every way *outputs* (wire form) disagree with the output properties of *type_token*."""
    return check_object(resource_type(type_token).outputs, outputs)


def check_object(object_type: ObjectType, bag: Any, path: str = "", *, secret: bool = False) -> list[TypeProblem]:
    """The problems of *bag* as a value of *object_type* (keys are wire names); *secret*:
    the bag is inside a secret."""
    if is_unknown(bag):
        return []
    secret = secret or is_secret(bag)
    bag = reveal(bag)
    if not isinstance(bag, Mapping) or _is_signature(bag):
        return [TypeProblem(path, "type", f"an object ({object_type.name})", _found(bag, secret))]
    properties = object_type.properties
    problems: list[TypeProblem] = []
    for key in bag:
        if key not in properties:
            known = ", ".join(sorted(properties)) or "none"
            problems.append(
                TypeProblem(
                    _join(path, key), "unknown-property", f"a property of {object_type.name} ({known})", repr(key)
                )
            )
    for name, prop in properties.items():
        where = _join(path, name)
        value = bag.get(name)
        if value is None:
            if prop.required:
                problems.append(TypeProblem(where, "missing", f"{prop.type.describe()} (required)", "nothing"))
            continue
        problems.extend(check_value(prop.type, value, where, secret=secret))
        plain = reveal(value)
        if prop.const is not None and isinstance(plain, str) and not is_unknown(plain) and plain != prop.const:
            found = _found(plain, secret or is_secret(value))
            problems.append(TypeProblem(where, "const", json.dumps(prop.const), found))
    return problems


def check_value(sdk_type: SdkType, value: Any, path: str = "", *, secret: bool = False) -> list[TypeProblem]:
    """The problems of *value* as a value of *sdk_type*, at *path*. *secret*: the value is
    inside a secret (messages then never show it)."""
    if is_unknown(value):
        return []
    if is_secret(value):
        return check_value(sdk_type, reveal(value), path, secret=True)
    kind = sdk_type.kind
    if kind == "any":
        return []
    if kind == "object" and sdk_type.object is not None:
        return check_object(sdk_type.object, value, path, secret=secret)
    if kind == "union":
        return _check_union(sdk_type, value, path, secret)
    if kind in ("array", "map") and sdk_type.item is not None:
        return _check_container(sdk_type, sdk_type.item, value, path, secret)
    if kind == "enum" and sdk_type.enum is not None:
        return _check_enum(sdk_type, value, path, secret)
    if _scalar_ok(kind, value):
        return []
    return [TypeProblem(path, "type", sdk_type.describe(), _found(value, secret))]


def _scalar_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return kind == "number" or isinstance(value, int) or value.is_integer()
    if kind == "asset":
        return isinstance(value, Mapping) and value.get(SIG_KEY) in (ASSET_SIG, ARCHIVE_SIG)
    return False


def _check_enum(sdk_type: SdkType, value: Any, path: str, secret: bool) -> list[TypeProblem]:
    assert sdk_type.enum is not None
    members = sdk_type.enum
    if members.open and isinstance(value, str):
        return []
    strings = any(isinstance(v, str) for v in members.values)
    numbers = any(not isinstance(v, str) for v in members.values)
    if not ((strings and isinstance(value, str)) or (numbers and _scalar_ok("number", value))):
        return [TypeProblem(path, "type", sdk_type.describe(), _found(value, secret))]
    if members.open or value in members.values:
        return []
    return [TypeProblem(path, "enum", sdk_type.describe(), _found(value, secret))]


def _check_container(sdk_type: SdkType, item: SdkType, value: Any, path: str, secret: bool) -> list[TypeProblem]:
    problems: list[TypeProblem] = []
    if sdk_type.kind == "array":
        if not isinstance(value, (list, tuple)):
            return [TypeProblem(path, "type", sdk_type.describe(), _found(value, secret))]
        for i, element in enumerate(value):
            problems.extend(_element(item, element, f"{path}[{i}]", secret))
        return problems
    if not isinstance(value, Mapping) or _is_signature(value):
        return [TypeProblem(path, "type", sdk_type.describe(), _found(value, secret))]
    for key, element in value.items():
        problems.extend(_element(item, element, _join(path, str(key)), secret))
    return problems


def _element(item: SdkType, element: Any, path: str, secret: bool) -> list[TypeProblem]:
    if element is None and item.kind != "any":
        return [TypeProblem(path, "type", item.describe(), "null")]
    return check_value(item, element, path, secret=secret)


def _check_union(sdk_type: SdkType, value: Any, path: str, secret: bool) -> list[TypeProblem]:
    """Any member will do. When none fits, the member the value's discriminator names (or
    else the one with the fewest problems) explains why."""
    attempts = [check_value(member, value, path, secret=secret) for member in sdk_type.members]
    if any(not problems for problems in attempts):
        return []
    for member, problems in zip(sdk_type.members, attempts, strict=True):
        if _discriminated(member, value):
            return problems
    return min(attempts, key=len)


def _discriminated(member: SdkType, value: Any) -> bool:
    if member.object is None or not isinstance(value, Mapping):
        return False
    consts = [(p.name, p.const) for p in member.object.properties.values() if p.const is not None]
    return bool(consts) and all(reveal(value.get(name)) == const for name, const in consts)


def _is_signature(value: Mapping[str, Any]) -> bool:
    return SIG_KEY in value


def _join(path: str, key: str) -> str:
    step = key if _PLAIN_KEY.match(key) else json.dumps(key)
    if not _PLAIN_KEY.match(key):
        return f"{path}[{step}]"
    return f"{path}.{step}" if path else step


def _found(value: Any, secret: bool) -> str:
    """A value as a message may show it: its kind, and its text unless it is secret."""
    if value is None:
        return "null"
    kind = {bool: "a boolean", str: "a string", int: "a number", float: "a number"}.get(type(value))
    if kind is None:
        kind = (
            "an object"
            if isinstance(value, Mapping)
            else "a list"
            if isinstance(value, (list, tuple))
            else type(value).__name__
        )
        return f"a secret ({kind})" if secret else kind
    if secret:
        return f"a secret ({kind})"
    shown = json.dumps(value)
    return f"{kind} {shown if len(shown) <= 60 else shown[:57] + '…'}"
