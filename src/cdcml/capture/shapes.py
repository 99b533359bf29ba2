"""Outputs in the shape of the SDK's output types: a resource's inputs projected onto the
``…Response`` types of :mod:`cdcml.capture.sdk_types` (docs/design-notes.md,
"Provider-shaped outputs").

An output is not always its input echoed. ``identity.userAssignedIdentities`` is a list of
identity ids going in and a map of id → ``{principalId, clientId}`` coming out; a nested
object loses its input-only properties and gains read-only ones (``sku.tier``); a few
properties change type (a ``scope`` string becomes an object, a ``priority`` string an
integer). The SDK reads every output through its declared type, and a value of the wrong
shape fails the whole program (``Unexpected type. Expected 'list' got 'Mapping[…]'``).

:class:`Shaper` projects an input value onto an output type with one set of rules, read
off the type and never off a table of resource types. They are azure-native's own
``PreviewOutputs`` (``provider/pkg/convert/previewOutputs.go``), what its ``Create``
answers during ``pulumi preview``:

* a value of the declared kind is kept (an integer where a number is declared, any value
  where ``Any`` is); an object is projected onto the output type's properties, a list and
  a map element by element;
* a discriminator carries its constant;
* a value of another shape is unknown (the provider can't convert it either).

In **preview** every output property the input lacks is unknown, nested ones too, as the
provider marks them. After ``pulumi up`` (**resolved**) the provider's answer is Azure's:
a setting the program left out stays out (the state holds whatever ARM defaulted, which
policies treat as not set), at every depth; a top-level read-only output is the
capture's to fill (:mod:`cdcml.capture.provider`); a *nested* read-only one (a property
of an output object that its input type lacks) is filled here as Azure fills it where
cdcml can compute it, and is unknown where it can't, never missing — as at the top level:

* ``principalId``, ``clientId``, ``objectId``: the GUIDs Azure assigns, derived from the
  resource and the path so they are stable across runs; an identity's ``principalId``
  and ``tenantId`` only when its ``type`` includes ``SystemAssigned`` (Azure returns none
  for a user-assigned identity, and they are unknown while the type is);
* ``tenantId``: the tenant of the capture's client configuration, when it knows one;
* ``provisioningState``: ``Succeeded``; a ``sku``'s ``tier``: the prefix of its ``name``
  (``Standard_LRS`` → ``Standard``) when that is a tier (Basic, Standard, Premium);
* anything else (endpoints, nested ids, timestamps …): unknown.

The projection also converts the shape changes it can decide — a list of ids becomes the
map keyed by them, with the GUIDs Azure assigns, and a string of digits becomes an
integer — and notes each value it has to leave unknown for its shape, so the graph's
diagnostics say why. A ``provider_outputs`` hook answers for the provider instead: with
one (*fill* false) nested read-only properties are the hook's to give.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cdcml.capture.sdk_types import ObjectType, Property, SdkType, UnknownResourceType, resource_type
from cdcml.model.values import SIG_KEY, UNKNOWN, is_secret, is_unknown, reveal, secret

__all__ = ["GUID_PROPERTIES", "Shaper", "resource_types"]

GUID_PROPERTIES = frozenset({"principalId", "clientId", "objectId"})
"""Read-only properties Azure fills with a GUID of its own: in resolved mode the capture
derives them from the resource's URN and the path, so they are stable across runs."""
SKU_TIERS = frozenset({"Basic", "Standard", "Premium"})
"""The tiers a ``sku.name`` of the form ``<Tier>_<redundancy>`` starts with."""
_PRINCIPAL = ("principalId", "tenantId")
_ABSENT = object()
"""A nested read-only property Azure is known to leave out."""


def resource_types(token: str) -> tuple[ObjectType, ObjectType] | None:
    """The output type (its getters) and the input type of an azure-native resource type,
    or ``None`` for a type the installed SDK doesn't declare."""
    if not token.startswith("azure-native:"):
        return None
    try:
        found = resource_type(token)
    except UnknownResourceType:
        return None
    return found.outputs, found.inputs


