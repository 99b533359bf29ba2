"""``cdcml policy validate-config``: a ``--policy-pack-config`` file checked against a pack,
as ``pulumi policy validate-config`` checks one against a published pack's schemas.

The check is the run's own: the file is parsed as the CLI parses it (each entry a level
string or an object with an optional ``enforcementLevel``), then every policy's config is
built as the engine builds it for ``pulumi preview --policy-pack-config`` (schema
defaults, the pack's initial config, the file) and validated against the policy's schema.
Every problem is collected, not only the first. An entry that names no policy of the pack
is ignored by the CLI when it ends with an enforcement level (a warning here) and refused
when it doesn't (a problem: ``invalid enforcement level ""``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cdcml.engine.config import (
    config_problems,
    parse_pack_config_entries,
    read_pack_config_document,
    unknown_policy_names,
)
from cdcml.engine.pack import load_pack

__all__ = ["ConfigCheck", "Problem", "validate_config"]


@dataclass(frozen=True)
class Problem:
    """Why the config is invalid: the entry or policy it concerns, and what is wrong."""

    policy: str
    message: str


@dataclass(frozen=True)
class ConfigCheck:
    """The outcome of :func:`validate_config`."""

    pack: str
    version: str
    config: Path
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not self.problems


def validate_config(pack_dir: str | os.PathLike[str], config: str | os.PathLike[str]) -> ConfigCheck:
    """Check the config file *config* against the pack in *pack_dir*. A pack that does not
    load and a file that is not a JSON object raise (bad input, one line); the ways the
    file's content is refused are :attr:`ConfigCheck.problems`."""
    path = Path(config)
    source = f"policy pack config {path}"
    doc = read_pack_config_document(path)
    pack = load_pack(pack_dir)
    entries, refused = parse_pack_config_entries(doc, source)
    problems = [Problem(key, detail) for key, detail in refused]
    problems += [Problem(policy, message) for policy, message in config_problems(pack, entries)]
    failing = {p.policy for p in problems}
    warnings = tuple(
        f"{source}: pack {pack.name} has no policy {name!r}; the entry is ignored"
        for name in unknown_policy_names(pack, entries)
        if name not in failing
    )
    return ConfigCheck(pack.name, pack.version, path, tuple(problems), warnings)
