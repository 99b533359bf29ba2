"""Build hook: the guardrails pack travels in the wheel as ``cdcml/guardrails``, so a project
without a pack of its own gets it by default (``cdcml.engine.pack.bundled_pack``); the
repository keeps one copy, ``policies/cdc-ml-guardrails``.

Only regular wheels get the copy. An editable install reads the checkout's pack directly,
and copying the files into it would put a ``cdcml/`` directory of non-package files in
site-packages, from which pytest's editable-install heuristic derives a plugin module named
``__main__`` and fails every run ("Module already imported so cannot be rewritten")."""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACK = "policies/cdc-ml-guardrails"
FILES = {
    f"{PACK}/PulumiPolicy.yaml": "cdcml/guardrails/PulumiPolicy.yaml",
    f"{PACK}/__main__.py": "cdcml/guardrails/__main__.py",
    f"{PACK}/config": "cdcml/guardrails/config",
}


class GuardrailsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"].update(FILES)
