"""Where a stack's findings point (SARIF's physical locations): the stack's
``Pulumi.<stack>.yaml`` in the repository, the state file (at each resource's line when it
is plain JSON), or the state object in the backend; and, for a captured program, the
file and line that declared each resource."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from cdcml.errors import CdcmlError
from cdcml.inputs import decode_text, load_yaml, read_file
from cdcml.model import Artifact, ResourceGraph, SourceLocation
from cdcml.state.backends import Backend, BackendStack

__all__ = ["BACKEND_ROOT", "SRCROOT", "backend_artifact", "repo_artifact", "source_locations", "urn_lines"]

SRCROOT = "%SRCROOT%"
BACKEND_ROOT = "BACKEND"

_URN_KEY = re.compile(r'"urn"\s*:\s*"((?:[^"\\]|\\.)*)"')


def urn_lines(text: str) -> dict[str, int]:
    """The line of each resource's ``"urn"`` key in a state file (its first occurrence)."""
    lines: dict[str, int] = {}
    line, pos = 1, 0
    for m in _URN_KEY.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        try:
            urn = json.loads(f'"{m.group(1)}"')
        except ValueError:
            continue
        lines.setdefault(urn, line)
    return lines


def _file_uri(path: Path) -> str:
    return path.resolve().as_uri()


def repo_artifact(path: Path, lines: Mapping[str, int] | None = None) -> Artifact:
    """A file as SARIF wants it: relative to the working directory when inside it."""
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    try:
        rel = resolved.relative_to(cwd)
    except ValueError:
        return Artifact(_file_uri(resolved), lines=lines or {})
    return Artifact(rel.as_posix(), SRCROOT, cwd.as_uri() + "/", lines or {})


def _local_stack_file(project: str, stack: str) -> Path | None:
    """``Pulumi.<stack>.yaml`` in the working directory, when it is that project's."""
    project_file = Path("Pulumi.yaml")
    stack_file = Path(f"Pulumi.{stack}.yaml")
    if not project_file.is_file() or not stack_file.is_file():
        return None
    try:
        data = read_file(project_file, name="Pulumi.yaml", error=CdcmlError)
        doc = load_yaml(decode_text(data, name="Pulumi.yaml", error=CdcmlError), name="Pulumi.yaml", error=CdcmlError)
    except (OSError, yaml.YAMLError, CdcmlError):
        return None  # not a project this run can read: the backend's key locates the stack
    return stack_file if isinstance(doc, Mapping) and doc.get("name") == project else None


def backend_artifact(backend: Backend, stack: BackendStack, project: str, name: str) -> Artifact:
    local = _local_stack_file(project, name)
    if local is not None:
        return repo_artifact(local)
    return Artifact(stack.key, BACKEND_ROOT, backend.url.rstrip("/") + "/")


def source_locations(graph: ResourceGraph, project_dir: Path) -> dict[str, SourceLocation]:
    """Where the program in *project_dir* declared each resource of *graph* that has a
    source position, by URN: the file located as :func:`repo_artifact` locates files
    (relative to the working directory when inside it)."""
    files: dict[str, Artifact] = {}
    out: dict[str, SourceLocation] = {}
    for r in graph.resources:
        pos = r.source_position
        if pos is None:
            continue
        if pos.path not in files:
            files[pos.path] = repo_artifact(project_dir / pos.path)
        out[r.urn] = SourceLocation(files[pos.path], pos.line, pos.column)
    return out
