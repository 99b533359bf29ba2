"""No report carries a secret: policies see secrets as plaintext and may echo them, so a
run replaces every secret plaintext of the graph in its findings before any renderer
sees them. The evaluator itself stays byte-for-byte faithful to the engine."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from cdcml import secrets
from cdcml.model import Findings, FrozenDict, ResourceGraph
from cdcml.model.values import graph_secrets
from cdcml.secrets import SecretSet

__all__ = ["remember_graph", "scrub_findings"]


def remember_graph(graph: ResourceGraph) -> SecretSet:
    """Record *graph*'s secrets as secrets of the run, so nothing cdcml prints or writes
    afterwards can carry them (:mod:`cdcml.secrets`; a secret config value holding JSON,
    such as a ``secure:`` object read with ``require_object``, is known leaf by leaf).
    Returns them, for :func:`scrub_findings`."""
    known = SecretSet()
    known.update(graph_secrets(graph))
    secrets.remember_all(known)
    return known


def scrub_findings(findings: Findings, graph: ResourceGraph, known: SecretSet | None = None) -> Findings:
    """*findings* with every secret of *graph* (plaintexts of secret property values and
    of secret config) replaced by ``"[secret]"`` in messages and remediated properties.
    A policy may echo a value it read, raw or quoted (JSON, ``repr``, on one line); every
    such form is replaced (:class:`cdcml.secrets.SecretSet`). Reports must never carry a
    secret. *known*: the graph's secrets already gathered (:func:`remember_graph`)."""
    values = known
    if values is None:
        values = SecretSet()
        values.update(graph_secrets(graph))
    if not values:
        return findings
    clean = values.scrub

    def clean_value(value: Any) -> Any:
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, Mapping):
            return FrozenDict({k: clean_value(v) for k, v in value.items()})
        if isinstance(value, (list, tuple)):
            return tuple(clean_value(v) for v in value)
        return value

    changed = [
        dataclasses.replace(f, message=clean(f.message), description=clean(f.description)) for f in findings.findings
    ]
    remediations = [dataclasses.replace(r, properties=clean_value(r.properties)) for r in findings.remediations]
    return dataclasses.replace(findings, findings=tuple(changed), remediations=tuple(remediations))
