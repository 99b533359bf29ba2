"""What the **sensitive** law accepts, with reasons: the ``sensitive:`` section of
``cdcml-verify.yaml`` (next to ``Pulumi.yaml``), for every stack or per stack::

    sensitive:                       # every stack
      never-fires:                   # policy -> why no weakening needs to make it fire
        my-pack/cost-require-approval: "the stack has no real-time pipeline to approve"
      unnoticed:                     # weakenings no policy needs to notice, each with why
        - {type: "azure-native:storage:StorageAccount", path: "tags.*", class: removed,
           why: "no policy requires these tags"}
    stacks:
      prod:
        sensitive:                   # added to the global section for this stack
          unnoticed-fail: true       # an unnoticed weakening no rule accepts fails the law
          unnoticed: [...]

An ``unnoticed`` rule matches a weakening (:class:`~cdcml.testing.kill_matrix.Weakening`)
by

* ``type``: the resource's type token, or a glob of it (``*`` for any type);
* ``path``: the property path, dot-separated: ``*`` is one key or list index, ``**`` any
  number of them (``logs.*.enabled``, ``tags.**``), or a list of such paths;
* ``name`` (optional): a glob of the resource's name;
* ``class`` (optional): a mutation class (:data:`~cdcml.testing.kill_matrix.CLASSES`) or a
  list of them;
* ``to`` (optional): the value the weakening sets, or a list of such values (YAML
  scalars: ``to: 366``, ``to: TLS1_3``);

and needs a non-empty ``why``. A weakening is accepted by the first rule that matches it.
The per-stack section adds its ``never-fires`` and ``unnoticed`` entries to the global
ones and its ``unnoticed-fail`` (default ``false``) overrides the global one. A bad entry
is one :class:`~cdcml.errors.ConfigError` naming the file and the entry.

The law (:func:`cdcml.testing.verify`) fails on every never-firing policy that is not
accepted and on every policy crash; it lists the unnoticed weakenings, and counts those
no rule accepts ("unexplained") as failures only under ``unnoticed-fail: true``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

from cdcml.capture.project import NARROWING_FILE, Project
from cdcml.errors import ConfigError
from cdcml.inputs import read_yaml_file

if TYPE_CHECKING:
    from cdcml.testing.kill_matrix import Weakening

CLASSES = (
    "flipped",
    "boundary",
    "weaker-value",
    "enum-member",
    "config-value",
    "open-network",
    "emptied",
    "added",
    "removed",
)
"""The kill matrix's mutation classes (:data:`cdcml.testing.kill_matrix.CLASSES` is this
tuple; kept here so the two modules don't import each other)."""

__all__ = ["Acceptance", "UnnoticedRule", "acceptance", "parse_acceptance"]

_SECTION_KEYS = ("never-fires", "unnoticed", "unnoticed-fail")
_RULE_KEYS = ("type", "path", "name", "class", "to", "why")


@dataclass(frozen=True)
class UnnoticedRule:
    """One accepted group of unnoticed weakenings (see the module's docstring)."""

    type: str
    path: str
    """One pattern, or several joined by ``|``."""
    why: str
    name: str = "*"
    classes: tuple[str, ...] = ()
    to: tuple[Any, ...] | None = None
    """The values the weakening may set; ``None``: any."""

    def describe(self) -> str:
        """The rule as the document and the law's notes show it."""
        parts = [self.type, self.path]
        if self.name != "*":
            parts.append(f"name {self.name}")
        if self.classes:
            parts.append("/".join(self.classes))
        if self.to is not None:
            parts.append("→ " + ", ".join(repr(v) for v in self.to))
        return " ".join(parts)

    def matches(self, w: Weakening) -> bool:
        if not fnmatch.fnmatchcase(w.type, self.type):
            return False
        if not fnmatch.fnmatchcase(w.urn.rsplit("::", 1)[-1], self.name):
            return False
        if self.classes and w.kind not in self.classes:
            return False
        if self.to is not None and (w.kind == "removed" or not any(_same(w.value, v) for v in self.to)):
            return False
        path = tuple(str(k) for k in w.path)
        return any(_path_matches(tuple(p.split(".")), path) for p in self.path.split("|"))


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted
    if isinstance(value, (int, float)) and isinstance(wanted, (int, float)):
        return float(value) == float(wanted)
    return bool(value == wanted)


def _path_matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_path_matches(rest, path[i:]) for i in range(len(path) + 1))
    return bool(path) and fnmatch.fnmatchcase(path[0], head) and _path_matches(rest, path[1:])


