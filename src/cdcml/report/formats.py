"""The report formats a run can write to files: one row each.

The table drives everything a format needs outside its renderer: the CLI options of
``cdcml preview`` and ``cdcml policy analyze`` (``--<name> FILE``), the check of the
output paths before any work, and the writers. A new format is one renderer module (a
function from :class:`~cdcml.model.Verdict` to bytes) and one row here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from cdcml.model import Verdict
from cdcml.report.junit import verdict_to_junit
from cdcml.report.markdown import verdict_to_markdown
from cdcml.report.sarif import verdict_to_sarif

__all__ = ["FORMATS", "ReportFormat", "report_format"]


@dataclass(frozen=True)
class ReportFormat:
    name: str
    """The format's name, and its CLI option ``--<name>``."""
    title: str
    """What the file holds, for help texts (``a SARIF 2.1.0 report``)."""
    render: Callable[[Verdict], bytes]
    """The file's bytes for a verdict."""

    @property
    def option(self) -> str:
        return f"--{self.name}"


def _sarif(verdict: Verdict) -> bytes:
    return (json.dumps(verdict_to_sarif(verdict), indent=2) + "\n").encode("utf-8")


def _markdown(verdict: Verdict) -> bytes:
    return verdict_to_markdown(verdict).encode("utf-8")


FORMATS: tuple[ReportFormat, ...] = (
    ReportFormat("sarif", "a SARIF 2.1.0 report", _sarif),
    ReportFormat("junit", "a JUnit XML report", verdict_to_junit),
    ReportFormat("markdown", "a Markdown summary", _markdown),
)


def report_format(name: str) -> ReportFormat:
    """The row of format *name* (``KeyError`` when there is none)."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)