@dataclass
class Shaper:
    """Projects values onto output types for one resource (*urn*), in preview or resolved
    mode; values it can't shape in resolved mode are listed in :attr:`notes` by path."""

    preview: bool
    urn: str
    tenant_id: str = ""
    notes: list[str] = field(default_factory=list)
    fill: bool = True
    """Resolved mode: compute nested read-only properties, or mark them unknown (false
    when a ``provider_outputs`` hook gives them)."""

    # ---- objects

    def outputs(self, inputs: Mapping[str, Any], declared: ObjectType, settable: ObjectType) -> dict[str, Any]:
        """Every output property of *declared* projected from *inputs* (of type
        *settable*): in preview, unknown where the inputs say nothing; resolved, only what
        the inputs give."""
        return self._object(inputs, declared, settable, "", top=True)

    def _object(
        self,
        given: Mapping[str, Any],
        declared: ObjectType,
        settable: ObjectType | None,
        path: str,
        *,
        top: bool = False,
    ) -> dict[str, Any]:
        """*given* projected onto *declared*. A nested read-only property (not in the input
        type *settable*) the inputs lack is unknown in preview and computed or unknown when
        resolved (:meth:`_read_only`); preview also marks a top-level output the inputs lack
        unknown; a nested setting the program left out stays out in both."""
        inputs = settable.properties if settable is not None else {}
        out: dict[str, Any] = {}
        for name, prop in declared.properties.items():
            where = f"{path}.{name}" if path else name
            if prop.const is not None:
                out[name] = prop.const
            elif name in given:
                out[name] = self.value(given[name], prop.type, where, _input_type(inputs.get(name)))
            elif self.preview and (top or (settable is not None and name not in inputs)):
                out[name] = UNKNOWN
            elif not top and self.fill and not self.preview:
                read_only = settable is not None and name not in inputs
                if read_only or (name in _PRINCIPAL and _is_identity(declared)):
                    computed = self._read_only(name, prop, given, declared, path, read_only)
                    if computed is not _ABSENT:
                        out[name] = computed
        return out

    def _read_only(
        self, name: str, prop: Property, given: Mapping[str, Any], declared: ObjectType, path: str, read_only: bool
    ) -> Any:
        """Resolved: what Azure puts in the nested property *name* the program left out of
        the object *given* at *path* — a read-only one (*read_only*), or an identity's
        principal, which some identity types declare settable though Azure fills it:
        computed where cdcml can, else unknown (module docstring); ``_ABSENT`` where Azure
        is known to leave it out (and for a setting it can't compute)."""
        if name in _PRINCIPAL and _is_identity(declared):
            kind = reveal(given.get("type"))
            if not isinstance(kind, str) or is_unknown(kind):
                return UNKNOWN if read_only else _ABSENT
            if "systemassigned" not in kind.lower():
                return _ABSENT
        if name in GUID_PROPERTIES and _is_string(prop):
            return self._guid(path, name)
        if name == "tenantId" and _is_string(prop):
            return self.tenant_id or UNKNOWN
        if name == "provisioningState" and _admits(prop.type, "Succeeded"):
            return "Succeeded"
        if name == "tier":
            sku = reveal(given.get("name"))
            tier = sku.split("_", 1)[0] if isinstance(sku, str) and "_" in sku else None
            if tier in SKU_TIERS and _admits(prop.type, tier):
                return tier
        return UNKNOWN

    def _guid(self, path: str, name: str) -> str:
        """The GUID Azure assigns at *path*.*name*, derived from the URN and the path; the
        resource's own system-assigned identity's ``principalId`` from the URN alone (as
        the capture always derived it)."""
        if path == "identity" and name == "principalId":
            return str(uuid.uuid5(uuid.NAMESPACE_OID, self.urn))
        return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{self.urn}#{path}.{name}"))

    # ---- values

    def value(self, value: Any, sdk_type: SdkType, path: str, settable: SdkType | None = None) -> Any:
        """*value* (wire form, of input type *settable* when known) in the shape of
        *sdk_type*; unknown where it can't be."""
        if is_unknown(value) or value is None:
            return value
        if is_secret(value):
            shaped = self.value(reveal(value), sdk_type, path, settable)
            return shaped if is_unknown(shaped) else secret(shaped)
        kind = sdk_type.kind
        if kind in ("any", "asset") or (isinstance(value, Mapping) and SIG_KEY in value):
            return value
        shape = _SCALAR_SHAPES.get(kind)
        if shape is not None:
            return value if shape(value) else self._convert(value, sdk_type, path)
        if kind == "enum":
            return value if _enum_member(value, sdk_type) else self._mismatch(value, sdk_type, path)
        if kind == "array" and isinstance(value, list):
            item, given = sdk_type.item or SdkType("any"), _item(settable)
            return [self.value(v, item, f"{path}[{i}]", given) for i, v in enumerate(value)]
        if kind == "map" and _plain_object(value):
            item, given = sdk_type.item or SdkType("any"), _item(settable)
            return {k: self.value(v, item, f"{path}.{k}", given) for k, v in value.items()}
        if kind == "map" and isinstance(value, list):
            return self._keyed_by(value, sdk_type, path)
        if kind == "object" and sdk_type.object is not None and _plain_object(value):
            return self._object(value, sdk_type.object, settable.object if settable else None, path)
        if kind == "union" and _plain_object(value):
            member = _member(value, sdk_type)
            given_member = _member(value, settable) if settable is not None and settable.kind == "union" else None
            return value if member is None else self._object(value, member, given_member, path)
        return self._mismatch(value, sdk_type, path)

    def _convert(self, value: Any, sdk_type: SdkType, path: str) -> Any:
        """A scalar of another kind: resolved, a string of digits is the integer Azure
        stores; anything else can't be known."""
        if not self.preview and sdk_type.kind == "integer" and isinstance(value, str) and value.isdigit():
            return int(value)
        return self._mismatch(value, sdk_type, path)

    def _keyed_by(self, ids: list[Any], sdk_type: SdkType, path: str) -> Any:
        """A list of ids where the output is a map keyed by them (user-assigned identities):
        unknown in preview, as the provider answers; resolved, one entry per id."""
        item = sdk_type.item or SdkType("any")
        known = all(isinstance(i, str) and not is_unknown(i) for i in ids)
        if self.preview or not known or item.kind != "object" or item.object is None:
            return self._mismatch(ids, sdk_type, path)
        return {key: self._assigned(item.object, f"{path}.{key}") for key in ids}

    def _assigned(self, declared: ObjectType, path: str) -> dict[str, Any]:
        """What Azure fills in an entry it creates (resolved): the GUIDs, derived from the
        resource and the entry's path; the rest left out. Nothing with a ``provider_outputs``
        hook (*fill* false): the hook's answer fills the entries."""
        out: dict[str, Any] = {}
        if not self.fill:
            return out
        for name, prop in declared.properties.items():
            if name in GUID_PROPERTIES and _is_string(prop):
                out[name] = self._guid(path, name)
            elif name == "tenantId" and self.tenant_id and _is_string(prop):
                out[name] = self.tenant_id
        return out

    def _mismatch(self, value: Any, sdk_type: SdkType, path: str) -> Any:
        if not self.preview:
            self.notes.append(f"{path} ({_shape_of(value)} given, {sdk_type.describe()} declared)")
        return UNKNOWN


