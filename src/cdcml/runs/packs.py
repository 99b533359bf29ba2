"""Loading the policy packs of a run and reconciling their configs, as the Pulumi CLI does
for ``--policy-pack`` and ``--policy-pack-config``: each pack in its own process
(:func:`start_packs`, what the commands do), or in this one (:func:`load_packs`, for
tests and callers that evaluate in process)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cdcml.engine.config import PackConfig, PolicyConfig, load_pack_config_file, reconcile, unknown_policy_names
from cdcml.engine.pack import DEFAULT_PACK, Pack, bundled_pack, load_pack
from cdcml.engine.worker import PackHandle, PendingPack, start_load
from cdcml.errors import CdcmlError, PackConfigError, PackError

__all__ = ["PackSet", "PendingPacks", "default_pack_dirs", "load_packs", "packs_of_run", "start_packs"]


def load_packs(
    pack_dirs: Sequence[str | os.PathLike[str]],
    config_files: Sequence[str | os.PathLike[str]] = (),
    *,
    project: str,
    stack: str,
    organization: str = "organization",
    dry_run: bool = True,
) -> tuple[list[Pack], list[PackConfig], list[str]]:
    """Load each pack and reconcile its config (``config_files[i]`` belongs to
    ``pack_dirs[i]``, as with the CLI's repeated flags)."""
    _check_counts(pack_dirs, config_files)
    packs: list[Pack] = []
    configs: list[PackConfig] = []
    warnings: list[str] = []
    for i, d in enumerate(pack_dirs):
        pack = load_pack(d, project=project, stack=stack, organization=organization, dry_run=dry_run)
        packs.append(pack)
        configs.append(_configure(pack, config_files, i, warnings))
    return packs, configs, warnings


def _check_counts(pack_dirs: Sequence[object], config_files: Sequence[object]) -> None:
    if len(config_files) > len(pack_dirs):
        raise PackConfigError(
            f"{len(config_files)} --policy-pack-config files for {len(pack_dirs)} --policy-pack directories"
        )


def _configure(pack: Pack, config_files: Sequence[str | os.PathLike[str]], i: int, warnings: list[str]) -> PackConfig:
    """*pack*'s reconciled config from ``config_files[i]`` (if given); a warning for each of
    the file's entries the pack has no policy for is added to *warnings*."""
    file_config: dict[str, PolicyConfig] | None = None
    if i < len(config_files):
        file_config = load_pack_config_file(config_files[i])
        warnings.extend(
            f"policy pack config {config_files[i]}: pack {pack.name} has no policy {name!r}; the entry is ignored"
            for name in unknown_policy_names(pack, file_config)
        )
    return reconcile(pack, file_config)


def default_pack_dirs(start: str | os.PathLike[str] = ".") -> list[Path]:
    """The packs of a run given no ``--policy-pack``: the ``policies/cdc-ml-guardrails`` of
    the project or repository *start* is in (searching upwards), else the guardrails that
    come with cdcml (:func:`~cdcml.engine.pack.bundled_pack`); ``[]`` when neither exists."""
    given = Path(start)
    for d in (given, *given.resolve().parents):  # the start as given, so messages show it so
        if (d / DEFAULT_PACK / "PulumiPolicy.yaml").is_file():
            return [d / DEFAULT_PACK]
    bundled = bundled_pack()
    return [bundled] if bundled is not None else []


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

    def __init__(self, started: list[PendingPack | CdcmlError], config_files: Sequence[str | os.PathLike[str]]) -> None:
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
                configs.append(_configure(handle.pack, self.config_files, i, warnings))
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
    waits for them (``config_files[i]`` belongs to ``pack_dirs[i]``)."""
    _check_counts(pack_dirs, config_files)
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
        PendingPacks(started, config_files).abandon()
        raise
    return PendingPacks(started, config_files)
