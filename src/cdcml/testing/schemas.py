"""Hypothesis strategies generated from a JSON Schema.

:func:`from_schema` covers the part of draft 2020-12 the stack configuration schema
(``cdcml/stacks/config.schema.json``) uses: ``const``, ``enum``, ``anyOf``, ``allOf``
(merged, or ``if``/``then`` conditionals resolved on the values drawn so far), strings
with a ``pattern``, integers with bounds, booleans, arrays with ``items`` and bounds, and
objects with ``properties`` and ``required``. hypothesis-jsonschema would be the obvious
tool, but it is a test-only dependency, its object strategy fails on current Hypothesis
(``'many' object has no attribute 'more'``), and it can't tie a conditional branch to the
value drawn for the property the condition tests.

Every value drawn is valid against the schema. An optional property is sometimes left
out, but only when its default is valid where it sits (on the Basic tier, ``capture``'s
default ``true`` is not, so it is always drawn); a property whose schema says nothing
about its values is left out. Free-form entries (``additionalProperties``) are not drawn;
callers add them. ``overrides`` replaces the strategy of named properties of an object
(always drawn then), which is how callers layer rules the schema can't express on top.

:func:`from_json_schema` is the general strategy, for any JSON Schema (draft 4 to 7, as
Pulumi validates policy configs): hypothesis-jsonschema's ``from_schema``, made to work on
object schemas with the Hypothesis the project resolves. hypothesis-jsonschema 0.23.1
builds objects with the private ``hypothesis.internal.conjecture.utils.many`` driven as
``while elements.more(): …``; Hypothesis 6.170.10 turned ``many`` into a context manager
iterated with ``for _ in elements:`` and removed ``more()``, so every object schema fails
with ``AttributeError: 'many' object has no attribute 'more'``. :func:`from_json_schema`
gives that one module an adapter with the old protocol on top of the new one, only when
both sides are the known versions (see ``docs/design-notes.md``).
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator, Mapping
from typing import Any

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as e:  # the kit's strategies need the testing extra
    raise ModuleNotFoundError(f"{__name__} needs Hypothesis: pip install 'cdcml-guard[testing]'", name=e.name) from e
from jsonschema import Draft202012Validator

from cdcml.stacks.schema import resolved_properties

__all__ = ["from_json_schema", "from_schema", "generatable", "jsonschema_compat_applied"]

_ANCHORED = re.compile(r"^\^.*\$$", re.DOTALL)


def generatable(node: Mapping[str, Any]) -> bool:
    """Whether *node* says enough about its values to draw them."""
    return any(k in node for k in ("const", "enum", "anyOf", "type")) or any(
        generatable(sub) for sub in node.get("allOf", ()) if "if" not in sub
    )


def _merged(node: Mapping[str, Any]) -> dict[str, Any]:
    """*node* with its plain ``allOf`` members merged in (conditionals stay)."""
    out = {k: v for k, v in node.items() if k != "allOf"}
    conditionals = []
    for sub in node.get("allOf", ()):
        if "if" in sub:
            conditionals.append(sub)
        else:
            out.update(_merged(sub))
    if conditionals:
        out["allOf"] = conditionals
    return out


def from_schema(
    node: Mapping[str, Any], *, overrides: Mapping[str, st.SearchStrategy[Any]] | None = None
) -> st.SearchStrategy[Any]:
    """Values valid against the JSON Schema *node* (see the module docstring)."""
    node = _merged(node)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        validator = Draft202012Validator(node)
        return st.sampled_from(node["enum"]).filter(validator.is_valid)
    if "anyOf" in node:
        return st.one_of([from_schema(alt) for alt in node["anyOf"]])
    kind = node.get("type")
    if kind == "object":
        return _objects(node, overrides or {})
    if kind == "array":
        return st.lists(from_schema(node["items"]), min_size=node.get("minItems", 0), max_size=node.get("maxItems"))
    if kind == "integer":
        return st.integers(node.get("minimum"), node.get("maximum"))
    if kind == "boolean":
        return st.booleans()
    if kind == "string" and "pattern" in node:
        pattern = node["pattern"]
        return st.from_regex(pattern, fullmatch=bool(_ANCHORED.match(pattern)))
    if kind == "string":
        return st.text()
    raise ValueError(f"no values can be drawn for the schema {dict(node)!r}")


def _objects(node: Mapping[str, Any], overrides: Mapping[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    required = set(node.get("required", ()))
    for name in required - set(overrides):
        if not generatable(node["properties"][name]):
            raise ValueError(f"no values can be drawn for the required property {name!r}")

    @st.composite
    def draw_object(draw: st.DrawFn) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for name in node.get("properties", {}):
            sub = resolved_properties(node, value)[name]
            if name in overrides:
                value[name] = draw(overrides[name])
                continue
            if not generatable(sub):
                continue
            default_fits = "default" in sub and Draft202012Validator(sub).is_valid(sub["default"])
            if name not in required and default_fits and draw(st.booleans()):
                continue
            if name not in required and "default" not in sub and draw(st.booleans()):
                continue
            value[name] = draw(from_schema(sub))
        return value

    return draw_object()


# ------------------------------------------------------------------- any JSON Schema

_PATCHED_JSONSCHEMA_VERSIONS = frozenset({"0.23.1"})
"""hypothesis-jsonschema releases known to drive ``many`` with ``more()``."""


class _ManyWithMore:
    """``many`` with the ``more()``/``reject()`` protocol of Hypothesis < 6.170.10, on top
    of the context-manager one: the first ``more()`` enters it, each ``more()`` advances
    its iterator, and the ``more()`` that ends the collection exits it."""

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        from hypothesis.internal.conjecture import utils as cu

        self._many = cu.many(data, *args, **kwargs)
        self._elements: Iterator[None] | None = None

    def more(self) -> bool:
        if self._elements is None:
            self._many.__enter__()
            self._elements = iter(self._many)
        try:
            next(self._elements)
        except StopIteration:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


def jsonschema_compat_applied() -> bool:
    """Give hypothesis-jsonschema's object strategy a ``many`` it can drive, when the
    installed versions need it; whether the adapter is in place. Idempotent; touches only
    ``hypothesis_jsonschema._from_schema``'s own reference to Hypothesis' utils module,
    and only for the hypothesis-jsonschema releases known to need it, so a fixed release
    runs as published."""
    import hypothesis_jsonschema
    from hypothesis.internal.conjecture import utils as cu

    module = sys.modules["hypothesis_jsonschema._from_schema"]
    current = getattr(module, "cu", None)
    if isinstance(current, types.SimpleNamespace):
        return True
    if hasattr(cu.many, "more") or hypothesis_jsonschema.__version__ not in _PATCHED_JSONSCHEMA_VERSIONS:
        return False
    if current is not cu:  # not the module layout the adapter was written for
        return False
    module.cu = types.SimpleNamespace(many=_ManyWithMore)  # type: ignore[attr-defined]
    return True


def from_json_schema(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against the JSON Schema *schema* (any draft hypothesis-jsonschema
    supports: 4, 6 and 7), objects included, with the versions the project resolves."""
    import hypothesis_jsonschema

    jsonschema_compat_applied()
    strategy: st.SearchStrategy[Any] = hypothesis_jsonschema.from_schema(dict(schema))
    return strategy
