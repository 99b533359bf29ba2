"""What the azure-native provider answers, played offline: Check (auto-names, provider
defaults) before anything sees the inputs, then Create (id and outputs).

Outputs follow the :class:`~cdcml.capture.options.OutputMode`. In ``preview`` what the
provider computes is unknown, as ``pulumi preview`` shows it. In ``resolved`` outputs are
filled as azure-native fills them (``name``, an ARM ``id`` under the configured
subscription, ``provisioningState`` …, and nested read-only properties such as an
identity's ``principalId``, computed by :mod:`cdcml.capture.shapes`); an output cdcml
can't compute stays *unknown*, never missing, at any depth, so a dependent input never
vanishes and no dependency edge is lost, and each input left unknown so is noted in the
graph's diagnostics. A
:attr:`~cdcml.capture.options.CaptureOptions.provider_outputs` hook, when given, answers
for the provider instead: its id and output-only values replace the emulated ones.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

from cdcml.capture import azure, shapes
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.project import StackConfig
from cdcml.capture.records import Record
from cdcml.capture.urns import ROOT_STACK_TYPE
from cdcml.model.values import (
    SIG_KEY,
    UNKNOWN,
    contains_hidden_secret,
    contains_secret,
    contains_unknown,
    is_secret,
    is_unknown,
    reveal,
    secret,
)

__all__ = ["STACK_REFERENCE", "EmulatedProvider"]

STACK_REFERENCE = "pulumi:pulumi:StackReference"


class EmulatedProvider:
    """The provider's answers for one capture. Diagnostics go to *diagnostics*, the
    capture's list, in the order they arise."""

    def __init__(self, config: StackConfig, options: CaptureOptions, diagnostics: list[str]) -> None:
        self._config = config
        self._invokes = options.invokes
        self._references = options.stack_references
        self.preview = options.mode is OutputMode.PREVIEW
        self._diagnostics = diagnostics
        self._hook = None if self.preview else options.provider_outputs
        self._provided: dict[str, Mapping[str, Any]] = {}

    # ---- Check

    def check(self, type_: str, name: str, urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """What azure-native's Check adds before policies see the inputs."""
        if not type_.startswith("azure-native:"):
            return inputs
        prop = azure.autoname_property(type_)
        if prop and (prop not in inputs or inputs[prop] is None):
            inputs = {**inputs, prop: azure.autoname(type_, name, urn)}
        if type_ == "azure-native:resources:ResourceGroup" and "location" not in inputs:
            location = self._config.values.get("azure-native:location")
            if location:
                inputs = {**inputs, "location": location}
        return inputs

    # ---- Create

    def subscription_id(self) -> str:
        return self._config.values.get("azure-native:subscriptionId") or self._invokes.subscription_id

    def id_for(self, rec: Record) -> str:
        """The id of a custom resource: unknown in preview; in resolved mode its ARM id
        (unknown, with a diagnostic, when an input the id needs isn't known), or a UUID
        derived from the URN for types without an ARM path."""
        if self.preview:
            return UNKNOWN
        provided = self._provided_for(rec).get("id")
        if isinstance(provided, str) and provided:
            return provided
        if rec.type.startswith("azure-native:"):
            plain = {k: reveal(v) for k, v in rec.inputs.items()}
            known = {k: v for k, v in plain.items() if not is_unknown(v)}
            arm = azure.arm_id(rec.type, known, self.subscription_id())
            if arm is not None:
                return arm
            if azure.ARM_PATHS.get(rec.type.split(":", 1)[1]) is not None:
                self._diagnostics.append(
                    f"resolved mode: the ARM id of {rec.urn} depends on inputs that aren't known; it stays unknown"
                )
                return UNKNOWN
        return str(uuid.uuid5(uuid.NAMESPACE_URL, rec.urn))

    def outputs_for(self, rec: Record) -> dict[str, Any]:
        """The outputs recorded in the graph for a custom resource: an azure-native
        resource's in the shape of its SDK output type (:mod:`cdcml.capture.shapes`)."""
        names = azure.output_names(rec.type) if rec.type.startswith("azure-native:") else frozenset()
        if rec.type == STACK_REFERENCE:
            return self._stack_reference(rec)
        declared = shapes.resource_types(rec.type) if names else None
        shaper = shapes.Shaper(self.preview, rec.urn, self._invokes.tenant_id, fill=self._hook is None)
        if rec.type.startswith("pulumi:providers:") or not names:
            outputs = dict(rec.inputs)
        elif self.preview:
            given = shaper.outputs(rec.inputs, *declared) if declared is not None else rec.inputs
            outputs = {n: given.get(n, UNKNOWN) for n in sorted(names)}
        else:
            given = shaper.outputs(rec.inputs, *declared) if declared is not None else rec.inputs
            outputs = self._resolved_outputs(rec, names, given)
        if rec.external and "name" in outputs:
            # An existing resource the program reads (`.get(name, id)`): the provider reads it by
            # its ARM id, whose last segment is the resource's name (not the program's name for it).
            arm_name = _arm_name(rec.id)
            if arm_name:
                outputs["name"] = arm_name
        self._diagnostics.extend(
            f"resolved mode: output {note} of {rec.urn} can't take the shape the SDK declares; it stays unknown"
            for note in shaper.notes
        )
        for key in rec.options.additional_secret_outputs:
            if key in outputs and not is_secret(outputs[key]):
                outputs[key] = secret(outputs[key])
        return outputs

    def _stack_reference(self, rec: Record) -> dict[str, Any]:
        """A StackReference's outputs as the engine's built-in provider reads them: ``name``,
        the other stack's root ``outputs`` and the sorted ``secretOutputNames`` — from
        :attr:`CaptureOptions.stack_references`; else (or when a secret of them couldn't be
        decrypted) ``outputs`` stays unknown, with a diagnostic."""
        name = str(reveal(rec.inputs.get("name")) or rec.id)
        given = self._references.get(name)
        if given is None:
            if not self.preview:
                self._diagnostics.append(
                    f"resolved mode: the outputs of {rec.urn} (another stack's) can't be read offline; they stay "
                    f"unknown (give them with --stack-reference {name}=SOURCE)"
                )
            return dict(rec.inputs)
        secret_names = sorted(k for k, v in given.items() if contains_secret(v))
        outputs: dict[str, Any] = {"name": name, "outputs": dict(given), "secretOutputNames": secret_names}
        undecryptable = [k for k in secret_names if contains_hidden_secret(given[k])]
        if undecryptable:
            outputs["outputs"] = UNKNOWN
            self._diagnostics.append(
                f"the outputs of {rec.urn} stay unknown: the secret output(s) {', '.join(undecryptable)} of stack "
                f"{name} are encrypted and can't be decrypted offline"
            )
        return outputs

    def _resolved_outputs(self, rec: Record, names: frozenset[str], given: Mapping[str, Any]) -> dict[str, Any]:
        """Outputs after ``pulumi up``: the inputs in the output shape (*given*), what the
        provider computes filled in. An output that is also an input the program didn't set
        is left out (the state holds whatever ARM defaulted, which policies treat as not
        set); an output-only value cdcml can't compute stays unknown."""
        out: dict[str, Any] = {n: given[n] for n in names if n in given}
        settable = azure.input_names(rec.type)
        prop = azure.autoname_property(rec.type)
        if "name" in names:
            out["name"] = rec.inputs.get(prop) if prop and prop in rec.inputs else rec.inputs.get("name", rec.name)
        if "type" in names:
            arm = azure.arm_type(rec.type)
            if arm:
                out["type"] = arm
        if "azureApiVersion" in names:
            version = azure.api_version(rec.type)
            if version:
                out["azureApiVersion"] = version
        if "provisioningState" in names:
            out["provisioningState"] = "Succeeded"
        for etag in ("etag", "eTag"):
            if etag in names:
                out[etag] = 'W/"' + hashlib.sha256(rec.urn.encode()).hexdigest()[:16] + '"'
        for key, value in self._provided_for(rec).items():
            if key not in names or key == "id" or (key in settable and key not in rec.inputs):
                continue
            out[key] = _merged(given.get(key, rec.inputs[key]), value) if key in settable else value
        if self._hook is not None:
            self._identity_filled(rec, names, out)
        for n in names:
            if n not in out and n not in settable:
                out[n] = UNKNOWN
        return dict(sorted(out.items()))

    def _identity_filled(self, rec: Record, names: frozenset[str], out: dict[str, Any]) -> None:
        """Under a ``provider_outputs`` hook (which the shaper leaves nested outputs to), a
        system-assigned identity still gets the principal and tenant Azure always returns,
        where the hook's answer has none: programs read them after create."""
        identity = out.get("identity")
        plain = reveal(identity)
        if "identity" not in names or not isinstance(plain, Mapping):
            return
        if "SystemAssigned" not in str(plain.get("type", "")):
            return
        filled = dict(plain)
        filled.setdefault("principalId", str(uuid.uuid5(uuid.NAMESPACE_OID, rec.urn)))
        filled.setdefault("tenantId", self._invokes.tenant_id)
        out["identity"] = secret(filled) if is_secret(identity) else filled

    def _provided_for(self, rec: Record) -> Mapping[str, Any]:
        """What the ``provider_outputs`` hook answers for *rec* (asked once per resource)."""
        if self._hook is None or not rec.type.startswith("azure-native:"):
            return {}
        if rec.urn not in self._provided:
            self._provided[rec.urn] = self._hook(rec.type, rec.name, dict(rec.inputs)) or {}
        return self._provided[rec.urn]

    # ---- the answer to the SDK

    def response(self, rec: Record) -> tuple[dict[str, Any], bool]:
        """What the engine answers the SDK for *rec*: (outputs, whether outputs missing
        from them are unknown). Components get nothing back."""
        if not rec.custom:
            return {}, False
        if self._hook is not None and rec.type.startswith("azure-native:"):
            # The provider's answer is complete: what it leaves out (a null output, a
            # settable one the program left out) resolves to None, as after `pulumi up`;
            # what cdcml can't compute is sent as unknown, one by one.
            return dict(rec.outputs), False
        if self.preview:
            return {k: v for k, v in rec.outputs.items() if not is_unknown(v)}, False
        # Resolved mode: every output is sent, an unknown one as unknown (left out, the SDK
        # would read the program's input in its place, in the input's shape), and what is
        # missing is marked unknown so a dependent input becomes unknown instead of vanishing.
        return dict(rec.outputs), True

    def note_unknown_inputs(self, rec: Record) -> None:
        """Resolved mode: note each input left unknown because an output it uses can't be
        computed offline (in preview unknown inputs are expected)."""
        if self.preview or rec.type == ROOT_STACK_TYPE:
            return
        for key, value in rec.inputs.items():
            if contains_unknown(value):
                deps = rec.property_dependencies.get(key) or []
                via = f" (it depends on {', '.join(deps)})" if deps else ""
                self._diagnostics.append(
                    f"resolved mode: input {key!r} of {rec.urn} is unknown because an output it uses "
                    f"can't be computed offline{via}"
                )


def _arm_name(resource_id: Any) -> str:
    """The name in an ARM resource id (``/subscriptions/…/providers/…/<type>/<name>``), else ``""``."""
    if not isinstance(resource_id, str) or "/providers/" not in resource_id.lower():
        return ""
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def _merged(given: Any, added: Any) -> Any:
    """The program's value *given* with what the provider *added*: keys of an object the
    program's object lacks (recursively; lists of the same length element by element). The
    program's values win; a secret or unknown of the program stays as it is."""
    if _plain_object(given) and _plain_object(added):
        merged = dict(given)
        for key, value in added.items():
            merged[key] = _merged(given[key], value) if key in given else value
        return merged
    if isinstance(given, list) and isinstance(added, list) and len(given) == len(added):
        return [_merged(g, a) for g, a in zip(given, added, strict=True)]
    return given


def _plain_object(value: Any) -> bool:
    return isinstance(value, Mapping) and SIG_KEY not in value
