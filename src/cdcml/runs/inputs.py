"""The local files and directories each command reads, from its flags and the same
defaults the runs use: what no report of the run may be written to
(:func:`cdcml.report.files.report_paths_problem` refuses them before any work).

Listed without reading anything: a path is an input whether or not it exists yet.
Remote backends (``s3://``, ``azblob://``) and standard input (``--file -``) have no
local path to protect.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cdcml.capture.project import NARROWING_FILE
from cdcml.model import RunInput
from cdcml.runs.answers import BACKEND_SCHEMES, parse_stack_reference
from cdcml.runs.packs import config_file, default_pack_dirs
from cdcml.state.backends import BOOKKEEPING
from cdcml.state.stores import FileStore, open_store

__all__ = ["analyze_inputs", "preview_inputs", "verify_inputs"]

PathLike = str | os.PathLike[str]

PASSPHRASE_FILE = "PULUMI_CONFIG_PASSPHRASE_FILE"


def _packs(pack_dirs: Sequence[PathLike], start: PathLike, config_files: Sequence[PathLike]) -> list[RunInput]:
    """The pack directories (given, or the run's default found from *start*) and their
    config files."""
    if pack_dirs:
        dirs = [RunInput("the --policy-pack directory", Path(d), tree=True) for d in pack_dirs]
    else:
        dirs = [RunInput("the policy pack directory", d, tree=True) for d in default_pack_dirs(start)]
    return dirs + [RunInput("the --policy-pack-config file", config_file(c).path) for c in config_files]


def _project_files(directory: PathLike, stack: str) -> tuple[Path, list[RunInput]]:
    """The project directory, its ``Pulumi.yaml`` (or ``Pulumi.yml``) and the stack's
    ``Pulumi.<stack>.yaml``, found as :func:`cdcml.capture.project.load_project` finds them."""
    d = Path(directory)
    if d.name in ("Pulumi.yaml", "Pulumi.yml") and d.is_file():
        d = d.parent
    project = d / "Pulumi.yaml"
    if not project.exists() and (d / "Pulumi.yml").exists():
        project = d / "Pulumi.yml"
    return d, [RunInput("the project file", project), RunInput("the stack config file", d / f"Pulumi.{stack}.yaml")]


def _answers(invokes_file: PathLike | None, stack_references: Sequence[str]) -> list[RunInput]:
    """The ``--invokes`` file and each ``--stack-reference``'s export file or ``file://`` backend."""
    inputs = [RunInput("the --invokes file", Path(invokes_file))] if invokes_file is not None else []
    for spec in stack_references:
        _, source = parse_stack_reference(spec)
        if not source.lower().startswith(BACKEND_SCHEMES):
            inputs.append(RunInput("a --stack-reference file", Path(source)))
        else:
            inputs += _backend_state(source)
    return inputs


def preview_inputs(
    directory: PathLike,
    stack: str,
    pack_dirs: Sequence[PathLike] = (),
    config_files: Sequence[PathLike] = (),
    *,
    waivers: PathLike | None = None,
    baseline: PathLike | None = None,
    invokes_file: PathLike | None = None,
    stack_references: Sequence[str] = (),
) -> tuple[RunInput, ...]:
    """What ``cdcml preview DIRECTORY --stack STACK`` reads: the project and stack files,
    the packs (default: :func:`~cdcml.runs.packs.default_pack_dirs` of the project) and their configs,
    the waivers, the baseline, ``$PULUMI_CONFIG_PASSPHRASE_FILE``, the ``--invokes`` file and the
    ``--stack-reference`` states."""
    project_dir, inputs = _project_files(directory, stack)
    inputs += _packs(pack_dirs, project_dir, config_files)
    inputs += _acceptance(waivers, baseline)
    inputs += _answers(invokes_file, stack_references)
    inputs += _passphrase_file()
    return tuple(inputs)


def _passphrase_file() -> list[RunInput]:
    """``$PULUMI_CONFIG_PASSPHRASE_FILE``, which a run reads when a secret needs it."""
    passphrase = os.environ.get(PASSPHRASE_FILE)
    return [RunInput(f"the {PASSPHRASE_FILE}", Path(passphrase))] if passphrase else []


def verify_inputs(
    directory: PathLike,
    stack: str,
    pack_dirs: Sequence[PathLike] = (),
    config_files: Sequence[PathLike] = (),
    *,
    invokes_file: PathLike | None = None,
    stack_references: Sequence[str] = (),
) -> tuple[RunInput, ...]:
    """What ``cdcml verify DIRECTORY --stack STACK`` reads: what the preview of that stack
    with the same answers reads (:func:`preview_inputs`) and the project's narrowing file."""
    project_dir, _ = _project_files(directory, stack)
    narrowing = RunInput(f"the {NARROWING_FILE} file", project_dir / NARROWING_FILE)
    read = preview_inputs(
        directory, stack, pack_dirs, config_files, invokes_file=invokes_file, stack_references=stack_references
    )
    return (*read, narrowing)


def _backend_state(url: str) -> list[RunInput]:
    """The state directory of a ``file://`` backend (every object cdcml reads is in it)."""
    if url.partition("://")[0].lower() != "file":
        return []
    store = open_store(url)
    try:
        root = store.root if isinstance(store, FileStore) else None
    finally:
        store.close()
    return [] if root is None else [RunInput("the backend's state", root / BOOKKEEPING, tree=True)]


def analyze_inputs(
    state_file: str | None,
    backend: str | None,
    pack_dirs: Sequence[PathLike] = (),
    config_files: Sequence[PathLike] = (),
    *,
    waivers: PathLike | None = None,
    baseline: PathLike | None = None,
) -> tuple[RunInput, ...]:
    """What ``cdcml policy analyze`` reads: the ``--file`` state (not standard input) or a
    ``file://`` backend's state, the packs (default: :func:`~cdcml.runs.packs.default_pack_dirs`
    of the working directory) and their configs, the waivers and the baseline, and
    ``$PULUMI_CONFIG_PASSPHRASE_FILE`` (the passphrase of encrypted state)."""
    inputs: list[RunInput] = []
    if state_file is not None and state_file != "-":
        inputs.append(RunInput("the --file input", Path(state_file)))
    if backend is not None:
        inputs += _backend_state(backend)
    inputs += _packs(pack_dirs, ".", config_files)
    inputs += _acceptance(waivers, baseline)
    return (*inputs, *_passphrase_file())


def _acceptance(waivers: PathLike | None, baseline: PathLike | None) -> list[RunInput]:
    inputs: list[RunInput] = []
    if waivers is not None:
        inputs.append(RunInput("the --waivers file", Path(waivers)))
    if baseline is not None:
        inputs.append(RunInput("the --baseline file", Path(baseline)))
    return inputs
