"""What one capture records while the program runs, and the ResourceGraph it becomes.

The :class:`Recorder` is the monitor's back end: it turns each raw
``RegisterResourceRequest`` / ``ReadResourceRequest`` into a :class:`~cdcml.capture.records.Record`
(engine URN, default provider, the provider's Check, resource options, id and outputs),
keeps the stack's outputs and the diagnostics, and lists the resources in the program's
declaration order at the end. The pieces it joins each live in their own module:
:mod:`~cdcml.capture.urns`, :mod:`~cdcml.capture.default_providers`,
:mod:`~cdcml.capture.provider`, :mod:`~cdcml.capture.resource_options`,
:mod:`~cdcml.capture.aliases` and :mod:`~cdcml.capture.declaration`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from cdcml.capture.aliases import TypeAliases
from cdcml.capture.declaration import DeclarationOrder
from cdcml.capture.default_providers import DefaultProviders
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.positions import source_position
from cdcml.capture.project import Project, StackConfig
from cdcml.capture.provider import EmulatedProvider
from cdcml.capture.records import Record
from cdcml.capture.resource_options import resource_options
from cdcml.capture.urns import ROOT_STACK_TYPE, engine_urn
from cdcml.model import FrozenDict, ResourceGraph, ResourceOptions, freeze
from cdcml.model.values import secret_values
from cdcml.secrets import SecretSet
from cdcml.structs import from_struct

__all__ = ["Recorder"]


class Recorder:
    """The resources, stack outputs and diagnostics of one capture. The monitor calls it
    from the SDK's executor thread, the stack transformation from the program's thread."""

    def __init__(self, project: Project, config: StackConfig, options: CaptureOptions) -> None:
        self.project = project.name
        self.project_dir = project.directory
        self.stack = config.stack
        self.config = config
        self.options = options
        self.preview = options.mode is OutputMode.PREVIEW
        self.records: dict[str, Record] = {}  # by URN, in arrival order
        self.stack_urn = ""
        self.stack_outputs: dict[str, Any] = {}
        self.diagnostics: list[str] = []
        self.unanswered: list[str] = []  # tokens of the invokes with no offline answer, in arrival order
        self._lock = threading.RLock()
        self.declarations = DeclarationOrder(self.stack, self.project)
        self.type_aliases = TypeAliases()
        self.default_providers = DefaultProviders(self.stack, self.project, config, preview=self.preview)
        self.provider = EmulatedProvider(config, options, self.diagnostics)
        # Every secret the program has declared so far (and its secret config), for the
        # scrubbing of what it prints, logs or raises (cdcml.secrets.including).
        self.secrets = SecretSet()
        self.secrets.update(config.values[k] for k in config.secret_keys if k in config.values)

    # ---- while the program runs

    def transform(self, args: Any) -> Any:
        """The stack transformation capture registers: note the declaration order and,
        unless asked not to, strip azure-native's type aliases."""
        self.declarations.declare(args)
        return self.type_aliases.strip(args) if self.options.strip_type_aliases else None

    def register(self, request: Any) -> Record:
        """Record a ``RegisterResourceRequest`` as the engine would see it after Check and
        Create."""
        with self._lock:
            urn = self._new_urn(request)
            if request.type == ROOT_STACK_TYPE and not request.parent:
                self.stack_urn = urn
            inputs = from_struct(request.object) if request.HasField("object") else {}
            provider_ref = request.provider
            custom = bool(request.custom)
            is_provider = request.type.startswith("pulumi:providers:")
            if custom and not is_provider and not provider_ref:
                provider_ref = self._default_provider(request.type.split(":", 1)[0], request.version)
            if custom and not is_provider:
                inputs = self.provider.check(request.type, request.name, urn, inputs)
            rec = Record(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=custom,
                id="",
                inputs=inputs,
                outputs={},
                parent=request.parent,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                provider=provider_ref,
                options=resource_options(
                    request,
                    urn,
                    stack=self.stack,
                    project=self.project,
                    type_aliases=self.type_aliases.of(request.type),
                ),
                source_position=source_position(request, self.project_dir),
            )
            if custom:
                rec.id = self.provider.id_for(rec)
                rec.outputs = self.provider.outputs_for(rec)
            self.records[urn] = rec
            self._note_secrets(rec.inputs, rec.outputs)
            self.provider.note_unknown_inputs(rec)
            return rec

    def read(self, request: Any) -> Record:
        """Record a ``ReadResourceRequest`` (an existing resource the program reads)."""
        with self._lock:
            urn = self._new_urn(request)
            inputs = from_struct(request.properties) if request.HasField("properties") else {}
            provider_ref = request.provider or self._default_provider(request.type.split(":", 1)[0], request.version)
            rec = Record(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=True,
                id=request.id,
                inputs=inputs,
                outputs={},
                parent=request.parent,
                dependencies=list(request.dependencies),
                property_dependencies={},
                provider=provider_ref,
                options=ResourceOptions(additional_secret_outputs=tuple(request.additionalSecretOutputs)),
                external=True,
                source_position=source_position(request, self.project_dir),
            )
            rec.outputs = self.provider.outputs_for(rec)
            self.records[urn] = rec
            self._note_secrets(rec.inputs, rec.outputs)
            return rec

    def register_outputs(self, urn: str, outputs: dict[str, Any]) -> None:
        """A component's (or the stack's) ``registerOutputs``; a custom resource's outputs
        are the provider's and stay."""
        with self._lock:
            self._note_secrets(outputs)
            if urn == self.stack_urn:
                self.stack_outputs = outputs
            rec = self.records.get(urn)
            if rec is not None and not rec.custom:
                rec.outputs = outputs

    def invoke(self, token: str, args: Mapping[str, Any], *, plain: bool = False) -> dict[str, Any] | None:
        """A provider function's offline answer; ``None`` when there is none (the output
        form's result is then unknown, the *plain* form's empty), which the graph's
        diagnostics and a failure of the program say (:attr:`unanswered`)."""
        result = self.options.invokes.answer(token, args)
        if result is None:
            what = (
                "called in the plain form, which can't carry an unknown: every field of its result is None"
                if plain
                else "its result is unknown"
            )
            with self._lock:
                self.unanswered.append(token)
                self.diagnostics.append(f"no offline answer for invoke {token}: {what} (answer it with --invokes FILE)")
            return None
        result = dict(result)
        self._note_secrets(result)
        return result

    def _note_secrets(self, *values: Any) -> None:
        for value in values:
            found = secret_values(value)
            if found:
                self.secrets.update(found)

    def _new_urn(self, request: Any) -> str:
        urn = engine_urn(self.stack, self.project, request.parent, request.type, request.name)
        if urn in self.records:
            raise RuntimeError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        return urn

    def _default_provider(self, package: str, version: str) -> str:
        ref, created = self.default_providers.reference(package, version)
        if created is not None:
            self.records[created.urn] = created
        return ref

    # ---- at the end

    def graph(self) -> ResourceGraph:
        """The ResourceGraph: the root stack, then the resources in declaration order."""
        resources = [rec.resource() for rec in self.declarations.order(self.records, self.stack_urn)]
        return ResourceGraph(
            project=self.project,
            stack=self.stack,
            resources=tuple(resources),
            outputs=freeze(self.stack_outputs),
            organization=self.options.organization,
            source=str(self.options.mode),
            dry_run=self.preview,
            config=FrozenDict(self.config.values),
            config_secret_keys=self.config.secret_keys,
            tags=FrozenDict(self.config.tags),
            diagnostics=tuple(dict.fromkeys(self.diagnostics)),
        )
