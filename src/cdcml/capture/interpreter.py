"""The Python interpreter a program runs in: the one ``pulumi preview`` would use.

Mirrors the Python language host (``sdk/python/cmd/pulumi-language-python``,
``parseOptions``) and its toolchains (``sdk/python/toolchain``): ``runtime.options`` of
``Pulumi.yaml`` may name a ``virtualenv`` (relative to the project directory), a
``toolchain`` (``pip``, ``uv``, ``poetry``) and a ``typechecker`` (``mypy``, ``pyright``).

* no ``toolchain``: ``uv`` when a ``uv.lock`` is in the program directory or above it,
  else ``poetry`` when a ``poetry.lock`` is, else ``pip`` (``ResolveToolchain``'s Auto);
* ``pip``: the named virtualenv, which must exist and hold ``bin/python``
  (``Scripts/python.exe`` on Windows); with none named, cdcml's own interpreter (where
  the CLI would take ``python3`` from ``PATH``, cdcml keeps the interpreter it runs in,
  which has the SDKs it was installed with);
* ``uv``: the named virtualenv, else ``$UV_PROJECT_ENVIRONMENT`` or ``.venv`` next to the
  nearest ``uv.lock``, else next to the nearest ``pyproject.toml``, else in the program
  directory. cdcml never runs ``uv sync`` (the CLI does): it is offline and read-only, so
  the environment is used as it is;
* ``poetry``: the environment ``poetry env info --path`` names (poetry must be on
  ``PATH``, as for the CLI).

The program runs with the virtualenv activated as the language host activates it
(``ActivateVirtualEnv``): its ``bin`` first on ``PATH``, ``VIRTUAL_ENV`` set,
``PYTHONHOME`` removed. The typechecker is validated but not run. A missing or unusable
virtualenv is a one-line :class:`~cdcml.errors.ProjectError` naming it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdcml.capture.project import Project
from cdcml.errors import ProjectError

__all__ = ["Interpreter", "is_virtualenv", "resolve_interpreter", "venv_python"]

TOOLCHAINS = ("pip", "poetry", "uv")
TYPECHECKERS = ("mypy", "pyright")


def _windows() -> bool:
    return os.name == "nt"


def venv_python(venv: Path) -> Path:
    """The interpreter of virtualenv *venv*: ``bin/python`` (``Scripts\\python.exe`` on Windows)."""
    return venv / "Scripts" / "python.exe" if _windows() else venv / "bin" / "python"


def is_virtualenv(venv: Path) -> bool:
    """The CLI's test (``IsVirtualEnv``): the interpreter exists and is not a directory."""
    p = venv_python(venv)
    return p.exists() and not p.is_dir()


@dataclass(frozen=True)
class Interpreter:
    """Where a program runs: *python*, in *virtualenv* (``None``: cdcml's own interpreter),
    chosen by *toolchain*."""

    python: str
    virtualenv: Path | None = None
    toolchain: str = "pip"

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """*base* with the virtualenv activated as the language host activates it."""
        if self.virtualenv is None:
            return dict(base)
        bin_dir = str(venv_python(self.virtualenv).parent)
        env = {k: v for k, v in base.items() if k.upper() not in ("PYTHONHOME", "VIRTUAL_ENV")}
        path_key = next((k for k in env if k.upper() == "PATH"), "PATH")
        env[path_key] = bin_dir + (os.pathsep + env[path_key] if env.get(path_key) else "")
        env["VIRTUAL_ENV"] = str(self.virtualenv)
        return env

    def describe(self) -> str:
        if self.virtualenv is None:
            return f"cdcml's own Python {self.python}"
        return f"the {self.toolchain} virtualenv {self.virtualenv}"


def _searchup(start: Path, name: str) -> Path | None:
    for d in (start, *start.parents):
        if (d / name).exists():
            return d
    return None


