"""The input and output types of any azure-native resource, read from the installed SDK.

For a Pulumi type token (``azure-native:storage:StorageAccount``, or a versioned one such as
``azure-native:storage/v20230101:StorageAccount`` when the installed SDK has that module),
:func:`resource_type` finds the resource class through the SDK's own registry and derives

* its **inputs** from the ``<Resource>Args`` class (``@pulumi.input_type``), and
* its **outputs** from the resource's ``@pulumi.getter`` properties returning
  ``pulumi.Output[...]``, with nested ``outputs.<X>Response`` classes (``@pulumi.output_type``).

Every property is keyed by its **wire name** — the name the getter carries
(``@pulumi.getter(name="accessTier")``, stored by the SDK as ``fget._pulumi_name``), which is
the name the engine and policies see — never the snake_case Python name. Its annotation is
resolved as the SDK resolves it (``typing.get_type_hints`` with the class's module globals,
as ``pulumi._types._raw_return_hints`` does) and read as a :class:`SdkType`:

=========================================  ====================================
annotation                                 kind
=========================================  ====================================
``str``, ``int``, ``float``, ``bool``      ``string``, ``integer``, ``number``,
                                           ``boolean``
``'<Enum>'``                               ``enum``, closed: a member's value only
``Union[str, '<Enum>']``                   ``enum``, open: any string
``Sequence[X]`` / ``Mapping[str, X]``      ``array`` / ``map``
``'<X>Args'``, ``'outputs.<X>Response'``   ``object`` (an :class:`ObjectType`)
``Union['AArgs', 'BArgs', …]``             ``union`` (discriminated unions)
``pulumi.Asset`` / ``pulumi.Archive``      ``asset``
``Any`` or anything else                   ``any``
=========================================  ====================================

A property is **required** when its annotation does not admit ``None`` (the SDK's own
reading, ``pulumi._types._required_property_names``) and its type's constructor has no
default for it: ``pulumi.Input[str]`` is required, ``pulumi.Input[Optional[str]]`` is not,
and neither is a property the constructor defaults (``NetworkRuleSetArgs.default_action``,
``'Allow'`` when left out: the provider applies the same default to a plain dict). A
discriminator property (``type: str`` whose docstring says ``Expected value is
'AzureBlobFS'.``) carries that constant.

Enum members come from the service's ``_enums.py`` (the ``Enum`` classes the annotations
name). Only the one service package a token needs is imported; :func:`resource_tokens`
lists every token from the registry text in ``pulumi_azure_native/__init__.py`` without
importing any service. Everything is cached per class and per token.
"""

from __future__ import annotations

import collections.abc as abc
import difflib
import enum
import functools
import importlib
import importlib.util
import inspect
import json
import re
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cdcml.errors import CdcmlError

__all__ = [
    "EnumType",
    "ObjectType",
    "Property",
    "ResourceType",
    "SdkType",
    "UnknownResourceType",
    "function_result",
    "resource_tokens",
    "resource_type",
]

SDK_PACKAGE = "pulumi_azure_native"
Kind = Literal["string", "integer", "number", "boolean", "any", "enum", "object", "array", "map", "union", "asset"]
_EXPECTED = re.compile(r"Expected value is '([^']*)'\.")


class UnknownResourceType(CdcmlError, LookupError):
    """A type token the installed azure-native SDK does not declare."""


@dataclass(frozen=True)
class EnumType:
    """An SDK enum (or several, for ``Union[EnumA, EnumB]``): its members' wire values.
    ``open`` when the annotation also allows any string (``Union[str, '<Enum>']``)."""

    name: str
    values: tuple[str | int | float, ...]
    open: bool


@dataclass(frozen=True, eq=False)
class SdkType:
    """One annotation of the SDK, read as a wire-form type (see the module docstring)."""

    kind: Kind
    enum: EnumType | None = None
    item: SdkType | None = None
    """The element type of an ``array`` and the value type of a ``map``."""
    object: ObjectType | None = None
    members: tuple[SdkType, ...] = ()
    """The alternatives of a ``union``."""

    def describe(self) -> str:
        """What a value of this type is, for messages: ``string``, ``one of "Hot", "Cool"``,
        ``SkuArgs``, ``list of IPRuleArgs`` …"""
        if self.kind == "enum" and self.enum is not None:
            listed = ", ".join(json.dumps(v) for v in self.enum.values)
            return f"a string ({self.enum.name}: {listed} …)" if self.enum.open else f"one of {listed}"
        if self.kind == "object" and self.object is not None:
            return f"an object ({self.object.name})"
        if self.kind == "array" and self.item is not None:
            return f"a list of {self.item.describe()}"
        if self.kind == "map" and self.item is not None:
            return f"a map of {self.item.describe()}"
        if self.kind == "union":
            return " or ".join(m.describe() for m in self.members)
        if self.kind == "asset":
            return "an asset or archive"
        return {"integer": "an integer", "any": "any value"}.get(self.kind, f"a {self.kind}")


