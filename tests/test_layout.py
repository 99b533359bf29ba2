"""The layout a newcomer can read: layers that only depend downwards, no import cycles,
short functions and modules (docs/design-notes.md, "Layout by data flow").

The import graph is read from the source with ``ast``, every ``import`` statement
included — those inside functions and ``TYPE_CHECKING`` blocks too, since an import
hidden in a function is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "cdcml"

LAYERS: dict[str, set[str]] = {
    # layer: the layers it may import (besides itself)
    "base": set(),
    "capture": {"base"},
    "state": {"base"},
    "engine": {"base"},
    "policies": {"base"},
    "stacks": {"base"},
    "report": {"base"},
    "runs": {"base", "capture", "state", "engine"},
    "testing": {"base", "capture", "state", "engine", "runs", "policies", "stacks"},
    "cli": {"base", "capture", "state", "engine", "runs", "report", "policies", "testing"},
}
"""cli → runs → (capture | state | engine) → model; report depends on the model only;
stacks and policies know neither each other nor the engine."""

BASE = {
    "cdcml",
    "cdcml.errors",
    "cdcml.environments",
    "cdcml.inputs",  # bounded, strict reading of untrusted files, streams, JSON and YAML
    "cdcml.structs",
    "cdcml.collector",  # the garbage collector kept out of capture's and evaluation's way
    "cdcml.secrets",
    "cdcml.model",
    # Worker processes (cdcml.workers.*: frames, spawning, time limits, the pool): capture
    # runs the program in one and engine each pack, so they sit below both; they import
    # only errors and each other.
    "cdcml.workers",
}

MAX_FUNCTION_LINES = 100
MAX_MODULE_LINES = 600
LONGER_ALLOWED: dict[str, int] = {}
"""Functions or modules allowed to be longer (``"module"`` or ``"module:line name"``), with
the limit they keep; the design notes would say why. Empty: every one fits."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    if module == "cdcml.__main__":  # `python -m cdcml` is the command line
        return "cli"
    if module in BASE or module.startswith(("cdcml.model.", "cdcml.workers.")):
        return "base"
    return module.split(".")[1]


def imports(module: str) -> Iterator[str]:
    """The cdcml modules *module* imports, anywhere in its source. ``from pkg import name``
    is an import of ``pkg.name`` when that is a module, else of ``pkg``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "cdcml":
                    yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "cdcml":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield sub if sub in MODULES else node.module


GRAPH = {m: {t for t in imports(m) if t != m} for m in MODULES}


def test_every_import_names_a_module_of_the_package() -> None:
    """The graph below is complete: no cdcml import points outside the modules it knows."""
    unknown = {(m, t) for m, targets in GRAPH.items() for t in targets if t not in MODULES}
    assert not unknown


def _cycles() -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_there_is_no_import_cycle_not_even_inside_functions() -> None:
    """No module reaches itself through imports, counting imports inside functions."""
    assert _cycles() == []


def test_the_cycle_check_sees_a_cycle() -> None:
    """The check is able to fail: a made-up edge back from the model to the CLI is a cycle."""
    GRAPH["cdcml.model.graph"].add("cdcml.cli")
    try:
        assert any("cdcml.model.graph" in c for c in _cycles())
    finally:
        GRAPH["cdcml.model.graph"].discard("cdcml.cli")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_only_its_own_layer_and_the_layers_below(module: str) -> None:
    """cli → runs → (capture | state | engine) → model; report depends on the model only;
    stacks do not import policies, and policies import neither stacks nor the engine."""
    own = layer(module)
    assert own in LAYERS, f"{module} is in no layer"
    allowed = LAYERS[own] | {own}
    wrong = sorted(t for t in GRAPH[module] if layer(t) not in allowed)
    assert not wrong, f"{module} ({own}) imports {wrong}"


def _lengths() -> Iterator[tuple[str, int, int]]:
    """(name, lines, limit) of every module and function of the package."""
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        yield module, text.count("\n"), MAX_MODULE_LINES
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                yield f"{module}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1, MAX_FUNCTION_LINES


def test_no_function_over_100_lines_and_no_module_over_600() -> None:
    """Long functions and modules are where a reader gets lost; the exceptions, if any,
    are listed in LONGER_ALLOWED and explained in the design notes."""
    too_long = [
        f"{name}: {lines} lines" for name, lines, limit in _lengths() if lines > LONGER_ALLOWED.get(name, limit)
    ]
    assert not too_long, "\n".join(too_long)
