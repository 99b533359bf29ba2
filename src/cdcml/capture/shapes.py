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
provider marks them. After ``pulumi up`` (**resolved**) the provider's answer is Azure's,
so the projection leaves out what the input lacks (the capture fills top-level outputs it
can compute itself), converts the shape changes it can decide — a list of ids becomes the
map keyed by them, with the GUIDs Azure assigns (``principalId``, ``clientId``) derived
from the resource, and a string of digits becomes an integer — and notes each value it
has to leave unknown, so the graph's diagnostics say why.
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
        """*given* projected onto *declared*. Preview: a top-level output the inputs lack is
        unknown, and so is a nested read-only one (not in the input type *settable*); a
        nested setting the program left out stays out, as resolved."""
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
        return out

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
        resource and the entry's path; the rest left out."""
        out: dict[str, Any] = {}
        for name, prop in declared.properties.items():
            if name in GUID_PROPERTIES and _is_string(prop):
                out[name] = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{self.urn}#{path}.{name}"))
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
