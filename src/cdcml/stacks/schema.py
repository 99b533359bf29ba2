"""The stack configuration schema, ``config.schema.json``, and the checks it drives.

The schema is written once, as a JSON Schema (draft 2020-12) shipped in this package: it
describes the ``config:`` mapping of a reference profile's ``Pulumi.<stack>.yaml``, keyed
by full config key (``cdcml:sources``, ``azure-native:location``). From it come

- validation (:func:`first_error`): the one-line message naming the key of the first
  bad value, in the schema's order of keys and fields;
- defaults (:func:`with_defaults`), including those of conditional branches (the Event
  Hubs tier's), filled in before validation so that a default a value's tier rules out is
  reported like a value given;
- the tables of ``docs/stacks.md`` and the ``config:`` block of ``Pulumi.yaml``
  (:mod:`cdcml.stacks.docs`);
- the Hypothesis strategies for stack configurations (:mod:`cdcml.testing.strategies`).

Messages have the program's form, ``<key> must be <what> (got <value>)``. ``<what>`` is
derived from the failing keyword (``one of a, b or c``, ``an integer from 1 to 40``,
``true or false``) unless the schema says it in ``x-allowed``; ``x-error`` replaces the
whole message of a value, ``x-missing`` the message of a missing required key. Templates
may use ``{key}``, ``{parent}`` (the key of the enclosing object) and ``{allowed}``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from cdcml.inputs import shorten
from cdcml.stacks._args import names

__all__ = [
    "NAMESPACE",
    "SCHEMA",
    "allowed",
    "config_keys",
    "first_error",
    "format_key",
    "key_fields",
    "resolved_properties",
    "unknown_key_message",
    "with_defaults",
]

NAMESPACE = "cdcml"
"""The program's config namespace: every ``cdcml:`` key must be one the schema declares."""


