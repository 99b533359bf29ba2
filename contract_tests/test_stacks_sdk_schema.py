"""No invented properties: every input the reference stacks declare is one the installed
azure-native SDK defines, at every level of nesting, and every enum-typed value is one
of the enum's values.

The walker reads the SDK's own type information: a resource's Args class
(``cdcml.capture.azure.args_class``), and for each property the getter's return
annotation — an Args class of ``_inputs.py``, an enum of ``_enums.py``, a list or map of
them, or a union of Args classes told apart by their discriminator (``type``,
``datastoreType``, ``credentialsType``, ``dataType``, ``endpointType``,
``operatorType``: the getter documents "Expected value is '…'").
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from collections.abc import Mapping, Sequence
from enum import Enum
from functools import cache
from typing import Any, ForwardRef

import pulumi._types as pulumi_types
import pytest
from tests.fixtures.reference_stacks import STACK_PROFILES, reference_stack

from cdcml.capture.azure import args_class, input_names
from cdcml.model import thaw
from cdcml.model.values import is_unknown, reveal

_EXPECTED = re.compile(r"Expected value is '([^']+)'")


@cache
def _getters(cls: type) -> dict[str, Any]:
    """camelCase property name → the annotation of its getter."""
    py_to_wire = pulumi_types.input_type_py_to_pulumi_names(cls)
    out: dict[str, Any] = {}
    for py_name, wire in py_to_wire.items():
        prop = inspect.getattr_static(cls, py_name, None)
        if isinstance(prop, property) and prop.fget is not None:
            out[wire] = inspect.signature(prop.fget).return_annotation
    return out


@cache
def _discriminators(cls: type) -> dict[str, str]:
    """Fields whose getter documents the one value they take (union discriminators)."""
    out: dict[str, str] = {}
    py_to_wire = pulumi_types.input_type_py_to_pulumi_names(cls)
    for py_name, wire in py_to_wire.items():
        prop = inspect.getattr_static(cls, py_name, None)
        doc = (prop.fget.__doc__ or "") if isinstance(prop, property) and prop.fget else ""
        match = _EXPECTED.search(doc)
        if match:
            out[wire] = match.group(1)
    return out


def _resolve(ref: Any, module: str) -> Any:
    if isinstance(ref, ForwardRef):
        name = ref.__forward_arg__
        if name == "Output[T]":
            return None
        return getattr(importlib.import_module(module), name, None)
    return ref


def _kinds(annotation: Any, module: str) -> tuple[list[type], list[type[Enum]], Any]:
    """(Args classes, enums, the element/value annotation of a list or map) an annotation admits."""
    classes: list[type] = []
    enums: list[type[Enum]] = []
    container: Any = None
    stack = [annotation]
    while stack:
        ann = _resolve(stack.pop(), module)
        if ann is None or ann is Any or ann in (str, int, float, bool, type(None)):
            continue
        origin = typing.get_origin(ann)
        if origin is typing.Union:
            stack.extend(typing.get_args(ann))
        elif origin in (Sequence, list, typing.Sequence):
            container = ("list", typing.get_args(ann)[0])
        elif origin in (Mapping, dict, typing.Mapping):
            container = ("map", typing.get_args(ann)[1])
        elif origin is not None and getattr(origin, "__name__", "") == "Awaitable":
            continue
        elif isinstance(ann, type) and issubclass(ann, Enum):
            enums.append(ann)
        elif isinstance(ann, type) and ann.__name__.endswith("Args"):
            classes.append(ann)
    return classes, enums, container


def _check(value: Any, annotation: Any, module: str, path: str, errors: list[str]) -> None:
    if value is None or is_unknown(value):
        return
    classes, enums, container = _kinds(annotation, module)
    if container is not None and isinstance(value, (list, tuple, Mapping)):
        kind, element = container
        items = value.items() if kind == "map" and isinstance(value, Mapping) else enumerate(value)
        if (kind == "map") == isinstance(value, Mapping):
            for k, v in items:
                _check(v, element, module, f"{path}[{k!r}]", errors)
            return
    if enums and isinstance(value, str):
        allowed = {e.value for enum in enums for e in enum}
        if value not in allowed:
            errors.append(f"{path}: {value!r} is not one of {sorted(allowed)}")
        return
    if classes and isinstance(value, Mapping):
        candidates = [
            c for c in classes if all(value.get(k) == v for k, v in _discriminators(c).items() if k in value)
        ] or classes
        if len(candidates) > 1:
            candidates = [c for c in candidates if set(value) <= set(_getters(c))] or candidates
        cls = candidates[0]
        fields = _getters(cls)
        for key, item in value.items():
            if key not in fields:
                errors.append(f"{path}.{key}: not an input of {cls.__name__}")
                continue
            _check(item, fields[key], module, f"{path}.{key}", errors)


def _module_of(token: str) -> str:
    return "pulumi_azure_native." + token.split(":")[1]


@pytest.mark.parametrize("profile", STACK_PROFILES)
def test_every_input_of_every_resource_is_an_sdk_input_with_sdk_enum_values(profile: str) -> None:
    """Top-level input keys are inputs of the type's Args class; nested objects follow the
    SDK's input classes (unions by their discriminator); enum-typed values are values of
    the SDK enum."""
    errors: list[str] = []
    checked = 0
    for resource in reference_stack(profile, "preview").resources:
        if not resource.type.startswith("azure-native:"):
            continue
        cls = args_class(resource.type)
        assert cls is not None, resource.type
        names = input_names(resource.type)
        fields = _getters(cls)
        for key, raw in resource.inputs.items():
            value = thaw(reveal(raw))
            if key not in names:
                errors.append(f"{resource.name}.{key}: not an input of {resource.type}")
                continue
            _check(value, fields[key], _module_of(resource.type), f"{resource.name}.{key}", errors)
            checked += 1
    assert checked > 0
    assert errors == []


def test_the_walker_catches_an_invented_property_and_a_bad_enum_value() -> None:
    """The schema walker itself fails on what it must catch, including inside unions."""
    import pulumi_azure_native.storage as storage

    module = "pulumi_azure_native.storage"
    errors: list[str] = []
    fields = _getters(storage.StorageAccountArgs)
    _check({"name": "Standard_XXL"}, fields["sku"], module, "sku", errors)
    _check({"defaultAction": "Deny", "byPass": "AzureServices"}, fields["networkRuleSet"], module, "nrs", errors)
    _check("TLS1_9", fields["minimumTlsVersion"], module, "tls", errors)
    dv = _getters(importlib.import_module("pulumi_azure_native.machinelearningservices").DataVersionArgs)
    _check(
        {"dataType": "uri_folder", "dataUri": "azureml://x", "sizeInBytes": 3},
        dv["properties"],
        "pulumi_azure_native.machinelearningservices",
        "dv",
        errors,
    )
    assert errors == [
        "sku.name: 'Standard_XXL' is not one of " + str(sorted(e.value for e in storage.SkuName)),
        "nrs.byPass: not an input of NetworkRuleSetArgs",
        "tls: 'TLS1_9' is not one of ['TLS1_0', 'TLS1_1', 'TLS1_2', 'TLS1_3']",
        "dv.sizeInBytes: not an input of UriFolderDataVersionArgs",
    ]
