"""The interpreter a program runs in is the one `pulumi preview` would use: Pulumi.yaml's
``runtime.options`` (``virtualenv``, ``toolchain``, ``typechecker``) read as the Python
language host reads them, the toolchain detected from lock files, and a missing virtualenv
named in one line."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from cdcml.capture import interpreter as interp
from cdcml.capture.interpreter import Interpreter, is_virtualenv, resolve_interpreter, venv_python
from cdcml.capture.project import Project, load_project
from cdcml.errors import ProjectError


def project(tmp_path: Path, options: str = "", main: str = "") -> Project:
    runtime = f"runtime:\n  name: python\n  options:\n{options}" if options else "runtime: python\n"
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text(f"name: demo\n{runtime}" + (f"main: {main}\n" if main else ""))
    program = tmp_path / main if main else tmp_path
    program.mkdir(parents=True, exist_ok=True)
    (program / "__main__.py").write_text("")
    return load_project(tmp_path)


def make_venv(path: Path) -> Path:
    """What the CLI takes for a virtualenv: ``bin/python`` exists."""
    python = venv_python(path)
    python.parent.mkdir(parents=True, exist_ok=True)
    python.write_text("#!/bin/sh\n")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return path


def test_with_no_options_the_program_runs_in_cdcmls_own_interpreter(tmp_path: Path) -> None:
    got = resolve_interpreter(project(tmp_path))
    assert got == Interpreter(sys.executable, None, "pip")
    assert got.environment({"PATH": "/bin", "PYTHONHOME": "/x"}) == {"PATH": "/bin", "PYTHONHOME": "/x"}
    assert "own Python" in got.describe()


def test_the_runtime_options_are_read_from_pulumi_yaml(tmp_path: Path) -> None:
    p = project(tmp_path, "    virtualenv: venv\n    toolchain: pip\n    typechecker: mypy\n")
    assert p.runtime_options == {"virtualenv": "venv", "toolchain": "pip", "typechecker": "mypy"}


def test_a_named_virtualenv_is_relative_to_the_project_not_the_program(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    got = resolve_interpreter(project(tmp_path, "    virtualenv: venv\n", main="src/prog"))
    assert got == Interpreter(str(venv / "bin" / "python"), venv, "pip")
    assert "pip virtualenv" in got.describe() and str(venv) in got.describe()


def test_an_absolute_virtualenv_is_used_as_it_is(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "elsewhere" / "env")
    got = resolve_interpreter(project(tmp_path / "p", f"    virtualenv: {venv}\n"))
    assert got.virtualenv == venv


def test_a_missing_virtualenv_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as e:
        resolve_interpreter(project(tmp_path, "    virtualenv: venv\n"))
    message = e.value.message
    assert message.startswith("the 'virtualenv' option in Pulumi.yaml is set to 'venv', but ")
    assert f"{tmp_path / 'venv'} doesn't exist; create it with `python3 -m venv {tmp_path / 'venv'}`" in message
    assert "\n" not in message


@pytest.mark.parametrize("layout", ["empty", "python-is-a-directory"])
def test_a_directory_without_an_interpreter_is_not_a_virtualenv(tmp_path: Path, layout: str) -> None:
    (tmp_path / "venv").mkdir()
    if layout == "python-is-a-directory":
        (tmp_path / "venv" / "bin" / "python").mkdir(parents=True)
    with pytest.raises(ProjectError, match=r"doesn't appear to be a virtual environment \(no bin/python\)"):
        resolve_interpreter(project(tmp_path, "    virtualenv: venv\n"))
    assert not is_virtualenv(tmp_path / "venv")


def test_the_windows_layout_is_scripts_python_exe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interp, "_windows", lambda: True)
    assert venv_python(tmp_path) == tmp_path / "Scripts" / "python.exe"
    venv = make_venv(tmp_path / "venv")
    got = resolve_interpreter(project(tmp_path, "    virtualenv: venv\n"))
    assert got.python == str(venv / "Scripts" / "python.exe")
    env = got.environment({"Path": "C:\\bin"})
    assert env["Path"] == f"{venv / 'Scripts'}{os.pathsep}C:\\bin"


def test_the_virtualenv_is_activated_as_the_language_host_activates_it(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    got = resolve_interpreter(project(tmp_path, "    virtualenv: venv\n"))
    env = got.environment({"PATH": "/usr/bin", "PYTHONHOME": "/x", "VIRTUAL_ENV": "/other", "HOME": "/h"})
    assert env == {"PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin", "VIRTUAL_ENV": str(venv), "HOME": "/h"}
    assert got.environment({})["PATH"] == str(venv / "bin")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("    virtualenv: [a]\n", "runtime.options.virtualenv must be a string"),
        ("    toolchain: conda\n", "unsupported toolchain option 'conda' (one of pip, poetry, uv)"),
        ("    toolchain: 3\n", "runtime.options.toolchain must be a string"),
        ("    typechecker: pyre\n", "unsupported typechecker option 'pyre' (one of mypy, pyright)"),
    ],
)
def test_bad_options_are_refused_as_the_language_host_refuses_them(tmp_path: Path, options: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_interpreter(project(tmp_path, options))


def test_options_that_are_not_a_mapping_are_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime:\n  name: python\n  options: [virtualenv]\n")
    (tmp_path / "__main__.py").write_text("")
    with pytest.raises(ProjectError, match=r"runtime\.options must be a mapping"):
        resolve_interpreter(load_project(tmp_path))


@pytest.mark.parametrize("where", ["program", "parent"])
def test_a_uv_lock_selects_uv_and_its_dot_venv(tmp_path: Path, where: str) -> None:
    p = project(tmp_path / "repo" / "infra")
    lock_dir = p.directory if where == "program" else p.directory.parent
    (lock_dir / "uv.lock").write_text("")
    venv = make_venv(lock_dir / ".venv")
    assert resolve_interpreter(p, {}) == Interpreter(str(venv / "bin" / "python"), venv, "uv")


def test_uv_without_a_lock_file_uses_the_pyproject_directory_then_the_program(tmp_path: Path) -> None:
    p = project(tmp_path / "repo" / "infra", "    toolchain: uv\n")
    with pytest.raises(ProjectError, match=r"^toolchain uv: .*infra/\.venv is not a virtualenv; run `uv sync`"):
        resolve_interpreter(p, {})
    make_venv(p.directory / ".venv")
    assert resolve_interpreter(p, {}).virtualenv == p.directory / ".venv"
    (tmp_path / "repo" / "pyproject.toml").write_text("")
    venv = make_venv(tmp_path / "repo" / ".venv")
    assert resolve_interpreter(p, {}).virtualenv == venv


def test_uv_honours_uv_project_environment_and_the_virtualenv_option(tmp_path: Path) -> None:
    p = project(tmp_path, "    toolchain: uv\n")
    relative = make_venv(tmp_path / "envs" / "a")
    assert resolve_interpreter(p, {"UV_PROJECT_ENVIRONMENT": "envs/a"}).virtualenv == relative
    absolute = make_venv(tmp_path / "abs")
    assert resolve_interpreter(p, {"UV_PROJECT_ENVIRONMENT": str(absolute)}).virtualenv == absolute
    named = make_venv(tmp_path / "named")
    p2 = project(tmp_path, "    toolchain: uv\n    virtualenv: named\n")
    assert resolve_interpreter(p2, {"UV_PROJECT_ENVIRONMENT": "envs/a"}).virtualenv == named


def test_a_poetry_lock_selects_poetry_which_must_be_on_the_path(tmp_path: Path) -> None:
    p = project(tmp_path)
    (tmp_path / "poetry.lock").write_text("")
    with pytest.raises(ProjectError, match=r"^toolchain poetry: can't find the `poetry` executable on PATH"):
        resolve_interpreter(p, {}, which=lambda _name: None)


def fake_poetry(tmp_path: Path, script: str) -> str:
    poetry = tmp_path / "bin" / "poetry"
    poetry.parent.mkdir(exist_ok=True)
    poetry.write_text(f"#!/bin/sh\n{script}\n")
    poetry.chmod(0o755)
    return str(poetry)


def test_poetry_names_the_virtualenv(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "cache" / "demo-py3.11")
    poetry = fake_poetry(tmp_path, f'[ "$*" = "env info --path" ] && echo "{venv}"')
    p = project(tmp_path / "p", "    toolchain: poetry\n")
    assert resolve_interpreter(p, {}, which=lambda _n: poetry) == Interpreter(
        str(venv / "bin" / "python"), venv, "poetry"
    )


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("echo 'no env' >&2; exit 1", "found no virtualenv in .*: no env$"),
        ("exit 0", "found no virtualenv in .*: no output$"),
        ("echo /nowhere/env", "^toolchain poetry: /nowhere/env is not a virtualenv; run `poetry install`"),
    ],
)
def test_poetry_without_a_usable_virtualenv_is_one_line(tmp_path: Path, script: str, message: str) -> None:
    poetry = fake_poetry(tmp_path, script)
    p = project(tmp_path / "p", "    toolchain: poetry\n")
    with pytest.raises(ProjectError, match=message):
        resolve_interpreter(p, {}, which=lambda _n: poetry)


def test_a_poetry_that_cannot_run_is_one_line(tmp_path: Path) -> None:
    p = project(tmp_path, "    toolchain: poetry\n")
    with pytest.raises(ProjectError, match=r"^toolchain poetry: `poetry env info --path` failed in "):
        resolve_interpreter(p, {}, which=lambda _n: str(tmp_path / "missing-poetry"))


def test_windows_is_recognised_by_os_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert venv_python(tmp_path) == (
        tmp_path / "Scripts" / "python.exe" if os.name == "nt" else tmp_path / "bin" / "python"
    )
    with monkeypatch.context() as m:
        m.setattr(interp.os, "name", "nt")
        windows = venv_python(tmp_path)
    assert windows == tmp_path / "Scripts" / "python.exe"


def test_a_stale_virtual_env_is_dropped_whatever_its_case(tmp_path: Path) -> None:
    """Windows environment names are case-insensitive: an inherited ``Virtual_Env`` would
    name the wrong environment next to the one set."""
    venv = make_venv(tmp_path / "venv")
    got = resolve_interpreter(project(tmp_path, "    virtualenv: venv\n"))
    env = got.environment({"PATH": "/usr/bin", "Virtual_Env": "/other", "pythonHome": "/x"})
    assert env == {"PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin", "VIRTUAL_ENV": str(venv)}


def test_unset_options_are_empty_strings(tmp_path: Path) -> None:
    assert interp._options(project(tmp_path)) == ("", "", "")
    assert interp._options(project(tmp_path / "t", "    toolchain: uv\n")) == ("", "uv", "")


def test_an_option_error_names_the_project_file_and_is_bounded(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as e:
        resolve_interpreter(project(tmp_path, f"    toolchain: {'u' * 100}\n"))
    assert e.value.message == (
        f"{tmp_path / 'Pulumi.yaml'}: runtime.options: "
        f"unsupported toolchain option {'u' * 40!r} (one of pip, poetry, uv)"
    )


def test_the_process_environment_is_read_when_none_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = make_venv(tmp_path / "from-env")
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", str(venv))
    assert resolve_interpreter(project(tmp_path / "p", "    toolchain: uv\n")).virtualenv == venv


def test_a_missing_virtualenv_on_windows_suggests_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interp, "_windows", lambda: True)
    with pytest.raises(ProjectError) as e:
        resolve_interpreter(project(tmp_path, "    virtualenv: venv\n"))
    assert f"create it with `python -m venv {tmp_path / 'venv'}`" in e.value.message


def test_uv_takes_an_absolute_virtualenv_option_as_it_is(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "elsewhere" / "env")
    p = project(tmp_path / "p", f"    toolchain: uv\n    virtualenv: {venv}\n")
    assert resolve_interpreter(p, {}) == Interpreter(str(venv / "bin" / "python"), venv, "uv")


def test_uv_without_an_environment_says_cdcml_will_not_install_one(tmp_path: Path) -> None:
    p = project(tmp_path, "    toolchain: uv\n")
    with pytest.raises(ProjectError) as e:
        resolve_interpreter(p, {})
    assert e.value.message == (
        f"toolchain uv: {tmp_path / '.venv'} is not a virtualenv; run `uv sync` in {tmp_path} (cdcml uses the "
        "environment as it is and never installs into it)"
    )


def test_poetry_is_looked_up_by_name_and_asked_in_the_program_directory(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "cache" / "demo-py3.11")
    p = project(tmp_path / "p", "    toolchain: poetry\n", main="prog")
    # The fake poetry names the virtualenv only when it runs where the program is.
    poetry = fake_poetry(tmp_path, f'[ "$(pwd -P)" = "{p.program_directory.resolve()}" ] && echo "{venv}"')
    got = resolve_interpreter(p, {}, which=lambda name: poetry if name == "poetry" else None)
    assert got == Interpreter(str(venv / "bin" / "python"), venv, "poetry")
    missing = fake_poetry(tmp_path, "echo nothing >&2; exit 1")
    with pytest.raises(ProjectError) as e:
        resolve_interpreter(p, {}, which=lambda name: missing if name == "poetry" else None)
    assert e.value.message == (
        f"toolchain poetry: `poetry env info --path` found no virtualenv in {p.program_directory}: nothing"
    )


def test_a_poetry_that_hangs_is_stopped_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    real_run = subprocess.run

    def quick(*args, **kwargs):  # type: ignore[no-untyped-def]
        # Poetry's run must be bounded; the test shortens the bound it is given.
        return real_run(*args, **{**kwargs, "timeout": min(kwargs["timeout"], 0.3)})

    monkeypatch.setattr(interp.subprocess, "run", quick)
    poetry = fake_poetry(tmp_path, "exec sleep 30")
    p = project(tmp_path / "p", "    toolchain: poetry\n")
    with pytest.raises(ProjectError, match=r"^toolchain poetry: `poetry env info --path` failed in .*timed out"):
        resolve_interpreter(p, {}, which=lambda _n: poetry)


def test_poetry_output_that_is_not_utf8_is_still_read(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "cache" / "env")
    poetry = fake_poetry(tmp_path, f"printf 'Avertissement: caf\\351\\n{venv}\\n'")
    p = project(tmp_path / "p", "    toolchain: poetry\n")
    assert resolve_interpreter(p, {}, which=lambda _n: poetry).virtualenv == venv
    failing = fake_poetry(tmp_path, "printf 'caf\\351 introuvable\\n' >&2; exit 1")
    with pytest.raises(ProjectError) as e:
        resolve_interpreter(p, {}, which=lambda _n: failing)
    assert e.value.message.endswith(": caf\ufffd introuvable")


def test_poetry_errors_repeat_at_most_200_characters_of_its_last_line(tmp_path: Path) -> None:
    poetry = fake_poetry(tmp_path, f"echo {'e' * 300} >&2; exit 1")
    p = project(tmp_path / "p", "    toolchain: poetry\n")
    with pytest.raises(ProjectError) as e:
        resolve_interpreter(p, {}, which=lambda _n: poetry)
    assert e.value.message.endswith(f"{p.program_directory}: {'e' * 200}")
