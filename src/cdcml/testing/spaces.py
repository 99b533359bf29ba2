"""The configuration space of a project's stack, for the **conforms** law.

The space comes from what the project declares, centred on the chosen stack's values:

* every key of ``Pulumi.<stack>.yaml`` keeps the stack's value;
* a key ``Pulumi.yaml`` declares (``config:`` with a ``type``) varies: a boolean takes
  both values, an integer moves around the stack's value (or its default), a string
  takes the stack's value or the declared default;
* ``cdcml-verify.yaml`` next to ``Pulumi.yaml`` narrows or widens it, for every stack or
  per stack (its ``sensitive:`` sections are the **sensitive** law's, read by
  :mod:`cdcml.testing.acceptance`)::

      fixed:                       # keys that never vary
        cdcml:privateNetworking: true
      stacks:
        prod:
          strategy: cdcml.testing.strategies:stack_configs   # draws whole configurations
          arguments: {profile: prod, private_networking: true}
          fixed: {...}

  ``strategy`` names a function returning a Hypothesis strategy of flat configurations
  (``{"project:key": "text"}``, as Pulumi hands them to a program); each argument is
  passed as ``st.just(value)``. For this repository that is the stack configuration
  schema's own strategy.

A project with neither declarations nor a narrowing file has a space of one point: the
stack's own values (:attr:`ConfigSpace.declared` is ``False``, and the law says so).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from cdcml.capture.project import NARROWING_FILE, Project, StackConfig, namespaced_key
from cdcml.errors import ConfigError
from cdcml.inputs import read_yaml_file
from cdcml.model.values import render_config_value

__all__ = ["NARROWING_FILE", "ConfigSpace", "config_space"]


@dataclass(frozen=True)
class ConfigSpace:
    """Configurations of one stack: :meth:`strategy` draws flat ``{key: text}`` maps."""

    base: Mapping[str, str]
    varying: Mapping[str, st.SearchStrategy[str]] = field(default_factory=dict)
    whole: st.SearchStrategy[dict[str, str]] | None = None
    fixed: Mapping[str, str] = field(default_factory=dict)
    source: str = "the stack's own values"

    @property
    def declared(self) -> bool:
        return bool(self.varying) or self.whole is not None

    def strategy(self) -> st.SearchStrategy[dict[str, str]]:
        start: st.SearchStrategy[dict[str, str]] = st.just(dict(self.base))
        if self.whole is not None:
            start = self.whole.map(lambda drawn: {**self.base, **drawn})
        varying = st.fixed_dictionaries(dict(self.varying))
        return st.tuples(start, varying).map(lambda pair: {**pair[0], **pair[1], **self.fixed})


def _declared(spec: Mapping[str, Any], current: str | None) -> st.SearchStrategy[str]:
    kind = spec.get("type")
    default = spec.get("default")
    if kind == "boolean":
        return st.sampled_from(["true", "false"])
    if kind == "integer":
        centre = int(current) if current is not None and current.lstrip("-").isdigit() else int(default or 0)
        return st.integers(min_value=max(0, centre - 10), max_value=centre + 10).map(str)
    values = [v for v in (current, None if default is None else render_config_value(default)) if v is not None]
    return st.sampled_from(sorted(set(values))) if values else st.just("")


def _declarations(project: Project) -> dict[str, Any]:
    """Pulumi.yaml's ``config:`` block (key → declaration)."""
    for name in ("Pulumi.yaml", "Pulumi.yml"):
        path = project.directory / name
        if path.exists():
            doc = read_yaml_file(path, ConfigError)
            block = doc.get("config") if isinstance(doc, Mapping) else None
            return dict(block) if isinstance(block, Mapping) else {}
    return {}


def _narrowing(project: Project, stack: str) -> dict[str, Any]:
    path = project.directory / NARROWING_FILE
    if not path.exists():
        return {}
    doc = read_yaml_file(path, ConfigError) or {}
    if not isinstance(doc, Mapping):
        raise ConfigError(f"{path}: expected a mapping")
    unknown = set(doc) - {"fixed", "stacks", "strategy", "arguments", "sensitive"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {sorted(unknown)[0]!r} (known: fixed, stacks, strategy, arguments, sensitive)"
        )
    per_stack = dict((doc.get("stacks") or {}).get(stack) or {})
    merged = {k: v for k, v in doc.items() if k != "stacks"}
    merged["fixed"] = {**dict(doc.get("fixed") or {}), **dict(per_stack.get("fixed") or {})}
    merged.update({k: v for k, v in per_stack.items() if k != "fixed"})
    merged["path"] = path
    return merged


def _strategy(spec: str, arguments: Mapping[str, Any], path: Path) -> st.SearchStrategy[dict[str, str]]:
    module, _, name = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError(f"{path}: strategy {spec!r} can't be imported (write it as module:function)") from None
    try:
        strategy = factory(**{k: st.just(v) for k, v in arguments.items()})
    except TypeError as e:
        raise ConfigError(f"{path}: strategy {spec!r}: {e}") from None
    if not isinstance(strategy, st.SearchStrategy):
        raise ConfigError(f"{path}: strategy {spec!r} did not return a Hypothesis strategy")
    return strategy


def config_space(project: Project, config: StackConfig) -> ConfigSpace:
    """The space of *config*'s stack (see the module's docstring)."""
    base = dict(config.values)
    narrowing = _narrowing(project, config.stack)
    fixed = {
        namespaced_key(project.name, str(k)): render_config_value(v)
        for k, v in dict(narrowing.get("fixed") or {}).items()
    }
    if narrowing.get("strategy"):  # it draws whole configurations, declared keys included
        arguments = narrowing.get("arguments") or {}
        if not isinstance(arguments, Mapping):
            raise ConfigError(f"{narrowing['path']}: 'arguments' must be a mapping")
        whole = _strategy(str(narrowing["strategy"]), arguments, narrowing["path"])
        source = f"{narrowing['strategy']}({json.dumps(dict(arguments), sort_keys=True)})"
        return ConfigSpace(base=base, whole=whole, fixed=fixed, source=source)
    varying: dict[str, st.SearchStrategy[str]] = {}
    for key, spec in _declarations(project).items():
        full = namespaced_key(project.name, str(key))
        if isinstance(spec, Mapping) and spec.get("type") in ("boolean", "integer", "string") and full not in fixed:
            varying[full] = _declared(spec, base.get(full))
    source = "Pulumi.yaml config declarations" if varying else "the stack's own values"
    return ConfigSpace(base=base, varying=varying, fixed=fixed, source=source)
