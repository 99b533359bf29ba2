"""The steps of the cdcml GitHub Action (action.yml at the repository root), as a script.

The composite action passes its inputs in ``CDCML_INPUT_*`` variables (never by pasting
``${{ inputs.* }}`` into a shell line) and calls::

    python ci/github/run.py install   # a virtualenv in $RUNNER_TEMP with cdcml in it
    python ci/github/run.py run       # cdcml preview | policy analyze, reports, step summary
    python ci/github/run.py finish    # exit with cdcml's exit code (after the SARIF upload)

Only the standard library is used: the script runs with setup-python's interpreter, before
cdcml is installed, and keeps working whatever cdcml version the action installs.

``run`` never fails the step for a verdict: it writes the outputs (``exit-code``,
``sarif``, ``junit``, ``markdown``, ``category``, ``verdict``) to ``$GITHUB_OUTPUT``,
appends the Markdown report to ``$GITHUB_STEP_SUMMARY`` and exits 0, so the SARIF upload
still runs; ``finish`` then exits with the code ``fail-on`` asks for. A bad input of the
action itself is exit 2 at once, with an ``::error::`` line.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

COMMANDS = {"preview": ["preview"], "analyze": ["policy", "analyze"]}
FAIL_ON = ("mandatory", "advisory", "never")
OUTPUTS = ("preview", "resolved")
PACKAGE = "cdcml-guard"


class InputError(Exception):
    """An action input that can't be used; exit 2 like cdcml's own usage errors."""


@dataclass(frozen=True)
class Inputs:
    command: str
    working_directory: str
    stack: str
    all_stacks: bool
    project: str
    policy_packs: list[str]
    policy_pack_configs: list[str]
    outputs: str
    backend: str
    file: str
    waivers: str
    baseline: str
    args: list[str]
    fail_on: str
    category: str


def _get(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(f"CDCML_INPUT_{name.upper().replace('-', '_')}", default).strip()


def _lines(value: str) -> list[str]:
    """A multi-line input: one item per non-blank line (a leading ``- `` is allowed)."""
    items = []
    for line in value.splitlines():
        item = line.strip()
        if item.startswith("- "):
            item = item[2:].strip()
        if item and not item.startswith("#"):
            items.append(item)
    return items


def _bool(name: str, value: str) -> bool:
    if value.lower() in ("true", "yes", "1"):
        return True
    if value.lower() in ("", "false", "no", "0"):
        return False
    raise InputError(f"input {name}: {value!r} is not true or false")


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """The action's inputs from the environment the composite step sets, checked."""
    command = _get(env, "command", "preview") or "preview"
    if command not in COMMANDS:
        raise InputError(f"input command: {command!r} is not one of preview, analyze")
    fail_on = _get(env, "fail-on", "mandatory") or "mandatory"
    if fail_on not in FAIL_ON:
        raise InputError(f"input fail-on: {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    outputs = _get(env, "outputs", "preview") or "preview"
    if outputs not in OUTPUTS:
        raise InputError(f"input outputs: {outputs!r} is not one of {', '.join(OUTPUTS)}")
    try:
        args = shlex.split(_get(env, "args"))
    except ValueError as e:
        raise InputError(f"input args: {e}") from None
    inputs = Inputs(
        command=command,
        working_directory=_get(env, "working-directory", ".") or ".",
        stack=_get(env, "stack"),
        all_stacks=_bool("all-stacks", _get(env, "all-stacks")),
        project=_get(env, "project"),
        policy_packs=_lines(env.get("CDCML_INPUT_POLICY_PACK", "")),
        policy_pack_configs=_lines(env.get("CDCML_INPUT_POLICY_PACK_CONFIG", "")),
        outputs=outputs,
        backend=_get(env, "backend"),
        file=_get(env, "file"),
        waivers=_get(env, "waivers"),
        baseline=_get(env, "baseline"),
        args=args,
        fail_on=fail_on,
        category=_get(env, "category"),
    )
    _check_combination(inputs)
    return inputs


def _check_combination(i: Inputs) -> None:
    if i.command == "preview":
        extra = [n for n, v in (("backend", i.backend), ("file", i.file), ("project", i.project)) if v]
        if i.all_stacks:
            extra.append("all-stacks")
        if extra:
            raise InputError(f"input {extra[0]} is for command: analyze, not preview")
        return
    if i.file and (i.backend or i.all_stacks):
        raise InputError("inputs file and backend/all-stacks exclude each other")
    if i.all_stacks and i.stack:
        raise InputError("inputs stack and all-stacks exclude each other")
    if i.outputs != "preview":
        raise InputError("input outputs is for command: preview, not analyze")


def stack_label(i: Inputs) -> str:
    """What the run covers, for the category and the report file names."""
    if i.command == "preview":
        return i.stack or "dev"
    if i.stack:
        return i.stack
    if i.all_stacks:
        return f"all/{i.project}" if i.project else "all"
    if i.file:
        name = Path(i.file).name
        return re.sub(r"\.json(\.gz|\.zst)?$", "", name) or name
    return "default"


def category(i: Inputs) -> str:
    """The code-scanning category: ``cdcml/<command>/<stack>``, one per command and stack,
    so an upload for one stack never replaces another's alerts."""
    if i.category:
        return i.category
    command = "preview" if i.command == "preview" else "policy-analyze"
    return f"cdcml/{command}/{stack_label(i)}"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "run"


def cdcml_argv(i: Inputs, reports: Mapping[str, Path]) -> list[str]:
    """The cdcml command line (after ``python -m cdcml``) for these inputs."""
    argv = list(COMMANDS[i.command])
    if i.command == "preview":
        argv += [i.working_directory, "--stack", i.stack or "dev", "--outputs", i.outputs]
    else:
        if i.file:
            argv += ["--file", i.file]
        if i.backend:
            argv += ["--backend", i.backend]
        if i.stack:
            argv += ["--stack", i.stack]
        if i.all_stacks:
            argv.append("--all")
        if i.project:
            argv += ["--project", i.project]
    if i.waivers:
        argv += ["--waivers", i.waivers]
    if i.baseline:
        argv += ["--baseline", i.baseline]
    for pack in i.policy_packs:
        argv += ["--policy-pack", pack]
    for config in i.policy_pack_configs:
        argv += ["--policy-pack-config", config]
    for flag, path in reports.items():
        argv += [f"--{flag}", str(path)]
    return argv + i.args


def install_command(env: Mapping[str, str], python: str) -> list[str]:
    """``pip install`` of cdcml into the action's virtualenv: ``install-spec`` as given, or
    ``cdcml-guard==<cdcml-version>``, or the action's own checkout; ``extras`` apply to the
    last two; ``requirements`` files (one per line) are installed along."""
    spec = _get(env, "install-spec")
    version = _get(env, "cdcml-version")
    extras = ",".join(e.strip() for e in _get(env, "extras").split(",") if e.strip())
    suffix = f"[{extras}]" if extras else ""
    if spec and version:
        raise InputError("inputs install-spec and cdcml-version exclude each other")
    if not spec:
        if version:
            spec = f"{PACKAGE}{suffix}=={version}"
        else:
            spec = f"{env.get('GITHUB_ACTION_PATH') or Path(__file__).resolve().parents[2]}{suffix}"
    # pip of the interpreter running this script installs into the virtualenv (--python),
    # which is made without pip of its own: ensurepip is most of a virtualenv's set-up time
    argv = [sys.executable, "-m", "pip", "--python", python, "install", "--disable-pip-version-check", spec]
    for requirements in _lines(env.get("CDCML_INPUT_REQUIREMENTS", "")):
        argv += ["-r", requirements]
    return argv


def final_exit_code(code: int, fail_on: str, advisory: int) -> int:
    """The action's exit code: 2 (bad input) always fails; 1 (a mandatory violation or an
    expired waiver) unless ``fail-on: never``; advisory findings with ``fail-on: advisory``."""
    if code not in (0, 1):
        return code
    if fail_on == "never":
        return 0
    if fail_on == "advisory" and code == 0 and advisory:
        return 1
    return code


def advisory_count(sarif: Path) -> int:
    """Unsuppressed advisory violations (level ``warning``) in a cdcml SARIF report."""
    try:
        doc = json.loads(sarif.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return sum(
        1
        for run in doc.get("runs", [])
        for r in run.get("results", [])
        if r.get("level") == "warning" and r.get("kind", "fail") == "fail" and not r.get("suppressions")
    )


def set_category(sarif: Path, cat: str) -> None:
    """Write the category into the SARIF's ``automationDetails.id``: upload-sarif applies its
    ``category`` input only to runs without one, and cdcml writes ``cdcml/<command>/``."""
    doc = json.loads(sarif.read_text(encoding="utf-8"))
    for run in doc.get("runs", []):
        run["automationDetails"] = {**run.get("automationDetails", {}), "id": cat.rstrip("/") + "/"}
    sarif.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)


def _set_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    lines = []
    for k, v in values.items():
        if "\n" in v or "\r" in v:  # GitHub's multi-line form, with a delimiter the value lacks
            delimiter = f"cdcml_{abs(hash(v))}"
            lines.append(f"{k}<<{delimiter}\n{v}\n{delimiter}\n")
        else:
            lines.append(f"{k}={v}\n")
    _append(env.get("GITHUB_OUTPUT"), "".join(lines))


def _workspace(env: Mapping[str, str]) -> Path:
    return Path(env.get("GITHUB_WORKSPACE") or os.getcwd())


def do_install(env: Mapping[str, str]) -> int:
    venv = Path(env.get("RUNNER_TEMP") or "/tmp") / "cdcml-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    argv = install_command(env, python)
    print("::group::" + shlex.join(argv), flush=True)
    code = subprocess.run(argv, cwd=_workspace(env)).returncode
    print("::endgroup::", flush=True)
    if code:
        print(f"::error title=cdcml::installing cdcml failed (pip exit code {code})", flush=True)
        return 2
    _set_outputs(env, {"python": python})
    return 0


def do_run(env: Mapping[str, str]) -> int:
    i = read_inputs(env)
    cat = category(i)
    out_dir = Path(env.get("RUNNER_TEMP") or "/tmp") / "cdcml"
    out_dir.mkdir(parents=True, exist_ok=True)
    base = slug(cat.removeprefix("cdcml/"))
    reports = {"sarif": out_dir / f"{base}.sarif", "junit": out_dir / f"{base}.xml", "markdown": out_dir / f"{base}.md"}
    python = env.get("CDCML_PYTHON") or sys.executable
    argv = [python, "-m", "cdcml", *cdcml_argv(i, reports)]
    # A preview runs from the workspace root, so SARIF locations are repository paths;
    # an analysis runs in working-directory, where its files and default pack are.
    cwd = _workspace(env) if i.command == "preview" else _workspace(env) / i.working_directory
    print(f"cdcml {shlex.join(argv[3:])}  (in {cwd})", flush=True)
    for path in reports.values():  # an earlier run's report must not pass for this one's
        path.unlink(missing_ok=True)
    code = subprocess.run(argv, cwd=cwd).returncode
    written = {k: p for k, p in reports.items() if p.is_file()}
    # cdcml writes every report for a verdict (0 or 1) and none for bad input; a 1 without
    # reports is Python's own exit code (cdcml not importable, a crash): an error, not a verdict
    ran = code in (0, 1) and len(written) == len(reports)
    if "sarif" in written:
        set_category(written["sarif"], cat)
    if "markdown" in written:
        _append(env.get("GITHUB_STEP_SUMMARY"), written["markdown"].read_text(encoding="utf-8") + "\n")
    elif not ran:
        _append(
            env.get("GITHUB_STEP_SUMMARY"), f"### cdcml {i.command}: error\n\n`{cat}`: exit code {code}, see the log.\n"
        )
    advisory = advisory_count(written["sarif"]) if "sarif" in written else 0
    final = final_exit_code(code, i.fail_on, advisory) if ran else max(code, 2)
    verdict = {0: "pass", 1: "fail"}.get(code, "error") if ran else "error"
    _set_outputs(
        env,
        {
            "exit-code": str(code),
            "final-exit-code": str(final),
            "verdict": verdict,
            "category": cat,
            **{k: str(written[k]) if k in written else "" for k in reports},
        },
    )
    if final:
        print(f"::error title=cdcml {i.command}::{cat}: {verdict} (cdcml exit code {code})", flush=True)
    return 0


def do_finish(env: Mapping[str, str]) -> int:
    value = env.get("CDCML_FINAL_EXIT_CODE", "").strip()
    if not value.isdigit():
        print("::error title=cdcml::the run step recorded no exit code", flush=True)
        return 2
    return int(value)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if env is None else env
    steps = {"install": do_install, "run": do_run, "finish": do_finish}
    if len(args) != 1 or args[0] not in steps:
        print(f"usage: run.py {{{'|'.join(steps)}}}", file=sys.stderr)
        return 2
    try:
        return steps[args[0]](env)
    except InputError as e:
        print(f"::error title=cdcml action::{e}", flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