def _load() -> dict[str, Any]:
    text = resources.files("cdcml.stacks").joinpath("config.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


SCHEMA: Mapping[str, Any] = _load()
"""The parsed ``config.schema.json`` (treat as read-only)."""


# --------------------------------------------------------------------------- the validator


@cache
def _ecma(pattern: str) -> re.Pattern[str]:
    """*pattern* compiled with ECMA-262's ``$``: the end of the input only (Python's ``$``
    also matches before a final newline, so ``"abc\\n"`` would pass ``^[a-z]+$``)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        out.append(r"\Z" if char == "$" and not in_class else char)
        i += 1
    return re.compile("".join(out))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _ecma(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _required(
    validator: Any, required: list[str], instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """``required``, with each error at the missing property's path, so that it is named
    and ordered like an error of that property."""
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            yield ValidationError(f"{name!r} is a required property", path=(name,))


_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern, "required": _required})

# When one value breaks several keywords of one schema, the first of these is reported.
_KEYWORDS = ("type", "const", "enum", "additionalProperties", "required", "minItems", "maxItems", "pattern")


# --------------------------------------------------------------------------- messages


def format_key(path: Sequence[str | int]) -> str:
    """``("cdcml:sources", 0, "tables")`` → ``cdcml:sources[0].tables``; ``()`` → ``""``."""
    if not path:
        return ""
    head, *rest = path
    return str(head) + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in rest)


def unknown_key_message(key: str, known: Sequence[str], *, top_level: bool) -> str:
    """The message for a key the schema doesn't declare (``known`` in schema order)."""
    where = " of this program" if top_level else ""
    return f"{key} is not a configuration key{where} (keys: {', '.join(known)})"


def config_keys() -> tuple[str, ...]:
    """The ``cdcml:`` keys the schema declares, in schema order."""
    return tuple(k for k in SCHEMA["properties"] if k.startswith(f"{NAMESPACE}:"))


def _fields_of(node: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys an object (or each object of a list) accepts; ``()`` for a free mapping."""
    obj = node.get("items", node) if node.get("type") == "array" else node
    return tuple(obj.get("properties", {})) if obj.get("additionalProperties") is False else ()


def key_fields() -> dict[str, tuple[str, ...]]:
    """Every ``cdcml:`` key (without the namespace) and nested object (``ingestion.git``)
    with the keys it accepts, ``()`` for values and free mappings, in schema order."""
    out: dict[str, tuple[str, ...]] = {}
    for full in config_keys():
        key, node = full.split(":", 1)[1], SCHEMA["properties"][full]
        out[key] = _fields_of(node)
        obj = node.get("items", node) if node.get("type") == "array" else node
        for name, sub in obj.get("properties", {}).items():
            if sub.get("type") == "object" and _fields_of(sub):
                out[f"{key}.{name}"] = _fields_of(sub)
    return out


def allowed(node: Mapping[str, Any], keyword: str | None = None) -> str:
    """What a value of *node* must be, for a failure of *keyword* (``None``: in general)."""
    if "x-allowed" in node:
        return str(node["x-allowed"])
    if "enum" in node and keyword in (None, "enum"):
        return "one of " + names(str(v) for v in node["enum"])
    kind = node.get("type")
    if kind == "integer":
        return f"an integer from {node['minimum']} to {node['maximum']}"
    if kind == "array":
        low, high = node.get("minItems", 0), node["maxItems"]
        if dict(node.get("items") or {}).get("type") == "object":
            return f"a list of {low} to {high} objects"
        return f"a list of {low} to {high} items" if keyword in ("minItems", "maxItems") else "a list"
    simple = {"string": "a string", "boolean": "true or false", "object": "an object"}
    if isinstance(kind, str) and kind in simple:
        return simple[kind]
    raise LookupError(f"the schema says nothing a value must be for {keyword!r} of {dict(node)!r}")


def _missing_template(error: ValidationError) -> str:
    node: Mapping[str, Any] = error.schema  # type: ignore[assignment]
    child = node["properties"][error.absolute_path[-1]]
    return str(child.get("x-missing") or child.get("x-error") or "{key} is required")


def _named_path(error: ValidationError) -> list[str | int]:
    """The path of the key *error*'s message names: a missing property's, unless the
    message is about its object (``{parent} needs a name and tables``)."""
    path = list(error.absolute_path)
    if error.validator == "required" and "{key}" not in _missing_template(error):
        return path[:-1]
    return path


def _message(error: ValidationError, given: Mapping[str, Any]) -> str:
    """*error* in the program's words; ``(got …)`` shows the value as *given* (before
    defaults were filled in) where there is one."""
    path = list(error.absolute_path)
    key = format_key(path)
    node: Mapping[str, Any] = error.schema  # type: ignore[assignment]
    if error.validator == "required":
        child = node["properties"][path[-1]]
        return _missing_template(error).format(key=key, parent=format_key(path[:-1]), allowed=allowed(child))
    if error.validator == "additionalProperties" and node.get("additionalProperties") is False:
        known = list(node.get("properties", {}))
        instance: Mapping[str, Any] = error.instance  # type: ignore[assignment]
        extra = next(k for k in instance if k not in known)
        return unknown_key_message(f"{key}.{extra}", known, top_level=False)
    got: Any = _at(given, path, default=error.instance)
    if error.validator in ("minItems", "maxItems") and "objects" not in allowed(node):
        got = len(got)
    template = node.get("x-error", "{key} must be {allowed} (got {got!r})")
    return str(template).format(key=key, allowed=allowed(node, str(error.validator)), got=_Echo(got))


class _Echo:
    """A value as a message repeats it: ``str`` and ``repr`` cut past 300 characters (so a
    1 MB value is not a 1 MB line, and the echoes the messages always had stay whole)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return shorten(str(self.value), 300)

    def __repr__(self) -> str:
        return shorten(repr(self.value), 300)


def _position(error: ValidationError, document: Mapping[str, Any]) -> tuple[Any, ...]:
    """Where *error* is in schema order: the rank of each step of the path of the key it
    names among the properties its schema declares (undeclared ones after, in the
    instance's order), then the depth of the failing keyword in the schema, then
    :data:`_KEYWORDS`."""
    node: Any = SCHEMA
    value: Any = document
    ranks: list[int] = []
    for step in _named_path(error):
        node = node if isinstance(node, Mapping) else {}
        if isinstance(step, int):
            ranks.append(step)
            node = node.get("items", {})
        else:
            declared = list(node.get("properties", {}))
            if step in declared:
                ranks.append(declared.index(step))
                node = node["properties"][step]
            else:
                ranks.append(len(declared) + (list(value).index(step) if isinstance(value, Mapping) else 0))
                node = node.get("additionalProperties", {})
        value = _step(value, step)
    keyword = _KEYWORDS.index(error.validator) if error.validator in _KEYWORDS else len(_KEYWORDS)
    return (tuple(ranks), len(error.relative_schema_path), keyword)


def _at(document: Any, path: Sequence[str | int], default: Any) -> Any:
    """The value at *path* in *document*, or *default* where there is none."""
    missing = object()
    for step in path:
        document = _step(document, step, missing)
        if document is missing:
            return default
    return document


def _step(container: Any, step: str | int, missing: Any = None) -> Any:
    """``container[step]``, or *missing* where the path leaves the instance (a missing
    required property)."""
    if isinstance(container, Mapping):
        return container.get(step, missing)
    if isinstance(container, list) and isinstance(step, int) and 0 <= step < len(container):
        return container[step]
    return missing


def first_error(
    document: Mapping[str, Any],
    keys: Sequence[str] | None = None,
    *,
    given: Mapping[str, Any] | None = None,
    before: str | None = None,
) -> str | None:
    """The message of the first error of *document* (a stack's config, JSON-decoded,
    usually :func:`with_defaults` applied) in schema order, or ``None`` when it is valid.
    *keys* restricts the check to those top-level keys (``cdcml:profile`` is checked
    before anything else); *before* to errors of the keys that come before that key;
    *given* is the document before defaults, for ``(got …)``."""
    schema: Mapping[str, Any] = SCHEMA
    if keys is not None:
        schema = {"properties": {k: SCHEMA["properties"][k] for k in keys}}
        document = {k: document[k] for k in keys if k in document}
    errors = sorted(_Validator(schema).iter_errors(document), key=lambda e: _position(e, document))
    if before is not None:
        limit = list(SCHEMA["properties"]).index(before)
        errors = [e for e in errors if _position(e, document)[0][:1] < (limit,)]
    return _message(errors[0], document if given is None else given) if errors else None


# --------------------------------------------------------------------------- defaults


def resolved_properties(node: Mapping[str, Any], instance: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The property schemas of object schema *node* for *instance*: each property's own
    schema, merged with the ``then`` of every ``allOf`` conditional that *instance*
    satisfies (``eventHubs.capacity`` on the Premium tier is ``1..16``)."""
    properties = {name: dict(sub) for name, sub in node.get("properties", {}).items()}
    for branch in node.get("allOf", ()):
        if "if" in branch and _Validator(branch["if"]).is_valid(instance):
            for name, sub in branch.get("then", {}).get("properties", {}).items():
                properties[name] = {**properties.get(name, {}), **sub}
    return properties


def with_defaults(node: Mapping[str, Any], instance: Any) -> Any:
    """*instance* with the schema's default of every absent property, at every depth
    (conditionals resolved on the instance). Values of the wrong shape are left as they
    are, for validation to report."""
    if isinstance(instance, list) and isinstance(node.get("items"), Mapping):
        return [with_defaults(node["items"], item) for item in instance]
    if not isinstance(instance, Mapping) or "properties" not in node:
        return instance
    properties = resolved_properties(node, instance)
    extra = node.get("additionalProperties")
    out = {
        name: with_defaults(properties.get(name) or (extra if isinstance(extra, Mapping) else {}), value)
        for name, value in instance.items()
    }
    for name, sub in properties.items():
        if name not in out and "default" in sub:
            out[name] = copy.deepcopy(sub["default"])
    return out
