"""Validation shared by the components' Args dataclasses.

Every Args class is a frozen, keyword-only dataclass of plain types and StrEnums. Its
``__post_init__`` checks each field with the helpers below; the first bad value raises
one :class:`ArgsError` that names the Args class, the field and what is allowed. The
helpers also normalise values (a ``str`` becomes the field's StrEnum, a list becomes a
tuple, a mapping becomes a read-only mapping), so Args built from stack config or by
Hypothesis are the same values as Args written in code.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from cdcml.inputs import shorten

__all__ = [
    "LOCATION",
    "ArgsError",
    "check_bool",
    "check_enum",
    "check_int",
    "check_location",
    "check_mapping",
    "check_network",
    "check_pattern",
    "check_tags",
    "check_tuple",
    "global_name",
    "names",
    "stack_unique_name",
]

E = TypeVar("E", bound=StrEnum)

LOCATION = re.compile(r"^[a-z][a-z0-9]{2,29}$")
"""An Azure region's programmatic name (``westeurope``, ``eastus2``)."""

# ARM rejects these characters in tag names; values are free text up to 256 characters.
_TAG_NAME = re.compile(r"^[^<>%&\\?/]{1,512}$")

_FIELD: Any = object()
"""Default of :func:`check_pattern`'s *value*: check the field itself (an item of a list
may be ``None``, which must be reported, not read as "no value given")."""


class ArgsError(ValueError):
    """A component Args value is out of range. ``field`` is the dataclass field (a dotted
    path for nested values, ``sources[1].tables``), ``allowed`` says what would be accepted."""

    def __init__(self, owner: str, field: str, allowed: str, value: Any = None, *, show_value: bool = True) -> None:
        self.owner = owner
        self.field = field
        self.allowed = allowed
        self.got = f" (got {shorten(repr(value), 300)})" if show_value else ""
        super().__init__(f"{owner}.{field} must be {allowed}{self.got}")


def names(values: Iterable[str]) -> str:
    """``a, b or c`` — a readable list of allowed values."""
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _owner(obj: object) -> str:
    return type(obj).__name__


def _set(obj: object, field: str, value: Any) -> None:
    object.__setattr__(obj, field, value)


def check_enum(obj: object, field: str, enum: type[E]) -> E:
    """The field as a member of *enum*; a plain string is converted and stored back on *obj*."""
    value = getattr(obj, field)
    if isinstance(value, enum):
        return value
    try:
        member = enum(value)
    except ValueError:
        raise ArgsError(_owner(obj), field, f"one of {names(m.value for m in enum)}", value) from None
    _set(obj, field, member)
    return member


def check_bool(obj: object, field: str) -> bool:
    value = getattr(obj, field)
    if not isinstance(value, bool):
        raise ArgsError(_owner(obj), field, "true or false", value)
    return value


def check_int(obj: object, field: str, low: int, high: int) -> int:
    """An integer in ``low..high`` (inclusive); booleans are not integers here."""
    value = getattr(obj, field)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ArgsError(_owner(obj), field, f"an integer from {low} to {high}", value)
    return value


def check_pattern(obj: object, field: str, pattern: re.Pattern[str], allowed: str, value: Any = _FIELD) -> str:
    """The field (or *value*, an item of a list field named ``field``) as a string that
    matches *pattern*."""
    value = getattr(obj, field) if value is _FIELD else value
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ArgsError(_owner(obj), field, allowed, value)
    return value


def check_location(obj: object, field: str = "location") -> str:
    return check_pattern(obj, field, LOCATION, "an Azure region name such as westeurope (lowercase, no spaces)")


def check_tuple(obj: object, field: str, low: int, high: int) -> tuple[Any, ...]:
    """The field as a tuple with ``low..high`` items; stores the tuple back on *obj*."""
    value = getattr(obj, field)
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ArgsError(_owner(obj), field, f"a list of {low} to {high} items", value)
    items = tuple(value)
    if not low <= len(items) <= high:
        raise ArgsError(_owner(obj), field, f"a list of {low} to {high} items", len(items))
    _set(obj, field, items)
    return items


def check_mapping(obj: object, field: str) -> Mapping[str, Any]:
    value = getattr(obj, field)
    if not isinstance(value, Mapping):
        raise ArgsError(_owner(obj), field, "a mapping", value)
    frozen = MappingProxyType(dict(value))
    _set(obj, field, frozen)
    return frozen


def check_tags(obj: object, field: str = "tags") -> Mapping[str, str]:
    """ARM tags: at most 50, names of 1–512 characters without ``<>%&\\?/``, string values
    of at most 256 characters. Stored back as a read-only mapping."""
    tags = check_mapping(obj, field)
    if len(tags) > 50:
        raise ArgsError(_owner(obj), field, "at most 50 tags", f"{len(tags)} tags")
    for key, value in tags.items():
        if not isinstance(key, str) or not _TAG_NAME.fullmatch(key):
            raise ArgsError(_owner(obj), field, "tag names of 1 to 512 characters without < > % & \\ ? /", key)
        if not isinstance(value, str) or len(value) > 256:
            raise ArgsError(_owner(obj), f"{field}[{key!r}]", "a string of at most 256 characters", value)
    return tags


def check_network(obj: object, field: str, *, min_prefix: int, max_prefix: int) -> ipaddress.IPv4Network:
    """A private IPv4 CIDR block whose prefix length is ``min_prefix..max_prefix``."""
    value = getattr(obj, field)
    allowed = f"a private IPv4 CIDR block with a prefix length from /{min_prefix} to /{max_prefix}"
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise ArgsError(_owner(obj), field, allowed, value) from None
    if not net.is_private or not min_prefix <= net.prefixlen <= max_prefix:
        raise ArgsError(_owner(obj), field, allowed, value)
    return net


def global_name(*parts: str, max_length: int, alphanumeric: bool = False, seed: str = "") -> str:
    """A deterministic name for a resource whose Azure name must be globally unique:
    the parts joined (with ``-``, or nothing when *alphanumeric*), cut to fit, and a
    6-hex suffix derived from *seed* and the parts, so two stacks that share a prefix
    still get different names and a stack gets the same name on every run."""
    digest = hashlib.sha256("/".join((seed, *parts)).encode()).hexdigest()[:6]
    sep = "" if alphanumeric else "-"
    cleaned = [re.sub(r"[^a-z0-9]" if alphanumeric else r"[^a-z0-9-]", "", p.lower()) for p in parts]
    stem = sep.join(c for c in cleaned if c)
    room = max_length - len(digest) - len(sep)
    return f"{stem[:room].rstrip('-')}{sep}{digest}"


def stack_unique_name(
    name: str,
    *roles: str,
    max_length: int,
    alphanumeric: bool = False,
    project: str | None = None,
    stack: str | None = None,
) -> str:
    """:func:`global_name` of a component child: the component's logical name, the child's
    role and the stack name, hashed with the project. *project* and *stack* default to
    the running Pulumi program's."""
    import pulumi

    project = pulumi.get_project() if project is None else project
    stack = pulumi.get_stack() if stack is None else stack
    return global_name(name, *roles, stack, max_length=max_length, alphanumeric=alphanumeric, seed=project)