def _input_type(prop: Property | None) -> SdkType | None:
    return prop.type if prop is not None else None


def _item(settable: SdkType | None) -> SdkType | None:
    return settable.item if settable is not None else None


def _plain_object(value: Any) -> bool:
    return isinstance(value, Mapping) and SIG_KEY not in value


def _is_string(prop: Property) -> bool:
    return prop.type.kind in ("string", "any")


def _is_identity(declared: ObjectType) -> bool:
    """Whether *declared* is a managed identity (its ``principalId`` and ``tenantId`` are
    the system-assigned identity's, there when its ``type`` includes ``SystemAssigned``)."""
    return "Identity" in declared.name and "type" in declared.properties


def _admits(sdk_type: SdkType, value: str) -> bool:
    """Whether a value of *sdk_type* may be the string *value*."""
    if sdk_type.kind in ("string", "any"):
        return True
    return sdk_type.kind == "enum" and _enum_member(value, sdk_type)


def _enum_member(value: Any, sdk_type: SdkType) -> bool:
    """A value the SDK can read as the enum: any string of an open one, a member of a
    closed one (the SDK constructs the enum from it)."""
    enum = sdk_type.enum
    if enum is None:
        return True
    if enum.open:
        return isinstance(value, str) or value in enum.values
    return not isinstance(value, bool) and value in enum.values


def _member(value: Mapping[str, Any], sdk_type: SdkType) -> ObjectType | None:
    """The member of a discriminated union whose constant(s) *value* carries, as the SDK
    reduces a union; ``None`` when no member (or more than one) matches."""
    found = []
    for member in sdk_type.members:
        declared = member.object
        if declared is None:
            continue
        consts = {n: p.const for n, p in declared.properties.items() if p.const is not None}
        if consts and all(reveal(value.get(n)) == c for n, c in consts.items()):
            found.append(declared)
    return found[0] if len(found) == 1 else None


def _shape_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


_SCALAR_SHAPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
