"""Default providers, registered as the engine registers them.

A custom resource with no explicit provider uses its package's default provider for the
requested version: ``pulumi:providers:<package>::default_<version>`` (dots and dashes as
underscores; ``default`` without a version), whose inputs are the stack's
``<package>:*`` configuration (secret where the configuration is secret) and the version.
"""

from __future__ import annotations

import uuid
from typing import Any

from cdcml.capture.project import StackConfig
from cdcml.capture.records import Record
from cdcml.model import ResourceOptions
from cdcml.model.values import UNKNOWN, secret

__all__ = ["DefaultProviders", "default_provider_name", "provider_inputs"]


def default_provider_name(version: str) -> str:
    """``default_3_29_0`` for version ``3.29.0``; ``default`` when no version is asked for."""
    return "default_" + version.replace(".", "_").replace("-", "_") if version else "default"


def provider_inputs(config: StackConfig, package: str, version: str) -> dict[str, Any]:
    """A default provider's inputs: the stack's ``<package>:<key>`` configuration (secret
    where the configuration is) and its ``version``."""
    inputs: dict[str, Any] = {}
    prefix = f"{package}:"
    for k, v in config.values.items():
        if k.startswith(prefix):
            key = k[len(prefix) :]
            inputs[key] = secret(v) if k in config.secret_keys else v
    if version:
        inputs["version"] = version
    return inputs


class DefaultProviders:
    """One default provider per package and version. Not thread-safe on its own: the
    recorder calls it under its lock, and stores the records it creates."""

    def __init__(self, stack: str, project: str, config: StackConfig, *, preview: bool) -> None:
        self._stack = stack
        self._project = project
        self._config = config
        self._preview = preview
        self._references: dict[str, str] = {}  # package@version -> provider reference

    def reference(self, package: str, version: str) -> tuple[str, Record | None]:
        """The provider reference (``<urn>::<id>``) of *package*'s default provider at
        *version*, and its record when this call created it (``None`` after the first)."""
        key = f"{package}@{version}"
        ref = self._references.get(key)
        if ref is not None:
            return ref, None
        name = default_provider_name(version)
        ptype = f"pulumi:providers:{package}"
        urn = f"urn:pulumi:{self._stack}::{self._project}::{ptype}::{name}"
        pid = UNKNOWN if self._preview else str(uuid.uuid5(uuid.NAMESPACE_URL, urn))
        inputs = provider_inputs(self._config, package, version)
        record = Record(
            urn=urn,
            type=ptype,
            name=name,
            custom=True,
            id=pid,
            inputs=inputs,
            outputs=dict(inputs),
            parent="",
            dependencies=[],
            property_dependencies={},
            provider="",
            options=ResourceOptions(),
        )
        ref = f"{urn}::{pid}"
        self._references[key] = ref
        return ref, record
