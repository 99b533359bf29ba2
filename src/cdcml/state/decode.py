"""State loading: ``pulumi stack export`` files and backend checkpoints → ResourceGraph.

The graph is what ``pulumi policy analyze`` hands to policies: source ``state`` with
dry-run on, property values in the engine's wire form, secrets decrypted only with the
passphrase secrets manager and a passphrase (:mod:`~cdcml.state.secrets`). The steps,
each in its own module:

* :mod:`~cdcml.state.document` — bytes (plain, gzip or zstd) → JSON → the envelope of an
  export or a checkpoint of any version, migrated to a version-3 deployment;
* :mod:`~cdcml.state.resources` — each resource record → :class:`~cdcml.model.Resource`,
  its property values through :mod:`~cdcml.state.properties`;
* here — the stack's names, config, outputs and diagnostics → the graph.

Every error is a :class:`~cdcml.errors.StateError` naming the source, the resource and
the property path, never a value (values may be secrets).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from cdcml.errors import StateError
from cdcml.inputs import find_problem, read_file, read_stream
from cdcml.model import FrozenDict, ResourceGraph
from cdcml.model.values import REDACTED, all_finite, render_config_value
from cdcml.state.document import parse_json, read_document
from cdcml.state.properties import PropertyDecoder
from cdcml.state.resources import decode_resource, dedupe_resources
from cdcml.state.secrets import StateSecrets
from cdcml.state.urns import parse_urn

__all__ = ["load_state", "load_state_file", "non_finite_numbers", "read_state_input"]


def _config(
    config: Mapping[str, Any], source: str, secrets: StateSecrets | None
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Checkpoint config as the CLI passes it to packs; a ``secure`` value is decrypted
    when *secrets* can, else ``"[secret]"``; either way it is listed as a secret key."""
    found = find_problem(config)
    if found is not None:
        raise StateError(f"{source}: config.{found[0]}: {found[1]}")
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in config.items():
        if isinstance(value, Mapping) and set(value) == {"secure"}:
            ciphertext = value["secure"]
            plain = None
            if secrets is not None and isinstance(ciphertext, str):
                plain = secrets.decrypt_config(str(key), ciphertext)
            values[str(key)] = REDACTED if plain is None else plain
            secret_keys.append(str(key))
        else:
            values[str(key)] = render_config_value(value)
    return values, tuple(secret_keys)


def _split_stack_name(name: str) -> tuple[str, str, str]:
    """``(organization, project, stack)`` of a checkpoint's stack name (``org/proj/stack``,
    ``org/stack`` or ``stack``); missing parts are ``""``."""
    parts = name.split("/")
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return parts[0], "", parts[1]
    return "", "", name