@dataclass(frozen=True)
class Property:
    """One property of an input or output type."""

    name: str
    """The wire name (camelCase, as the engine and policies see it)."""
    python_name: str
    type: SdkType
    required: bool
    const: str | None = None
    """The one value a discriminator property may have (``Expected value is 'X'.``)."""


@dataclass(eq=False)
class ObjectType:
    """An input (``…Args``) or output (``…Response``, or a resource's own outputs) type.
    Its properties are read on first use, so recursive types are fine."""

    name: str
    cls: type
    outputs: bool
    """Read from ``pulumi.Output[...]`` getters of a resource (unwrapped first)."""
    _properties: dict[str, Property] | None = field(default=None, repr=False)

    @property
    def properties(self) -> dict[str, Property]:
        """The properties by wire name, in the SDK's declaration order."""
        if self._properties is None:
            self._properties = _read_properties(self.cls, unwrap_output=self.outputs)
        return self._properties

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties.values() if p.required)


@dataclass(frozen=True)
class ResourceType:
    """A resource type of the installed SDK: its token, class, inputs and outputs."""

    token: str
    cls: type
    inputs: ObjectType
    outputs: ObjectType


# --- the registry of type tokens -------------------------------------------------------------


@functools.cache
def _registry() -> dict[str, tuple[str, str]]:
    """token → (module, class name), from the ``_utilities.register(resource_modules=…)``
    JSON of the SDK's top-level ``__init__.py`` (read as text: no service is imported)."""
    spec = importlib.util.find_spec(SDK_PACKAGE)
    if spec is None or spec.origin is None:  # pragma: no cover - the SDK is a dependency
        raise CdcmlError(f"{SDK_PACKAGE} is not installed")
    text = Path(spec.origin).read_text(encoding="utf-8")
    found = re.search(r'resource_modules="""(.*?)"""', text, re.DOTALL)
    if found is None:  # pragma: no cover - guarded by a test on the installed SDK
        raise CdcmlError(f"{SDK_PACKAGE}/__init__.py has no resource module registry")
    table: dict[str, tuple[str, str]] = {}
    for module in json.loads(found.group(1)):
        for token, class_name in module["classes"].items():
            table[token] = (module["fqn"], class_name)
    return table


def resource_tokens(service: str | None = None) -> tuple[str, ...]:
    """Every resource type token of the installed SDK (sorted), or those of one *service*
    module (``"storage"``; a versioned module is ``"storage/v20230101"``)."""
    tokens = _registry()
    if service is None:
        return tuple(sorted(tokens))
    return tuple(sorted(t for t in tokens if t.split(":")[1] == service))


@functools.cache
def resource_type(token: str) -> ResourceType:
    """The :class:`ResourceType` of *token*; :class:`UnknownResourceType` names a token the
    installed SDK does not declare (with the closest ones it does)."""
    entry = _registry().get(token)
    if entry is None:
        close = difflib.get_close_matches(token, list(_registry()), n=3, cutoff=0.8)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownResourceType(
            f"unknown resource type {token!r}: the installed {SDK_PACKAGE} has no such resource{hint}"
        )
    module_name, class_name = entry
    cls = getattr(importlib.import_module(module_name), class_name)
    args = _args_class(cls)
    return ResourceType(
        token=token,
        cls=cls,
        inputs=_object_type(args, outputs=False),
        outputs=_object_type(cls, outputs=True),
    )


@functools.cache
def function_result(token: str) -> ObjectType | None:
    """The result type of a provider function (``azure-native:storage:listStorageAccountKeys``
    → ``ListStorageAccountKeysResult``), or ``None`` when the installed SDK has none."""
    from pulumi._types import is_output_type

    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "azure-native" or not parts[2]:
        return None
    try:
        module = importlib.import_module(f"{SDK_PACKAGE}.{parts[1].replace('/', '.')}")
    except ImportError:
        return None
    cls = getattr(module, parts[2][:1].upper() + parts[2][1:] + "Result", None)
    if not isinstance(cls, type) or not is_output_type(cls):
        return None
    return _object_type(cls, outputs=False)


def _args_class(cls: type) -> type:
    """The input type of resource class *cls*: the other class its module exports,
    ``<Resource>Args`` (``<Resource>InitArgs`` where that name is taken)."""
    from pulumi._types import is_input_type

    module = sys.modules[cls.__module__]
    for name in getattr(module, "__all__", ()):
        candidate = getattr(module, name)
        if candidate is not cls and isinstance(candidate, type) and is_input_type(candidate):
            return candidate
    raise CdcmlError(f"{cls.__module__} has no input type for {cls.__name__}")  # pragma: no cover


# --- reading annotations ---------------------------------------------------------------------


@functools.cache
def _object_type(cls: type, *, outputs: bool) -> ObjectType:
    return ObjectType(name=cls.__name__, cls=cls, outputs=outputs)