@dataclass(frozen=True)
class Acceptance:
    """The ``sensitive:`` section for one stack (empty when the file has none)."""

    never_fires: Mapping[str, str] = field(default_factory=dict)
    """Policy (``pack/policy``) → why it may never fire on the stack."""
    unnoticed: tuple[UnnoticedRule, ...] = ()
    unnoticed_fail: bool = False
    source: str = ""
    """The file it was read from (empty: none)."""

    def rule_for(self, w: Weakening) -> UnnoticedRule | None:
        """The first rule accepting *w*, if any."""
        return next((r for r in self.unnoticed if r.matches(w)), None)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: 'why' must be a non-empty string")
    return value.strip()


def _rule(entry: Any, where: str) -> UnnoticedRule:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping with type, path and why")
    unknown = sorted(set(map(str, entry)) - set(_RULE_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_RULE_KEYS)})")
    if not isinstance(entry.get("type"), str) or not entry["type"].strip():
        raise ConfigError(f"{where}: 'type' must be a non-empty string")
    paths = entry.get("path")
    paths = [paths] if isinstance(paths, str) else paths
    if not isinstance(paths, list) or not paths or any(not isinstance(p, str) or not p.strip() for p in paths):
        raise ConfigError(f"{where}: 'path' must be a non-empty string or a list of them")
    name = entry.get("name", "*")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: 'name' must be a non-empty string")
    classes = entry.get("class", ())
    classes = (classes,) if isinstance(classes, str) else classes
    if not isinstance(classes, (list, tuple)) or any(c not in CLASSES for c in classes):
        raise ConfigError(f"{where}: 'class' must be one of {', '.join(CLASSES)} (or a list of them)")
    to = entry.get("to")
    if "to" in entry:
        to = tuple(to) if isinstance(to, list) else (to,)
        if not to or any(isinstance(v, (Mapping, list)) for v in to):
            raise ConfigError(f"{where}: 'to' must be a scalar or a non-empty list of scalars")
    return UnnoticedRule(
        type=entry["type"].strip(),
        path="|".join(p.strip() for p in paths),
        why=_text(entry.get("why"), where),
        name=name,
        classes=tuple(classes),
        to=to,
    )


def _section(section: Any, where: str) -> tuple[dict[str, str], list[UnnoticedRule], bool | None]:
    if section is None:
        return {}, [], None
    if not isinstance(section, Mapping):
        raise ConfigError(f"{where}: expected a mapping ({', '.join(_SECTION_KEYS)})")
    unknown = sorted(set(map(str, section)) - set(_SECTION_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_SECTION_KEYS)})")
    never = section.get("never-fires") or {}
    if not isinstance(never, Mapping):
        raise ConfigError(f"{where}.never-fires: expected a mapping of pack/policy to why")
    accepted = {}
    for policy, why in never.items():
        if not isinstance(policy, str) or "/" not in policy:
            raise ConfigError(f"{where}.never-fires: {policy!r} is not a pack/policy name")
        accepted[policy] = _text(why, f"{where}.never-fires.{policy}")
    rules = section.get("unnoticed") or []
    if not isinstance(rules, list):
        raise ConfigError(f"{where}.unnoticed: expected a list of rules")
    parsed = [_rule(entry, f"{where}.unnoticed[{i}]") for i, entry in enumerate(rules)]
    fail = section.get("unnoticed-fail")
    if fail is not None and not isinstance(fail, bool):
        raise ConfigError(f"{where}.unnoticed-fail: expected true or false")
    return accepted, parsed, fail


def parse_acceptance(doc: Any, stack: str, source: str = NARROWING_FILE) -> Acceptance:
    """The ``sensitive:`` sections of a parsed narrowing file *doc* for *stack*."""
    if not isinstance(doc, Mapping):
        return Acceptance(source=source)
    never, rules, fail = _section(doc.get("sensitive"), f"{source}: sensitive")
    per_stack = (doc.get("stacks") or {}).get(stack) if isinstance(doc.get("stacks"), Mapping) else None
    if isinstance(per_stack, Mapping):
        more_never, more_rules, stack_fail = _section(per_stack.get("sensitive"), f"{source}: stacks.{stack}.sensitive")
        never.update(more_never)
        rules += more_rules
        fail = stack_fail if stack_fail is not None else fail
    return Acceptance(never_fires=never, unnoticed=tuple(rules), unnoticed_fail=bool(fail), source=source)


def acceptance(project: Project, stack: str) -> Acceptance:
    """*project*'s acceptance for *stack* (none when it has no narrowing file)."""
    path: FilePath = project.directory / NARROWING_FILE
    if not path.exists():
        return Acceptance()
    return parse_acceptance(read_yaml_file(path, ConfigError), stack, str(path))


def unused(accepted: Acceptance, never_fire: Sequence[str], rules_used: Sequence[object]) -> list[str]:
    """Entries that accepted nothing on this run (stale reasons to review)."""
    stale = [f"never-fires {p}" for p in accepted.never_fires if p not in never_fire]
    stale += [f"unnoticed {r.describe()}" for r in accepted.unnoticed if r not in rules_used]
    return stale
