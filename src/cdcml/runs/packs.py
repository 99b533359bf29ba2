"""Loading the policy packs of a run and reconciling their configs, as the Pulumi CLI does
for ``--policy-pack`` and ``--policy-pack-config``: each pack in its own process
(:func:`start_packs`, what the commands do), or in this one (:func:`load_packs`, for
tests and callers that evaluate in process)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cdcml.engine.config import PackConfig, load_pack_config_file, reconcile, unknown_policy_names
from cdcml.engine.pack import DEFAULT_PACK, Pack, bundled_pack, load_pack
from cdcml.engine.worker import PackHandle, PendingPack, start_load
from cdcml.errors import CdcmlError, PackConfigError, PackError

__all__ = [
    "ConfigFile",
    "PackSet",
    "PendingPacks",
    "config_file",
    "default_pack_dirs",
    "default_pack_notes",
    "load_packs",
    "packs_of_run",
    "start_packs",
]

_PACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
"""A policy pack name, as the Pulumi CLI allows it."""


@dataclass(frozen=True)
class ConfigFile:
    """One ``--policy-pack-config``: ``FILE`` (for the pack at the same position) or
    ``NAME=FILE`` (for the pack named NAME, wherever it is)."""

    path: Path
    pack: str | None = None

    def __str__(self) -> str:
        return str(self.path) if self.pack is None else f"{self.pack}={self.path}"


def config_file(value: str | os.PathLike[str]) -> ConfigFile:
    """A ``--policy-pack-config`` value: ``NAME=FILE`` when the text before the first ``=``
    is a pack name and the whole value is not an existing file, else a file path."""
    text = os.fspath(value)
    name, sep, rest = text.partition("=")
    if sep and rest and _PACK_NAME.fullmatch(name) and not os.path.exists(text):
        return ConfigFile(Path(rest), name)
    return ConfigFile(Path(text))


class _Configs:
    """The ``--policy-pack-config`` values of a run, matched with its packs: by name, else
    by position among the unnamed ones (the Pulumi CLI's rule)."""

    def __init__(self, values: Sequence[str | os.PathLike[str]], pack_count: int) -> None:
        files = [config_file(v) for v in values]
        self.positional = [f for f in files if f.pack is None]
        self.named: dict[str, ConfigFile] = {}
        for f in files:
            if f.pack is not None and self.named.setdefault(f.pack, f) is not f:
                raise PackConfigError(f"--policy-pack-config {f}: pack {f.pack} already has {self.named[f.pack]}")
        if len(self.positional) > pack_count:
            raise PackConfigError(
                f"{len(self.positional)} --policy-pack-config files for {pack_count} --policy-pack directories"
            )

    def of(self, pack: Pack, i: int) -> ConfigFile | None:
        named = self.named.get(pack.name)
        if named is not None and i < len(self.positional):
            raise PackConfigError(
                f"--policy-pack-config {named}: pack {pack.name} is also configured by position ({self.positional[i]})"
            )
        return named or (self.positional[i] if i < len(self.positional) else None)

    def check_names(self, packs: Sequence[Pack]) -> None:
        names = [p.name for p in packs]
        for f in self.named.values():
            if f.pack not in names:
                raise PackConfigError(
                    f"--policy-pack-config {f}: no policy pack named {f.pack} in this run (packs: {', '.join(names)})"
                )


def load_packs(
    pack_dirs: Sequence[str | os.PathLike[str]],
    config_files: Sequence[str | os.PathLike[str]] = (),
    *,
    project: str,
    stack: str,
    organization: str = "organization",
    dry_run: bool = True,
) -> tuple[list[Pack], list[PackConfig], list[str]]:
    """Load each pack and reconcile its config: ``config_files`` are ``FILE`` (for the pack
    at the same position, as with the CLI's repeated flags) or ``NAME=FILE`` (see
    :func:`config_file`)."""
    files = _Configs(config_files, len(pack_dirs))
    packs: list[Pack] = []
    configs: list[PackConfig] = []
    warnings: list[str] = []
    for i, d in enumerate(pack_dirs):
        pack = load_pack(d, project=project, stack=stack, organization=organization, dry_run=dry_run)
        packs.append(pack)
        configs.append(_configure(pack, files.of(pack, i), warnings))
    files.check_names(packs)
    return packs, configs, warnings


def _configure(pack: Pack, file: ConfigFile | None, warnings: list[str]) -> PackConfig:
    """*pack*'s reconciled config from its config *file* (if given); a warning for each of
    the file's entries the pack has no policy for (and that the CLI accepts, ignored) is
    added to *warnings*."""
    if file is None:
        return reconcile(pack)
    source = f"policy pack config {file.path}"
    file_config = load_pack_config_file(file.path)
    config = reconcile(pack, file_config, source=source)  # refuses an unknown name left without a level
    warnings.extend(
        f"{source}: pack {pack.name} has no policy {name!r}; the entry is ignored"
        for name in unknown_policy_names(pack, file_config)
    )
    return config


def default_pack_dirs(start: str | os.PathLike[str] = ".") -> list[Path]:
    """The packs of a run given no ``--policy-pack``: the ``policies/cdc-ml-guardrails`` of
    the project or repository *start* is in (searching upwards), else the guardrails that
    come with cdcml (:func:`~cdcml.engine.pack.bundled_pack`); ``[]`` when neither exists."""
    own = _project_pack(start)
    if own is not None:
        return [own]
    bundled = bundled_pack()
    return [bundled] if bundled is not None else []


def _project_pack(start: str | os.PathLike[str]) -> Path | None:
    """The ``policies/cdc-ml-guardrails`` of *start* or the nearest directory above it."""
    given = Path(start)
    for d in (given, *given.resolve().parents):  # the start as given, so messages show it so
        if (d / DEFAULT_PACK / "PulumiPolicy.yaml").is_file():
            return d / DEFAULT_PACK
    return None


def packs_of_run(pack_dirs: Sequence[str | os.PathLike[str]], start: str | os.PathLike[str] = ".") -> list[Path]:
    """The ``--policy-pack`` directories given, or :func:`default_pack_dirs` of *start*;
    :class:`~cdcml.errors.PackError` (one line) when there is neither."""
    dirs = [Path(d) for d in pack_dirs] or default_pack_dirs(start)
    if not dirs:
        raise PackError(
            f"no policy pack: pass --policy-pack DIR (there is no {DEFAULT_PACK} in {start} or above it, "
            "and cdcml's own guardrails are not installed)"
        )
    return dirs


def default_pack_notes(
    pack_dirs: Sequence[str | os.PathLike[str]], dirs: Sequence[Path], start: str | os.PathLike[str] = "."
) -> list[str]:
    """What a run tells its user about the packs :func:`packs_of_run` chose: when none was
    given and the project has none, that the verdict is the bundled CDC→ML guardrails'."""
    if pack_dirs or not dirs or _project_pack(start) is not None:
        return []
    return [
        f"no --policy-pack and no {DEFAULT_PACK} in {start} or above it: checked against the CDC→ML "
        "guardrails that come with cdcml (pass --policy-pack DIR to run your own pack)"
    ]


class PackSet:
    """The packs of a run, each loaded in its own process: their metadata (``packs``),
    reconciled configs, the warnings about their config files, and the handles to run them."""

    def __init__(self, handles: list[PackHandle], configs: list[PackConfig], warnings: list[str]) -> None:
        self.handles = handles
        self.packs = [h.pack for h in handles]
        self.configs = configs
        self.warnings = warnings

    def release(self) -> None:
        """Hand the workers back (for a later run of this process) or close them."""
        for h in self.handles:
            h.release()


class PendingPacks:
    """Packs loading in their own processes (started by :func:`start_packs`)."""

    def __init__(self, started: list[PendingPack | CdcmlError], config_files: _Configs) -> None:
        self.started = started
        self.config_files = config_files

    def result(self) -> PackSet:
        """Wait for every pack; the first problem in pack order (a pack that failed to
        load, a config file, a config that fails its schema) is raised, as
        :func:`load_packs` raises it."""
        handles: list[PackHandle] = []
        configs: list[PackConfig] = []
        warnings: list[str] = []
        try:
            for i, pending in enumerate(self.started):
                if isinstance(pending, CdcmlError):
                    raise pending
                handle = pending.result()
                handles.append(handle)
                configs.append(_configure(handle.pack, self.config_files.of(handle.pack, i), warnings))
            self.config_files.check_names([h.pack for h in handles])
        except BaseException:
            for h in handles:
                h.release()
            self.abandon()
            raise
        return PackSet(handles, configs, warnings)

    def abandon(self) -> None:
        for pending in self.started:
            if not isinstance(pending, CdcmlError):
                pending.abandon()


def start_packs(
    pack_dirs: Sequence[str | os.PathLike[str]],
    config_files: Sequence[str | os.PathLike[str]] = (),
    *,
    project: str,
    stack: str,
    organization: str = "organization",
    dry_run: bool = True,
    timeout: float,
) -> PendingPacks:
    """Start loading each pack in its own process, all at once; :meth:`PendingPacks.result`
    waits for them (``config_files`` as for :func:`load_packs`)."""
    files = _Configs(config_files, len(pack_dirs))
    started: list[PendingPack | CdcmlError] = []
    try:
        for d in pack_dirs:
            try:
                started.append(
                    start_load(
                        d, project=project, stack=stack, organization=organization, dry_run=dry_run, timeout=timeout
                    )
                )
            except CdcmlError as e:  # raised in pack order by result(), as load_packs does
                started.append(e)
    except BaseException:
        PendingPacks(started, files).abandon()
        raise
    return PendingPacks(started, files)
