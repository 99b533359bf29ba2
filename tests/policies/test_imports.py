"""The guardrail library stands on its own: ``src/cdcml/policies`` imports neither the
reference stacks nor the engine, the testing kit, the reports or the CLI (issue 10 §2),
and no module or function in it grows past the size limits (issue 10 §7).

Checked on the source with :mod:`ast`, so imports inside functions and
``importlib.import_module("…")`` calls count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import cdcml.policies

ROOT = Path(cdcml.policies.__file__).parent
SOURCES = sorted(ROOT.rglob("*.py"))
ALLOWED = ("cdcml.policies", "cdcml.environments")
"""The cdcml modules a policy may use: the library itself and the stack-name → environment
convention that sits below both the stacks and the policies."""
FORBIDDEN = ("cdcml.stacks", "cdcml.engine", "cdcml.testing", "cdcml.report", "cdcml.cli")
MAX_FUNCTION_LINES = 100
MAX_MODULE_LINES = 600


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[tuple[int, str]]:
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    return imports_of(path.read_text(encoding="utf-8"), package)


def imports_of(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in *source*, wherever it is, relative ones resolved
    from *package*."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):  # one name per imported name: `from cdcml import engine` counts
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package if node.level else ""
            module = ".".join(p for p in (base, node.module) if p)
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def cdcml_imports() -> list[tuple[str, int, str]]:
    return [
        (str(path.relative_to(ROOT)), line, module)
        for path in SOURCES
        for line, module in imported(path)
        if within(module, ("cdcml",))
    ]


def test_policies_import_only_themselves_and_the_environment_convention() -> None:
    outside = [(where, line, module) for where, line, module in cdcml_imports() if not within(module, ALLOWED)]
    assert outside == []


def test_no_policy_module_reaches_into_stacks_engine_testing_reports_or_cli() -> None:
    reaching = [(where, line, module) for where, line, module in cdcml_imports() if within(module, FORBIDDEN)]
    assert reaching == []


def test_the_import_check_sees_every_kind_of_import() -> None:
    source = (
        "import cdcml.engine.pack\n"
        "from cdcml.stacks import x, y\n"
        "from cdcml import engine\n"
        "from ..vocabulary import get\n"
        "from .. import types\n"
        "from . import sibling\n"
        "def f():\n"
        "    from cdcml.testing import harness\n"
        "    importlib.import_module('cdcml.report.audit')\n"
        "    __import__('cdcml.cli')\n"
        "    print('cdcml.engine')\n"
    )
    assert list(imports_of(source, "cdcml.policies.network")) == [
        (1, "cdcml.engine.pack"),
        (2, "cdcml.stacks.x"),
        (2, "cdcml.stacks.y"),
        (3, "cdcml.engine"),
        (4, "cdcml.policies.vocabulary.get"),
        (5, "cdcml.policies.types"),
        (6, "cdcml.policies.network.sibling"),
        (8, "cdcml.testing.harness"),
        (9, "cdcml.report.audit"),
        (10, "cdcml.cli"),
    ]
    found = [m for _, m in imports_of(source, "cdcml.policies.network")]
    assert [m for m in found if within(m, FORBIDDEN)] == [
        "cdcml.engine.pack",
        "cdcml.stacks.x",
        "cdcml.stacks.y",
        "cdcml.engine",
        "cdcml.testing.harness",
        "cdcml.report.audit",
        "cdcml.cli",
    ]
    assert [m for m in found if not within(m, ALLOWED)] == [m for m in found if within(m, FORBIDDEN)]
    assert module_name(ROOT / "network" / "__init__.py") == "cdcml.policies.network"
    assert module_name(ROOT / "base.py") == "cdcml.policies.base"


def sizes() -> Iterator[tuple[str, str, int]]:
    """(where, what, lines) of every module and every function (from ``def`` to its last line)."""
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        yield where, "module", len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno is not None
                yield f"{where}:{node.lineno}", node.name, node.end_lineno - node.lineno + 1


def test_no_function_over_100_lines_and_no_module_over_600() -> None:
    too_long = [
        (where, what, lines)
        for where, what, lines in sizes()
        if lines > (MAX_MODULE_LINES if what == "module" else MAX_FUNCTION_LINES)
    ]
    assert too_long == []
