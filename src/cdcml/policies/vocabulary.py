"""A small property-path vocabulary for policies, instead of dict digging.

``get(props, "policy.recurrence.interval")`` follows a dotted path of the engine's
camelCase names through mappings (and ``0``-style indexes through lists) and returns
:data:`MISSING` when any step is absent, null or of the wrong shape. It never swallows
``UnknownValueError``: a value that can't be known during preview must reach the SDK,
which turns it into the advisory "can't run policy … during preview" diagnostic.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from cdcml.environments import ENVIRONMENTS, environment_of

__all__ = [
    "ENVIRONMENTS",
    "ENVIRONMENT_SCHEMA",
    "MISSING",
    "arm_name",
    "arm_top",
    "as_bool",
    "as_number",
    "as_str",
    "config_number",
    "entries",
    "environment",
    "environment_of",
    "equals_ci",
    "get",
    "iso_minutes",
    "listed",
    "metadata",
    "name_value",
    "names",
    "one_of",
    "present",
    "resource_types",
    "set_path",
    "shown",
    "str_list",
    "tag",
    "tags_of",
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


_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


def iso_minutes(value: Any) -> float | None:
    """An ISO-8601 duration (``PT30M``, ``PT1H``, ``P1D``) in minutes; ``None`` otherwise."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _DURATION.match(text)
    if m is None or text.upper() in ("P", "PT"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return parts["days"] * 1440 + parts["hours"] * 60 + parts["minutes"] + parts["seconds"] / 60


def present(props: Any, path: str) -> bool:
    """Whether *path* holds a non-empty value. A value unknown during preview is present:
    the engine fills it in, so a presence check needs only that it exists, not what it is.
    (Reaching the path through an unknown parent is present for the same reason.)"""
    from pulumi_policy.proxy import UnknownValueError

    try:
        value = get(props, path)
    except UnknownValueError:
        return True
    return value is not MISSING and value != "" and value != [] and value != {}


def set_path(props: Any, path: str, value: Any) -> None:
    """Write *value* at dotted *path* of a mutable props mapping (a remediation's
    ``args.props``), creating missing or non-mapping intermediate objects."""
    parts = path.split(".")
    current = props
    for part in parts[:-1]:
        nxt = current.get(part)
        if not isinstance(nxt, Mapping):
            nxt = {}
            current[part] = nxt
        current = nxt
    current[parts[-1]] = value


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


def one_of(value: Any, expected: Iterable[str]) -> bool:
    """Whether *value* is a string equal (case-insensitively) to one of *expected*."""
    return isinstance(value, str) and any(value.casefold() == e.casefold() for e in expected)


def as_bool(value: Any) -> bool | None:
    """A boolean, also from the strings ``"true"``/``"false"`` (any case); else ``None``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in ("true", "false"):
        return value.strip().casefold() == "true"
    return None


def entries(value: Any) -> list[tuple[str, Any]]:
    """The ``(key, value)`` pairs of a mapping with string keys (``[]`` for anything else);
    values are read one by one, so an unknown value raises only when it is reached."""
    if not isinstance(value, Mapping):
        return []
    return [(k, value[k]) for k in list(value) if isinstance(k, str)]


def str_list(value: Any) -> list[str]:
    """The string items of a list-like value (other items are skipped)."""
    return [v for v in listed(value) if isinstance(v, str)]


def shown(value: Any, vocabulary: Iterable[Any] = ()) -> str:
    """*value* for a message, without ever echoing text that could be a secret.

    Policies see secrets as plaintext, so a string is echoed only when it is one of the
    *vocabulary* (the values the property is documented to take, e.g. an SDK enum);
    numbers and booleans are echoed; anything else is described by its kind.
    """
    if value is MISSING or value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, str):
        for v in vocabulary:
            if isinstance(v, str) and v.casefold() == value.casefold():
                return f'"{value}"'
        return "an empty string" if not value.strip() else "a value outside the documented set"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "a list"
    return "an unexpected value"


def name_value(items: Any, name: str, default: Any = MISSING) -> Any:
    """The value of the ``{name, value}`` pair called *name* (case-insensitively) in *items*;
    only that value is read, so another pair's unknown value doesn't matter."""
    for item in listed(items):
        key = get(item, "name")
        if isinstance(key, str) and key.casefold() == name.casefold():
            return get(item, "value", default)
    return default


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
    return ", ".join(f'"{v}"' if isinstance(v, str) else shown(v) for v in values)


def metadata(value: Any) -> dict[str, Any]:
    """A ``userMetadata`` string parsed as a JSON object (``{}`` when it isn't one). Event
    hubs and consumer groups declare their ML consumers this way, since ARM has no link."""
    import json

    if not isinstance(value, str) or not value.strip().startswith("{"):
        return {}
    try:
        doc = json.loads(value)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def tags_of(props: Any) -> dict[str, str]:
    """The resource's tags as a case-folded key → value map (ARM compares tag names
    case-insensitively); non-string keys or values are skipped."""
    return {k.casefold(): v for k, v in entries(get(props, "tags")) if isinstance(v, str)}


def tag(props: Any, key: str) -> str | None:
    """The value of tag *key* (case-insensitive), stripped, or ``None`` when absent or empty."""
    value = tags_of(props).get(key.casefold())
    return value.strip() if isinstance(value, str) and value.strip() else None


def config_number(config: Mapping[str, Any], key: str, default: float) -> float:
    """The number policy config *key* holds. The engine fills in the schema's default and
    validates the config before a policy runs; *default* (the schema's) stands in when a
    policy runs without the engine's config."""
    value = as_number(config.get(key, default))
    return float(default) if value is None else value


ENVIRONMENT_SCHEMA: dict[str, Any] = {
    "type": "string",
    "enum": ["", *ENVIRONMENTS],
    "default": "",
    "description": "The environment the stack belongs to (dev, test or prod); empty derives it from the Pulumi "
    "stack name (prod/production/prd/live → prod, test/qa/uat/stage/staging → test, anything else → dev).",
}
"""The ``environment`` config property every environment-aware policy shares."""


def environment(config: Mapping[str, Any]) -> str:
    """The environment of the stack under evaluation: the policy's ``environment``
    config when set, else derived from the Pulumi stack name."""
    configured = config.get("environment")
    if isinstance(configured, str) and configured.casefold() in ENVIRONMENTS:
        return configured.casefold()
    import pulumi

    try:
        stack = pulumi.get_stack()
    except Exception:  # noqa: BLE001 - no runtime settings (a bare unit test): no environment to derive
        stack = ""
    return environment_of(stack if isinstance(stack, str) else "")


_ARM_ID = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/(?P<rest>.+)$", re.IGNORECASE)


def _arm_parts(value: Any) -> list[str] | None:
    """The ``namespace/type/name[/type/name…]`` segments of an ARM resource id."""
    if not isinstance(value, str):
        return None
    m = _ARM_ID.match(value.strip().rstrip("/"))
    if m is None:
        return None
    parts = m.group("rest").split("/")
    return parts if len(parts) >= 3 else None


def arm_top(value: Any) -> tuple[str, str] | None:
    """``(type, name)`` of the top-level resource an ARM id lies under
    (``…/storageAccounts/acct/blobServices/default`` → ``("microsoft.storage/storageaccounts", "acct")``)."""
    parts = _arm_parts(value)
    if parts is None:
        return None
    return f"{parts[0]}/{parts[1]}".casefold(), parts[2]


def arm_name(value: Any) -> tuple[str, str] | None:
    """``(type, name)`` of an ARM resource id, with the type lower-cased and without
    child names (``microsoft.storage/storageaccounts``); ``None`` for anything else."""
    parts = _arm_parts(value)
    if parts is None or len(parts) % 2 == 0:
        return None
    namespace, segments = parts[0], parts[1:]
    types = segments[0::2]
    return f"{namespace}/{'/'.join(types)}".casefold(), segments[-1]