def load_state(
    data: bytes | str | Mapping[str, Any],
    *,
    source: str = "state",
    project: str | None = None,
    stack: str | None = None,
    organization: str | None = None,
    secrets: StateSecrets | None = None,
) -> ResourceGraph:
    """The ResourceGraph of a state document (bytes, text or parsed JSON).

    *project*, *stack* and *organization* name the stack when the caller knows it (a
    backend does); otherwise they come from the resources' URNs or the checkpoint.
    *secrets* decrypts the state's secrets where it can and records the others
    (:mod:`cdcml.state.secrets`); without it, every encrypted secret is ``"[secret]"``.
    """
    doc = data if isinstance(data, Mapping) else parse_json(data, source)
    state = read_document(doc, source)
    deployment = state.deployment or {}
    if secrets is not None:
        secrets.open(deployment.get("secrets_providers"), source)
    decoder = PropertyDecoder(source, state.features, secrets)
    raw_resources = deployment.get("resources")
    if raw_resources is None:
        raw_resources = []
    if not isinstance(raw_resources, list):
        raise StateError(f"{source}: 'resources' must be a list")

    parsed = []
    failed = 0
    owned = not isinstance(data, Mapping)  # parsed here: no caller holds the document
    for i, r in enumerate(raw_resources):
        failed += isinstance(r, Mapping) and bool(r.get("initErrors"))
        parsed.append(decode_resource(r, i, decoder))
        if owned:
            raw_resources[i] = None  # parsed here, for this graph only: no need to hold both
    resources, diagnostics = dedupe_resources(parsed, source)

    ck_org, ck_project, ck_stack = _split_stack_name(state.stack)
    urn_stack, urn_project = "", ""
    root = next((r for r in resources if r.type == "pulumi:pulumi:Stack" and not r.parent), None)
    first = root or (resources[0] if resources else None)
    if first is not None:
        urn_stack, urn_project, _, _ = parse_urn(first.urn) or ("", "", "", "")
    name = stack or urn_stack or ck_stack or "stack"
    proj = project or urn_project or ck_project or "project"
    org = organization or ck_org or "organization"
    if first is not None and (stack or project) and (urn_stack, urn_project) != (name, proj):
        diagnostics.append(
            f"the state's URNs name stack {urn_stack!r} of project {urn_project!r}, not {proj}/{name}; "
            "policies see the names in the URNs"
        )
        name, proj = urn_stack, urn_project

    config, secret_keys = _config(state.config, source, secrets)
    if decoder.redacted:
        provider = state.secrets_provider or "unknown"
        diagnostics.append(
            f"{decoder.redacted} secret value(s) are encrypted (secrets provider {provider!r}) and were not "
            'decrypted: policies see "[secret]", as with `pulumi policy analyze`'
        )
    if decoder.decrypted:
        diagnostics.append(
            f"{decoder.decrypted} secret value(s) decrypted with the passphrase: policies see them as secrets"
        )
    if decoder.byte_strings:
        diagnostics.append(f"{decoder.byte_strings} byte string value(s) decoded as UTF-8 text")
    pending = deployment.get("pending_operations")
    if isinstance(pending, list) and pending:
        kinds = ", ".join(sorted({str(op.get("type", "?")) for op in pending if isinstance(op, Mapping)}))
        diagnostics.append(
            f"{len(pending)} operation(s) ({kinds}) were pending when the state was saved: an update was "
            "interrupted, so the state may not match what is deployed"
        )
    if failed:
        diagnostics.append(f"{failed} resource(s) recorded initialization errors (partially created)")
    if not resources:
        diagnostics.append("the stack has no resources; nothing to analyze")

    outputs = root.outputs if root is not None else FrozenDict()
    return ResourceGraph(
        project=proj,
        stack=name,
        resources=tuple(resources),
        outputs=outputs,
        organization=org,
        source="state",
        dry_run=True,
        config=FrozenDict(config),
        config_secret_keys=secret_keys,
        diagnostics=tuple(dict.fromkeys(diagnostics)),
    )


def read_state_input(path: str) -> bytes:
    """The bytes of the state file at *path* (``-``: standard input), bounded by the input
    size limit; a FIFO, device or socket is refused without being opened for long.
    ``OSError`` from opening propagates, for the caller to word."""
    if path == "-":
        import sys

        return read_stream(sys.stdin.buffer, name="<stdin>", error=StateError)
    return read_file(path, name=f"state file {path}", error=StateError, hint="use --file - for standard input")


def load_state_file(path: str | os.PathLike[str], **names: Any) -> ResourceGraph:
    """The ResourceGraph of an export or checkpoint file (plain, ``.gz`` or ``.zst``);
    ``-`` reads standard input."""
    p = str(path)
    try:
        data = read_state_input(p)
    except FileNotFoundError:
        raise StateError(f"state file {p} does not exist") from None
    except IsADirectoryError:
        raise StateError(f"state file {p} is a directory; for a backend directory use --backend file://{p}") from None
    except OSError as e:
        raise StateError(f"can't read state file {p}: {e.strerror}") from None
    return load_state(data, source="<stdin>" if p == "-" else p, **names)


def non_finite_numbers(graph: ResourceGraph) -> list[str]:
    """``"<urn> inputs.a.b"`` for every NaN or infinite number a policy would receive.

    The Python policy SDK converts the analyzer's protobuf Struct with
    ``json_format.MessageToDict``, which rejects NaN and infinity: a pack would fail on
    such a resource under ``pulumi policy analyze`` as well."""
    live = [r for r in graph.resources if not r.delete]
    if all_finite(v for r in live for v in (r.inputs, r.outputs)):
        return []
    found: list[str] = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            found.append(where)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{where}.{k}")
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i}]")

    for r in live:
        walk(r.inputs, f"{r.urn} inputs")
        walk(r.outputs, f"{r.urn} outputs")
    return found
