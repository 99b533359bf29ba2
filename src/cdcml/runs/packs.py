"""Loading the policy packs of a run and reconciling their configs, as the Pulumi CLI does
for ``--policy-pack`` and ``--policy-pack-config``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cdcml.engine.config import PackConfig, load_pack_config_file, reconcile, unknown_policy_names
from cdcml.engine.pack import DEFAULT_PACK, Pack, load_pack
from cdcml.errors import PackConfigError

__all__ = ["default_pack_dirs", "load_packs"]


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
    if len(config_files) > len(pack_dirs):
        raise PackConfigError(
            f"{len(config_files)} --policy-pack-config files for {len(pack_dirs)} --policy-pack directories"
        )
    packs: list[Pack] = []
    configs: list[PackConfig] = []
    warnings: list[str] = []
    for i, d in enumerate(pack_dirs):
        pack = load_pack(d, project=project, stack=stack, organization=organization, dry_run=dry_run)
        file_config = load_pack_config_file(config_files[i]) if i < len(config_files) else None
        if file_config:
            for name in unknown_policy_names(pack, file_config):
                warnings.append(
                    f"policy pack config {config_files[i]}: pack {pack.name} has no policy {name!r}; "
                    "the entry is ignored"
                )
        packs.append(pack)
        configs.append(reconcile(pack, file_config))
    return packs, configs, warnings


def default_pack_dirs(start: str | os.PathLike[str] = ".") -> list[Path]:
    """``policies/cdc-ml-guardrails`` of the repository *start* is in (searching upwards),
    or ``[]`` outside one."""
    here = Path(start).resolve()
    for d in (here, *here.parents):
        if (d / DEFAULT_PACK / "PulumiPolicy.yaml").is_file():
            return [d / DEFAULT_PACK]
    return []
