"""The preview pipeline the CLI and tests share: capture → load packs → config → evaluate."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cdcml.engine.capture import OutputMode, capture
from cdcml.engine.config import PackConfig, load_pack_config_file, reconcile, unknown_policy_names
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import DEFAULT_PACK, Pack, load_pack
from cdcml.errors import PackConfigError
from cdcml.model import Findings, ResourceGraph

__all__ = ["PreviewResult", "load_packs", "preview"]


@dataclass(frozen=True)
class PreviewResult:
    graph: ResourceGraph
    packs: tuple[Pack, ...]
    findings: Findings
    warnings: tuple[str, ...]
    configs: tuple[PackConfig, ...] = ()  # the reconciled config of each pack, as evaluated


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


def preview(
    project_dir: str | os.PathLike[str],
    stack: str,
    *,
    config: Mapping[str, str] | None = None,
    pack_dirs: Sequence[str | os.PathLike[str]] = (),
    config_files: Sequence[str | os.PathLike[str]] = (),
    mode: OutputMode | str = OutputMode.PREVIEW,
    organization: str = "organization",
    engine: str = "inprocess",
    on_captured: Callable[[ResourceGraph], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PreviewResult:
    """What ``cdcml preview`` does, without printing. Packs are loaded before the program
    runs so a missing pack fails fast. ``engine="grpc"`` runs each pack as its own process
    over the analyzer protocol, exactly as the Pulumi CLI does (the reference mode)."""
    from cdcml.engine.project import load_project

    project = load_project(project_dir)
    dirs = list(pack_dirs) or [project.directory / DEFAULT_PACK]
    out_mode = OutputMode(mode)
    packs, configs, warnings = load_packs(
        dirs,
        config_files,
        project=project.name,
        stack=stack,
        organization=organization,
        dry_run=out_mode is OutputMode.PREVIEW,
    )
    graph = capture(project.directory, stack, config=config, mode=out_mode, organization=organization)
    if on_captured is not None:
        on_captured(graph)
    if engine == "grpc":
        from cdcml.engine.grpc_pack import analyze_graph_grpc

        findings = analyze_graph_grpc(graph, packs, configs)
    elif engine == "inprocess":
        findings = evaluate(graph, packs, configs, progress=progress)
    else:
        raise ValueError(f"engine must be 'inprocess' or 'grpc', not {engine!r}")
    # Policies see secrets as plaintext and may echo them; no report may carry one.
    from cdcml.engine.audit import scrub_findings

    findings = scrub_findings(findings, graph)
    return PreviewResult(graph, tuple(packs), findings, tuple(warnings), tuple(configs))