def _read_properties(cls: type, *, unwrap_output: bool) -> dict[str, Property]:
    import pulumi

    globalns: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        module = sys.modules.get(base.__module__)
        if module is not None:
            globalns.update(vars(module))
    localns = {"Output": pulumi.Output, "T": type(None)}
    defaulted = _defaulted_parameters(cls)
    properties: dict[str, Property] = {}
    for python_name, prop in _getters(cls):
        wire = str(vars(prop.fget)["_pulumi_name"])
        hint = typing.get_type_hints(prop.fget, globalns=globalns, localns=localns).get("return", Any)
        if unwrap_output and typing.get_origin(hint) is pulumi.Output:
            hint = typing.get_args(hint)[0]
        sdk_type = _from_hint(hint)
        doc = (prop.fget.__doc__ or "") if prop.fget is not None else ""
        const = _EXPECTED.search(doc) if sdk_type.kind == "string" else None
        properties[wire] = Property(
            name=wire,
            python_name=python_name,
            type=sdk_type,
            required=not _admits_none(hint) and python_name not in defaulted,
            const=const.group(1) if const else None,
        )
    return properties


def _defaulted_parameters(cls: type) -> frozenset[str]:
    """The keyword parameters of an input or output type's constructor that have a default:
    a property the SDK fills when it is left out (``NetworkRuleSetArgs(default_action=None)``
    becomes ``'Allow'``) is not required on the wire, though its getter's type has no
    ``Optional``. A resource class's own outputs have no such constructor: none."""
    init = vars(cls).get("__init__")
    if init is None or hasattr(cls, "_internal_init"):
        return frozenset()
    parameters = inspect.signature(init).parameters.values()
    return frozenset(p.name for p in parameters if p.default is not inspect.Parameter.empty)


def _getters(cls: type) -> list[tuple[str, property]]:
    """The properties carrying a Pulumi name, as ``pulumi._types._py_properties`` finds them."""
    found: dict[str, property] = {}
    for base in reversed(cls.__mro__):
        for name, value in vars(base).items():
            if isinstance(value, property) and hasattr(value.fget, "_pulumi_name"):
                found[name] = value
    return list(found.items())


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _admits_none(hint: Any) -> bool:
    if hint is type(None):
        return True
    return _is_union(hint) and any(_admits_none(a) for a in typing.get_args(hint))


def _is_plumbing(arg: Any) -> bool:
    """``pulumi.Input``'s ``Awaitable``/``Output`` wrappers and the ``TypedDict`` twins of
    input types: alternatives of a union that are no wire shape of their own."""
    import pulumi

    if arg is pulumi.Output or typing.get_origin(arg) is pulumi.Output:
        return True
    if isinstance(arg, typing.ForwardRef):
        return arg.__forward_arg__.startswith("Output[")
    if typing.get_origin(arg) in (abc.Awaitable, abc.Coroutine):
        return True
    return typing.is_typeddict(arg)


def _members(hint: Any) -> list[Any]:
    """The alternatives of *hint* a wire value can take (unions flattened, ``None`` and
    plumbing dropped), without duplicates."""
    if hint is type(None) or _is_plumbing(hint):
        return []
    if not _is_union(hint):
        return [hint]
    out: list[Any] = []
    for arg in typing.get_args(hint):
        for member in _members(arg):
            if member not in out:
                out.append(member)
    return out


def _from_hint(hint: Any) -> SdkType:
    members = _members(hint)
    if not members:
        return SdkType("any")
    enums = [m for m in members if isinstance(m, type) and issubclass(m, enum.Enum)]
    if enums and all(m is str or m in enums for m in members):
        values = tuple(dict.fromkeys(member.value for e in enums for member in e))
        name = " | ".join(e.__name__ for e in enums)
        return SdkType("enum", enum=EnumType(name=name, values=values, open=str in members))
    if all(_is_asset(m) for m in members):
        return SdkType("asset")
    if len(members) == 1:
        return _single(members[0])
    return SdkType("union", members=tuple(_single(m) for m in members))


def _is_asset(hint: Any) -> bool:
    import pulumi

    return isinstance(hint, type) and issubclass(hint, (pulumi.Asset, pulumi.Archive))


_SCALARS: dict[Any, Kind] = {str: "string", bool: "boolean", int: "integer", float: "number"}


def _single(hint: Any) -> SdkType:
    from pulumi._types import is_input_type, is_output_type

    if hint in _SCALARS:
        return SdkType(_SCALARS[hint])
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (list, abc.Sequence):
        return SdkType("array", item=_from_hint(args[0]) if args else SdkType("any"))
    if origin in (dict, abc.Mapping):
        return SdkType("map", item=_from_hint(args[1]) if len(args) == 2 else SdkType("any"))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _from_hint(hint)
    if isinstance(hint, type) and (is_input_type(hint) or is_output_type(hint)):
        return SdkType("object", object=_object_type(hint, outputs=False))
    if _is_asset(hint):
        return SdkType("asset")
    return SdkType("any")