def _options(project: Project) -> tuple[str, str, str]:
    """(virtualenv, toolchain, typechecker) of ``runtime.options``, validated as
    ``parseOptions`` validates them; ``""`` when unset."""
    where = f"{project.directory / 'Pulumi.yaml'}: runtime.options"
    options: Any = project.runtime_options
    if not isinstance(options, Mapping):
        raise ProjectError(f"{where} must be a mapping")
    values = []
    for key, allowed in (("virtualenv", None), ("toolchain", TOOLCHAINS), ("typechecker", TYPECHECKERS)):
        value = options.get(key)
        if value is None:
            values.append("")
            continue
        if not isinstance(value, str):
            raise ProjectError(f"{where}.{key} must be a string")
        if allowed is not None and value not in allowed:
            raise ProjectError(f"{where}: unsupported {key} option {value[:40]!r} (one of {', '.join(allowed)})")
        values.append(value)
    return values[0], values[1], values[2]


def resolve_interpreter(
    project: Project,
    environ: Mapping[str, str] | None = None,
    *,
    which: Callable[[str], str | None] = shutil.which,
) -> Interpreter:
    """The interpreter ``pulumi preview`` would run *project*'s program in."""
    env = os.environ if environ is None else environ
    virtualenv, toolchain, _typechecker = _options(project)
    program_dir = project.program_directory
    if not toolchain:
        if _searchup(program_dir, "uv.lock") is not None:
            toolchain = "uv"
        elif _searchup(program_dir, "poetry.lock") is not None:
            toolchain = "poetry"
        else:
            toolchain = "pip"
    if toolchain == "pip":
        return _pip(project, virtualenv)
    if toolchain == "uv":
        return _uv(project, virtualenv, env)
    return _poetry(project, which)


def _pip(project: Project, virtualenv: str) -> Interpreter:
    if not virtualenv:
        return Interpreter(sys.executable, None, "pip")
    path = Path(virtualenv) if Path(virtualenv).is_absolute() else project.directory / virtualenv
    if not is_virtualenv(path):
        inside = venv_python(path).relative_to(path)
        why = "doesn't exist" if not path.exists() else f"doesn't appear to be a virtual environment (no {inside})"
        python = "python" if _windows() else "python3"
        raise ProjectError(
            f"the 'virtualenv' option in Pulumi.yaml is set to {virtualenv!r}, but {path} {why}; create it with "
            f"`{python} -m venv {path}` and install the program's requirements into it"
        )
    return Interpreter(str(venv_python(path)), path, "pip")


def _uv(project: Project, virtualenv: str, env: Mapping[str, str]) -> Interpreter:
    program_dir = project.program_directory
    if virtualenv:
        path = Path(virtualenv) if Path(virtualenv).is_absolute() else project.directory / virtualenv
    else:
        base = _searchup(program_dir, "uv.lock") or _searchup(program_dir, "pyproject.toml") or program_dir
        named = env.get("UV_PROJECT_ENVIRONMENT") or ".venv"
        path = Path(named) if Path(named).is_absolute() else base / named
    if not is_virtualenv(path):
        raise ProjectError(
            f"toolchain uv: {path} is not a virtualenv; run `uv sync` in {program_dir} (cdcml uses the "
            "environment as it is and never installs into it)"
        )
    return Interpreter(str(venv_python(path)), path, "uv")


def _poetry(project: Project, which: Callable[[str], str | None]) -> Interpreter:
    program_dir = project.program_directory
    poetry = which("poetry")
    if poetry is None:
        raise ProjectError(
            f"toolchain poetry: can't find the `poetry` executable on PATH (it names the virtualenv of {program_dir})"
        )
    try:
        done = subprocess.run(
            [poetry, "env", "info", "--path"], cwd=program_dir, capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ProjectError(f"toolchain poetry: `poetry env info --path` failed in {program_dir}: {e}") from None
    out = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not out:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise ProjectError(
            f"toolchain poetry: `poetry env info --path` found no virtualenv in {program_dir}: {last[:200]}"
        )
    path = Path(out.splitlines()[-1].strip())
    if not is_virtualenv(path):
        raise ProjectError(f"toolchain poetry: {path} is not a virtualenv; run `poetry install` in {program_dir}")
    return Interpreter(str(venv_python(path)), path, "poetry")
