"""A small property-path vocabulary for policies, instead of dict digging.

``get(props, "policy.recurrence.interval")`` follows a dotted path of the engine's
camelCase names through mappings (and ``0``-style indexes through lists) and returns
:data:`MISSING` when any step is absent, null or of the wrong shape. It never swallows
``UnknownValueError``: a value that can't be known during preview must reach the SDK,
which turns it into the advisory "can't run policy … during preview" diagnostic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

__all__ = [
    "MISSING",
    "as_number",
    "as_str",
    "dsl_properties",
    "equals_ci",
    "get",
    "is_missing",
    "listed",
    "names",
    "resource_types",
]


class _Missing:
    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
"""Returned by :func:`get` for an absent, ``None`` or unreachable value."""


def is_missing(value: Any) -> bool:
    return value is MISSING or value is None


def get(props: Any, path: str, default: Any = MISSING) -> Any:
    """The value at dotted *path* in *props*, or *default* when it isn't there."""
    current = props
    for part in path.split("."):
        if isinstance(current, Mapping):
            try:
                current = current[part]
            except KeyError:
                return default
        elif isinstance(current, Sequence) and not isinstance(current, (str, bytes)) and part.isdigit():
            index = int(part)
            if index >= len(current):
                return default
            current = current[index]
        else:
            return default
        if current is None:
            return default
    return current


def listed(value: Any) -> list[Any]:
    """The items of a list-like value (``[]`` for anything else); items are read one by
    one so an unknown item raises only when a policy actually needs it."""
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [value[i] for i in range(len(value))]
    return []


def as_number(value: Any) -> float | None:
    """A real number (bools are not numbers), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def equals_ci(value: Any, expected: str) -> bool:
    """Case-insensitive string equality; ``False`` for non-strings."""
    return isinstance(value, str) and value.casefold() == expected.casefold()


def dsl_properties(table: Any) -> dict[str, Any]:
    """The ``dslConnectorProperties`` of a CDC source/target table as a name → value map."""
    out: dict[str, Any] = {}
    for item in listed(get(table, "dslConnectorProperties")):
        name = get(item, "name")
        if isinstance(name, str):
            out[name] = get(item, "value")
    return out


F = TypeVar("F", bound=Callable[..., Any])


def resource_types(*types: str) -> Callable[[F], F]:
    """Restrict a resource validation function to the given type tokens. The wrapped
    function keeps the set in ``__resource_types__`` for docs and tests."""
    wanted = frozenset(types)

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(args: Any, report_violation: Any, *rest: Any) -> Any:
            if args.resource_type not in wanted:
                return None
            return fn(args, report_violation, *rest)

        wrapper.__resource_types__ = wanted  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def names(values: Iterable[Any]) -> str:
    """Render a list of allowed values for a message: ``"a", "b"``."""
    return ", ".join(f'"{v}"' for v in values)
