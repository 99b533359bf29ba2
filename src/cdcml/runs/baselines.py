"""Baselines: the findings a previous report already had.

A **baseline** is a previous ``--json`` report (one stack or a ``stacks`` document): a
finding is *baselined* when the baseline has the same finding — same stack, pack, policy,
policy type, resource and kind; among several such findings, ones with the same message
are matched first. Only findings that are not baselined are reported.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdcml.inputs import decode_text, load_json, read_file, shorten
from cdcml.model import Finding, Findings
from cdcml.runs.waivers import WaiverError

__all__ = ["Baseline", "load_baseline"]

_Key = tuple[str, str, str, str, str]


def _key(pack: str, policy: str, policy_type: str, urn: str, kind: str) -> _Key:
    return (pack, policy, policy_type, urn, kind)


@dataclass(frozen=True)
class Baseline:
    """The findings of a previous JSON report, per ``(project, stack)``."""

    source: str
    stacks: Mapping[tuple[str, str], Sequence[tuple[_Key, str]]]

    def split(self, findings: Findings) -> tuple[Findings, int]:
        """*findings* without those the baseline already had, and how many were removed."""
        previous = self.stacks.get((findings.project, findings.stack), ())
        if not previous:
            return findings, 0
        exact = Counter(previous)
        by_key = Counter(k for k, _ in previous)
        keep: list[Finding] = []
        pending: list[Finding] = []
        removed = 0
        for f in findings.findings:
            k = _key(f.pack, f.policy, f.policy_type, f.urn, str(f.kind))
            if exact[(k, f.message)] > 0:
                exact[(k, f.message)] -= 1
                by_key[k] -= 1
                removed += 1
            else:
                pending.append(f)
        for f in pending:
            k = _key(f.pack, f.policy, f.policy_type, f.urn, str(f.kind))
            if by_key[k] > 0:
                by_key[k] -= 1
                removed += 1
            else:
                keep.append(f)
        return dataclasses.replace(findings, findings=tuple(keep)), removed


def _stack_findings(doc: Mapping[str, Any], where: str) -> tuple[tuple[str, str], list[tuple[_Key, str]]]:
    project, stack, items = doc.get("project"), doc.get("stack"), doc.get("findings")
    if not isinstance(project, str) or not isinstance(stack, str) or not isinstance(items, list):
        raise WaiverError(f"{where}: not a cdcml JSON report (a stack report needs project, stack and findings)")
    out = []
    for f in items:
        if not isinstance(f, Mapping) or not all(
            isinstance(f.get(k), str) for k in ("pack", "policy", "policyType", "urn", "kind", "message")
        ):
            at = f"{shorten(project, 60)}/{shorten(stack, 60)}"
            raise WaiverError(f"{where}: not a cdcml JSON report (malformed finding in {at})")
        out.append(
            (_key(f["pack"], f["policy"], f["policyType"], f["urn"], f["kind"]), f["message"]),
        )
    return (project, stack), out


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """A previous ``cdcml preview --json`` or ``cdcml policy analyze --json`` report."""
    p = Path(path)
    where = f"baseline {p}"
    try:
        text = decode_text(read_file(p, name=where, error=WaiverError), name=where, error=WaiverError)
        doc = load_json(text, name=where, error=WaiverError)
    except FileNotFoundError:
        raise WaiverError(f"baseline {p} does not exist") from None
    except OSError as e:
        raise WaiverError(f"can't read baseline {p}: {e.strerror or e}") from None
    except json.JSONDecodeError as e:
        raise WaiverError(f"baseline {p}: not valid JSON (line {e.lineno}: {e.msg})") from None
    if not isinstance(doc, Mapping):
        raise WaiverError(f"{where}: not a cdcml JSON report")
    tool = doc.get("tool")
    if not isinstance(tool, Mapping) or tool.get("name") != "cdcml":
        shape = "" if tool is None else " ('tool' must be an object with name \"cdcml\")"
        raise WaiverError(f"{where}: not a cdcml JSON report{shape}")
    stacks: dict[tuple[str, str], list[tuple[_Key, str]]] = {}
    reports = doc.get("stacks") if "stacks" in doc else [doc]
    if not isinstance(reports, list):
        raise WaiverError(f"{where}: not a cdcml JSON report ('stacks' must be a list)")
    for report in reports:
        if not isinstance(report, Mapping):
            raise WaiverError(f"{where}: not a cdcml JSON report")
        name, items = _stack_findings(report, where)
        stacks.setdefault(name, []).extend(items)
    return Baseline(str(p), stacks)
