"""The catalogue of every cdcml guardrail, in pack order (by catalogue rule id, then name).

Packs are built from it (``policies/cdc-ml-guardrails``), and ``cdcml policy ls`` and
``cdcml policy docs`` render it. It is discovered, not listed: every module of a concern
sub-package (``cdcml.policies.<concern>.<policy>``) defines the policy named like the
module, and a module that doesn't fails the import. The order comes from the policies'
own metadata, so adding a policy is adding its module.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path
from typing import Any

import cdcml.policies
from cdcml.policies.base import GuardrailResourcePolicy, GuardrailStackPolicy

__all__ = ["PACK_NAME", "POLICIES", "by_name", "discover", "pack_metadata"]

PACK_NAME = "cdc-ml-guardrails"


def discover() -> tuple[Any, ...]:
    """Every policy of every concern sub-package of :mod:`cdcml.policies`, sorted by
    catalogue rule id, then name."""
    found = []
    for concern in pkgutil.iter_modules(cdcml.policies.__path__, f"{cdcml.policies.__name__}."):
        if not concern.ispkg:
            continue  # the library's own modules: base, vocabulary, stack, …
        package = importlib.import_module(concern.name)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            policy = getattr(module, info.name, None)
            if not isinstance(policy, (GuardrailResourcePolicy, GuardrailStackPolicy)):
                raise ImportError(f"{module.__name__} must define the guardrail policy {info.name}")
            found.append(policy)
    return tuple(sorted(found, key=lambda p: (p.rule, p.name)))


POLICIES: tuple[Any, ...] = discover()


def by_name(name: str) -> Any:
    for p in POLICIES:
        if p.name == name:
            return p
    raise KeyError(name)


def pack_metadata(policy_yaml: str | os.PathLike[str]) -> dict[str, str]:
    """The ``PolicyPack(...)`` name, description and readme a pack's PulumiPolicy.yaml
    declares (the CLI itself reads only its runtime, version and description)."""
    import yaml

    doc = yaml.safe_load(Path(policy_yaml).read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict):
        raise ValueError(f"{policy_yaml}: expected a mapping")
    out = {"name": str(doc.get("name") or PACK_NAME)}
    for key in ("description", "readme"):
        if isinstance(doc.get(key), str) and doc[key].strip():
            out[key] = doc[key].strip()
    return out
