"""Realistic outputs for a resource :class:`~cdcml.testing.harness.GraphBuilder` adds.

A stack policy reads outputs. A real capture's outputs are not the program's inputs: an
input-only field (``ConsumerGroup.eventHubName``, every ``resourceGroupName``) is absent,
and what the provider computes (``name``, ``type``, ``provisioningState``, an identity's
``principalId`` …) is there. :func:`provider_outputs` gives a resource of an azure-native
type the outputs cdcml's own capture records for it
(:class:`~cdcml.capture.provider.EmulatedProvider`, the same code), so a unit test sees
what ``cdcml preview`` sees:

* in **preview**, the outputs the SDK declares: each input echoed, the rest unknown;
* **resolved** (after ``pulumi up``), inputs echoed, ``name``, ``type``,
  ``azureApiVersion``, ``provisioningState``, ``etag`` and a system-assigned identity's
  ``principalId``/``tenantId`` filled as the capture fills them, and every other output-only
  value the capture leaves unknown given a plausible value of its SDK type
  (:mod:`cdcml.capture.sdk_types`): a timestamp for ``…Time``/``…At``, the resource's
  location for ``…Location``, a UUID for ``…Id``, an enum's first member, an object's
  required properties … A user-assigned identity given as a list of identity ids (the
  input form) is the output form already, as the capture shapes it: a map of id →
  ``{principalId, clientId}`` (:mod:`cdcml.capture.shapes`).

A type the installed SDK doesn't declare, a component and a provider keep their inputs
as outputs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from cdcml.capture import azure
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.project import StackConfig
from cdcml.capture.provider import EmulatedProvider
from cdcml.capture.records import Record
from cdcml.capture.sdk_types import ObjectType, SdkType, UnknownResourceType, resource_type
from cdcml.model import ResourceOptions
from cdcml.model.values import is_unknown, reveal

__all__ = ["provider_id", "provider_outputs"]

_TIMESTAMP = "2024-01-01T00:00:00.0000000Z"
_MAX_DEPTH = 3
_COMPUTED = frozenset({"name", "type", "azureApiVersion", "provisioningState", "etag", "eTag", "identity"})
"""Outputs the capture computes itself: unknown only when an input they come from is."""


def provider_outputs(type_: str, name: str, urn: str, inputs: Mapping[str, Any], *, preview: bool) -> dict[str, Any]:
    """The outputs a capture records for a custom resource of *type_* with *inputs* (see
    the module docstring); *inputs* itself, copied, for a type that isn't azure-native's."""
    if not type_.startswith("azure-native:") or not azure.output_names(type_):
        return dict(inputs)
    mode = OutputMode.PREVIEW if preview else OutputMode.RESOLVED
    provider = EmulatedProvider(StackConfig("test", {}), CaptureOptions(mode=mode), [])
    record = Record(
        urn=urn,
        type=type_,
        name=name,
        custom=True,
        id="",
        inputs=dict(inputs),
        outputs={},
        parent="",
        dependencies=[],
        property_dependencies={},
        provider="",
        options=ResourceOptions(),
    )
    outputs = provider.outputs_for(record)
    if preview:
        return outputs
    try:
        declared = resource_type(type_).outputs
    except UnknownResourceType:  # pragma: no cover - output_names found the class
        return outputs
    settable = azure.input_names(type_)
    seed = _Plausible(urn, reveal(inputs.get("location")))
    for key, value in list(outputs.items()):
        prop = declared.properties.get(key)
        if prop is None:
            continue
        if is_unknown(value) and key not in settable and key not in _COMPUTED:
            outputs[key] = seed.value(key, prop.type, 0)
    return outputs


def provider_id(type_: str, name: str, inputs: Mapping[str, Any]) -> str:
    """A resolved resource's id: its ARM id under the capture's subscription when its inputs
    give every segment (``resourceGroupName``, the parents' names …), else ``<name>-id``."""
    if type_.startswith("azure-native:"):
        plain = {k: reveal(v) for k, v in inputs.items()}
        known = {k: v for k, v in plain.items() if not is_unknown(v)}
        arm = azure.arm_id(type_, known, CaptureOptions().invokes.subscription_id)
        if arm is not None:
            return arm
    return f"{name}-id"


class _Plausible:
    """Deterministic, plausible values of SDK output types for one resource."""

    def __init__(self, urn: str, location: Any) -> None:
        self.urn = urn
        self.location = location if isinstance(location, str) and location else "westeurope"

    def value(self, key: str, sdk_type: SdkType, depth: int) -> Any:
        kind = sdk_type.kind
        if kind == "object" and sdk_type.object is not None:
            return self.object(key, sdk_type.object, depth + 1)
        if kind == "enum" and sdk_type.enum is not None and sdk_type.enum.values:
            return sdk_type.enum.values[0]
        if kind == "union" and sdk_type.members:
            return self.value(key, sdk_type.members[0], depth)
        if kind in ("array", "map"):
            return [] if kind == "array" else {}
        if kind == "boolean":
            return False
        if kind in ("integer", "number"):
            return 0
        return self.string(key)

    def string(self, key: str) -> str:
        lowered = key.rsplit(".", 1)[-1].lower()
        if lowered.endswith(("time", "at", "date", "timestamp")):
            return _TIMESTAMP
        if lowered.endswith("location"):
            return self.location
        if lowered.endswith("id"):
            return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.urn}#{key}"))
        return "Succeeded" if lowered.endswith("state") else f"{key.rsplit('.', 1)[-1]}-value"

    def object(self, key: str, object_type: ObjectType, depth: int) -> dict[str, Any]:
        if depth > _MAX_DEPTH:
            return {}
        return {
            name: self.value(f"{key}.{name}", prop.type, depth)
            for name, prop in object_type.properties.items()
            if prop.required
        }
