"""Helpers for the capture tests: a throwaway Pulumi project, and raw monitor requests
built with the SDK's own protobuf classes."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from cdcml.structs import to_struct

PROJECT_YAML = "name: prog\nruntime: python\n"


def write_program(tmp_path: Path, body: str, stack_config: str = "config: {}\n") -> Path:
    """A project ``prog`` with a ``dev`` stack whose program is *body*."""
    (tmp_path / "Pulumi.yaml").write_text(PROJECT_YAML)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_config)
    (tmp_path / "__main__.py").write_text(textwrap.dedent(body))
    return tmp_path


def register_request(type_: str, name: str, *, inputs: dict[str, Any] | None = None, **fields: Any) -> Any:
    """A ``RegisterResourceRequest`` as the SDK sends it (custom unless ``custom=False``)."""
    from pulumi.runtime.proto import resource_pb2

    fields.setdefault("custom", True)
    request = resource_pb2.RegisterResourceRequest(type=type_, name=name, **fields)
    if inputs is not None:
        request.object.CopyFrom(to_struct(inputs))
    return request
