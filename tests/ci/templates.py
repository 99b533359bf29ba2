"""A small expander for the Azure Pipelines template expressions ci/azure-pipelines/cdcml.yml
uses — ``${{ parameters.NAME }}``, ``${{ each VAR in parameters.NAME }}`` over a list, and
``${{ VAR }}`` inside it — and for GitHub's ``${{ a.b.c }}`` references, so the tests can
validate what Azure DevOps would run and run it.

Anything else inside ``${{ }}`` is refused (a test then shows the template grew a construct
the expander doesn't know, instead of silently passing it through)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
EACH = re.compile(r"^each\s+(\w+)\s+in\s+parameters\.(\w+)$")


def substitute(text: str, lookup: Callable[[str], str]) -> str:
    """*text* with every ``${{ expr }}`` replaced by ``lookup(expr)``."""
    return EXPR.sub(lambda m: lookup(m.group(1)), text)


def expand_azure(node: Any, parameters: Mapping[str, Any], loop: Mapping[str, Any] | None = None) -> Any:
    """The template's ``steps`` (or any node) with the expressions evaluated."""
    loop = loop or {}

    def lookup(expr: str) -> str:
        if expr.startswith("parameters."):
            return str(parameters[expr.removeprefix("parameters.")])
        if expr in loop:
            return str(loop[expr])
        raise ValueError(f"expression the test expander doesn't know: {expr!r}")

    if isinstance(node, str):
        return substitute(node, lookup)
    if isinstance(node, dict):
        return {expand_azure(k, parameters, loop): expand_azure(v, parameters, loop) for k, v in node.items()}
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            directive = _each(item)
            if directive is None:
                out.append(expand_azure(item, parameters, loop))
                continue
            var, name, body = directive
            for value in parameters[name]:
                out.extend(expand_azure(body, parameters, {**loop, var: value}))
        return out
    return node


def _each(item: Any) -> tuple[str, str, list[Any]] | None:
    if not (isinstance(item, dict) and len(item) == 1):
        return None
    ((key, body),) = item.items()
    m = EXPR.fullmatch(key)
    if not m:
        return None
    each = EACH.match(m.group(1))
    if not each:
        raise ValueError(f"template directive the test expander doesn't know: {key!r}")
    return each.group(1), each.group(2), body


def azure_defaults(template: Mapping[str, Any], **given: Any) -> dict[str, Any]:
    """The template's parameters: their defaults, overridden by *given*."""
    values = {p["name"]: p.get("default") for p in template["parameters"]}
    unknown = set(given) - set(values)
    assert not unknown, f"parameters the template doesn't declare: {unknown}"
    return {**values, **given}
