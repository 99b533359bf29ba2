"""The table of report formats drives the CLI options, the path checks and the writers:
a format is one renderer and one row (report/formats.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import pytest

import cdcml.report.files as files
from cdcml.cli import main
from cdcml.errors import CdcmlError
from cdcml.report.formats import FORMATS, ReportFormat, report_format
from tests.report.conftest import MakeAudit


def _options(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in p.opts}


@pytest.mark.parametrize("path", [("preview",), ("policy", "analyze")])
def test_both_commands_offer_one_option_per_format(path: tuple[str, ...]) -> None:
    """`cdcml preview` and `cdcml policy analyze` each have `--<name> FILE` for every row."""
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert {fmt.option for fmt in FORMATS} <= _options(command)
    assert {"--json", "--show-not-applicable", "--policy-pack", "--policy-pack-config"} <= _options(command)


def test_the_path_check_names_the_first_bad_path_in_table_order(tmp_path: Path) -> None:
    """Every row's path is checked before any work; the first problem is the one reported."""
    paths: dict[str, Path | None] = {fmt.name: tmp_path / f"r.{fmt.name}" for fmt in FORMATS}
    assert files.report_paths_problem(paths) is None
    last = FORMATS[-1]
    paths[last.name] = tmp_path / "missing" / "r"
    assert (
        files.report_paths_problem(paths)
        == f"{last.option} {paths[last.name]}: directory {tmp_path / 'missing'} does not exist"
    )
    paths[FORMATS[0].name] = tmp_path
    assert files.report_paths_problem(paths) == f"{FORMATS[0].option} {tmp_path}: is a directory"


def test_a_new_row_is_written_like_the_others(
    make_audit: MakeAudit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row added to the table is rendered and written by write_reports with no other change."""
    extra = ReportFormat("count", "a count of findings", lambda v: str(v.totals()["mandatory"]).encode())
    monkeypatch.setattr(files, "FORMATS", (*FORMATS, extra))
    verdict = make_audit()
    files.write_reports(verdict, {"count": tmp_path / "n.txt", "sarif": tmp_path / "r.sarif"})
    assert (tmp_path / "n.txt").read_text() == str(verdict.totals()["mandatory"])
    assert (tmp_path / "r.sarif").read_bytes() == report_format("sarif").render(verdict)


def test_no_file_is_written_when_a_later_report_fails_to_render(
    make_audit: MakeAudit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every report is rendered in memory before the first file is written."""

    def broken(_verdict: object) -> bytes:
        raise CdcmlError("can't render")

    rows = tuple(dataclasses.replace(f, render=broken) if f.name == "markdown" else f for f in FORMATS)
    monkeypatch.setattr(files, "FORMATS", rows)
    with pytest.raises(CdcmlError, match="can't render"):
        files.write_reports(make_audit(), {"sarif": tmp_path / "r.sarif", "markdown": tmp_path / "r.md"})
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        report_format("pdf")
