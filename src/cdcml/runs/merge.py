"""``cdcml report merge``: the shards of a sharded run (``policy analyze --all --shard K/N
--json``) joined into the verdict one run over all the stacks would give.

Each shard's JSON report is read (bounded, strict: :mod:`cdcml.inputs`), checked against
the report schema, and read back into a :class:`~cdcml.model.Verdict` by the model's codec
(:func:`cdcml.model.codec.verdict_from_report`). The shards must be of one run — the same
cdcml version (this one), backend, packs and policies, waivers, listing of stacks and
number of shards — complete (every K of 1…N) and disjoint (no shard twice, no stack in
two); each problem is one line naming the files, the shards or the stack. The merged
verdict has the stacks in the backend's order and no shard: every report renders from it
exactly as from the single run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdcml import __version__
from cdcml.errors import CdcmlError
from cdcml.inputs import decode_text, load_json, read_file
from cdcml.model import StackReport, Verdict
from cdcml.model.codec import CodecError, verdict_from_report

__all__ = ["MergeError", "ShardReport", "load_shard", "merge_shards"]

SchemaCheck = Callable[[Any], str | None]
"""The problem of a JSON report with the report schema (``None``: it is valid)."""


class MergeError(CdcmlError):
    """Shard reports that can't be merged: unreadable, not shards, of different runs,
    incomplete or overlapping."""


@dataclass(frozen=True)
class ShardReport:
    """One shard's report: its file, the cdcml that wrote it, its verdict."""

    path: Path
    tool_version: str
    verdict: Verdict

    @property
    def label(self) -> str:
        shard = self.verdict.shard
        assert shard is not None
        return f"{shard.index}/{shard.count}"


def load_shard(path: str | os.PathLike[str], schema_problem: SchemaCheck) -> ShardReport:
    """Read the JSON report at *path* and check it is one shard's report."""
    p = Path(path)
    where = f"shard report {p}"
    try:
        text = decode_text(read_file(p, name=where, error=MergeError), name=where, error=MergeError)
        doc = load_json(text, name=where, error=MergeError)
    except FileNotFoundError:
        raise MergeError(f"{where} does not exist") from None
    except IsADirectoryError:
        raise MergeError(f"{where} is a directory") from None
    except OSError as e:
        raise MergeError(f"can't read {where}: {e.strerror or e}") from None
    except json.JSONDecodeError as e:
        raise MergeError(f"{where}: not valid JSON (line {e.lineno}: {e.msg})") from None
    problem = schema_problem(doc)
    if problem is not None:
        raise MergeError(f"{where}: not a cdcml JSON report: {problem}")
    if "shard" not in doc:
        raise MergeError(
            f"{where}: not the report of a shard (write one with policy analyze --backend URL --all --shard K/N --json)"
        )
    try:
        verdict = verdict_from_report(doc, "report")
    except CodecError as e:
        raise MergeError(f"{where}: {e}") from None
    return ShardReport(p, str(doc["tool"]["version"]), verdict)


def _run_key(s: ShardReport) -> dict[str, Any]:
    """What every shard of one run has in common, by what an error calls it."""
    v = s.verdict
    assert v.shard is not None
    return {
        "cdcml versions": s.tool_version,
        "commands": v.command,
        "backends": v.source,
        "packs": [f"{p.name}@{p.version}" for p in v.packs],
        "policies (or their enforcement levels)": v.policies,
        "waivers": [(w.index, w.to_json()) for w in v.waivers],
        "expired waivers (they ran on different days)": [w.index for w in v.expired_waivers],
        "numbers of shards": v.shard.count,
        "stack listings (the backend changed between them)": (v.shard.total, v.shard.listing),
    }


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _check_one_run(shards: Sequence[ShardReport]) -> None:
    first, key = shards[0], _run_key(shards[0])
    for other in shards[1:]:
        for what, value in _run_key(other).items():
            if value != key[what]:
                raise MergeError(
                    f"{first.path} and {other.path} are not shards of one run: their {what} differ "
                    f"({_shown(key[what])} and {_shown(value)})"
                )


def _check_complete(shards: Sequence[ShardReport]) -> None:
    seen: dict[int, ShardReport] = {}
    for s in shards:
        assert s.verdict.shard is not None
        index = s.verdict.shard.index
        if index in seen:
            raise MergeError(f"shard {s.label} is given twice: {seen[index].path} and {s.path}")
        seen[index] = s
    count = shards[0].verdict.shard.count if shards[0].verdict.shard else 0
    missing = [f"{k}/{count}" for k in range(1, count + 1) if k not in seen]
    if missing:
        given = ", ".join(f"{k}/{count}" for k in sorted(seen))
        verb = "shards {} are" if len(missing) > 1 else "shard {} is"
        raise MergeError(f"{verb.format(', '.join(missing))} missing (given: {given or 'none'})")
    owner: dict[int, ShardReport] = {}
    for s in shards:
        assert s.verdict.shard is not None
        for position, report in zip(s.verdict.shard.positions, s.verdict.stacks, strict=True):
            if position in owner or position >= s.verdict.shard.total:
                also = f"both {owner[position].path} and {s.path}" if position in owner else f"{s.path}, out of range"
                raise MergeError(f"stack {report.name} is in {also}")
            owner[position] = s


def merge_shards(shards: Sequence[ShardReport]) -> Verdict:
    """The verdict of the whole run the *shards* are parts of (see the module's description)."""
    if not shards:
        raise MergeError("no shard reports to merge")
    _check_one_run(shards)
    if shards[0].tool_version != __version__:
        raise MergeError(
            f"{shards[0].path} was written by cdcml {shards[0].tool_version}; this is cdcml {__version__} "
            "(merge with the version that audited, so the reports are that run's)"
        )
    _check_complete(shards)
    placed: list[tuple[int, StackReport]] = []
    warnings: dict[str, None] = {}
    for s in shards:
        assert s.verdict.shard is not None
        placed += zip(s.verdict.shard.positions, s.verdict.stacks, strict=True)
        warnings.update(dict.fromkeys(s.verdict.warnings))
    placed.sort(key=lambda item: item[0])
    first = shards[0].verdict
    if not placed:
        raise MergeError(f"{first.source}: no stacks to analyze in any of the {len(shards)} shards")
    return Verdict(
        command=first.command,
        source=first.source,
        stacks=tuple(report for _, report in placed),
        packs=first.packs,
        policies=first.policies,
        multi=True,
        waivers=first.waivers,
        expired_waivers=first.expired_waivers,
        warnings=tuple(warnings),
        today=first.today,
        shard=None,
    )
