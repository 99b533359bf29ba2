"""Fan-out: `policy analyze --all --shard K/N` audits a deterministic part of a backend's
stacks, and `cdcml report merge` of every shard's JSON report prints and writes, byte for
byte, what one run over all the stacks prints and writes."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import jsonschema
import pytest

from cdcml.cli import run
from cdcml.report.json_report import REPORT_SCHEMA
from cdcml.runs.shards import split
from tests.fixtures.cli import cli, one_line_error
from tests.fixtures.state.builders import AUDIT_PACK, legacy_layout, project_layout, write_tree

WAIVERS = """\
version: 1
waivers:
  - policy: cdc-recurrence
    urn: "urn:pulumi:staging::analytics::*"
    reason: Staging runs every minute until the load test is over.
    owner: data-platform@contoso.com
    expires: 2099-09-30
  - policy: audit-test/owner-tag
    urn: "*"
    reason: A lapsed exception.
    owner: landing-zone@contoso.com
    expires: 2020-01-31
"""
FORMATS = ("sarif", "junit", "markdown")
PROJECT_STACKS = [
    "organization/analytics/qa",
    "organization/analytics/staging",
    "organization/cdcml/dev",
    "organization/cdcml/prod",
    "organization/cdcml/seed",
]


@pytest.fixture(scope="module")
def project_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("project-backend"), project_layout())


@pytest.fixture(scope="module")
def legacy_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("legacy-backend"), legacy_layout())


def _validate(doc: object) -> None:
    jsonschema.validate(doc, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)


def _run_and_merge(capsys, tmp: Path, url: str, count: int, extra: list[str]) -> dict[str, object]:
    """One run over all the stacks and a merge of *count* shards, each printing text and
    writing every report, and each printing JSON: what they printed, wrote and exited with."""
    analyze = ["policy", "analyze", "--backend", url, "--all", "--policy-pack", str(AUDIT_PACK), *extra]
    out: dict[str, object] = {}
    for who in ("single", "merged"):
        (tmp / who).mkdir()
    single_reports = [a for f in FORMATS for a in (f"--{f}", str(tmp / "single" / f"report.{f}"))]
    merged_reports = [a for f in FORMATS for a in (f"--{f}", str(tmp / "merged" / f"report.{f}"))]
    out["single-text"] = cli(capsys, *analyze, *single_reports)
    out["single-json"] = cli(capsys, *analyze, "--json")
    shards = []
    for k in range(1, count + 1):
        code, text, err = cli(capsys, *analyze, "--shard", f"{k}/{count}", "--json")
        assert code in (0, 1), err
        doc = json.loads(text)
        _validate(doc)
        assert (doc["shard"]["index"], doc["shard"]["count"]) == (k, count)
        path = tmp / f"shard-{k}.json"
        path.write_text(text)
        shards.append(str(path))
    shards.reverse()  # the order of the files doesn't matter
    out["merged-text"] = cli(capsys, "report", "merge", *shards, *merged_reports)
    out["merged-json"] = cli(capsys, "report", "merge", *shards, "--json")
    for who in ("single", "merged"):
        for f in FORMATS:
            out[f"{who}-{f}"] = (tmp / who / f"report.{f}").read_bytes()
    return out


def _assert_identical(out: dict[str, object]) -> None:
    for what in ("text", "json", *FORMATS):
        assert out[f"merged-{what}"] == out[f"single-{what}"], what


@pytest.mark.parametrize("count", [3, 1])
def test_merged_shards_are_byte_for_byte_the_single_run(project_backend, tmp_path, capsys, count):
    (tmp_path / "waivers.yaml").write_text(WAIVERS)
    url = f"file://{project_backend}"
    out = _run_and_merge(capsys, tmp_path, url, count, ["--waivers", str(tmp_path / "waivers.yaml")])
    _assert_identical(out)
    code, text, _ = out["single-json"]
    assert code == 1  # the expired waiver, and seed's violations
    doc = json.loads(text)
    _validate(doc)
    assert "shard" not in doc
    assert [f"organization/{s['project']}/{s['stack']}" for s in doc["stacks"]] == PROJECT_STACKS
    staging = doc["stacks"][1]
    assert {f["waiver"]["status"] for f in staging["findings"] if "waiver" in f} == {"active", "expired"}
    assert doc["summary"]["locked"] == 1 and doc["expiredWaivers"]
    assert all(split(PROJECT_STACKS, 3))  # every shard audited something


def test_a_legacy_backend_filtered_by_project_merges_too(legacy_backend, tmp_path, capsys):
    """Legacy stacks are filtered by project after their state is read: a shard may audit
    none of the stacks assigned to it, and the merge still gives the single run."""
    url = f"file://{legacy_backend}"
    out = _run_and_merge(capsys, tmp_path, url, 3, ["--project", "cdcml"])
    _assert_identical(out)
    assert out["single-json"][0] == 1


def test_an_empty_shard_is_an_empty_verdict(project_backend, capsys):
    url = f"file://{project_backend}"
    empty = next(k for k, positions in enumerate(split(PROJECT_STACKS, 7), start=1) if not positions)
    analyze = ["policy", "analyze", "--backend", url, "--all", "--policy-pack", str(AUDIT_PACK)]
    code, out, err = cli(capsys, *analyze, "--shard", f"{empty}/7")
    assert code == 0, err
    assert f"shard {empty}/7 of the backend's 5 stacks: no stack falls in this shard — an empty verdict" in out
    assert "0 stacks, 0 resources" in out and out.rstrip().endswith("PASS")
    code, out, err = cli(capsys, *analyze, "--shard", f"{empty}/7", "--json")
    doc = json.loads(out)
    _validate(doc)
    assert code == 0 and doc["stacks"] == [] and doc["summary"]["stacks"] == 0
    assert doc["shard"]["total"] == 5 and doc["shard"]["stacks"] == []


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--shard", "0/3"], "--shard '0/3': the shard must be between 1 and 3"),
        (["--shard", "4/3"], "--shard '4/3': the shard must be between 1 and 3"),
        (["--shard", "x"], "--shard 'x' is not K/N"),
    ],
)
def test_bad_shard_values_are_one_line(project_backend, capsys, args, problem):
    code, _, err = cli(capsys, "policy", "analyze", "--backend", f"file://{project_backend}", "--all", *args)
    assert code == 2
    assert problem in one_line_error(err)


def test_shard_goes_with_all(project_backend, capsys):
    url = f"file://{project_backend}"
    code, _, err = cli(
        capsys, "policy", "analyze", "--backend", url, "--stack", "organization/cdcml/dev", "--shard", "1/2"
    )
    assert code == 2 and "--shard goes with --backend URL --all" in one_line_error(err)


@pytest.fixture(scope="module")
def shard_files(project_backend: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The JSON reports of shards 1/2 and 2/2, of shard 1/3, and of an unsharded run."""
    tmp = tmp_path_factory.mktemp("shards")
    files = {}
    runs = {"1of2": ["--shard", "1/2"], "2of2": ["--shard", "2/2"], "1of3": ["--shard", "1/3"], "all": []}
    for name, extra in runs.items():
        args = ["policy", "analyze", "--backend", f"file://{project_backend}", "--all", "--json", *extra]
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            assert run([*args, "--policy-pack", str(AUDIT_PACK)]) in (0, 1)
        files[name] = tmp / f"{name}.json"
        files[name].write_text(out.getvalue())
    return files


def _merge_error(capsys, *args: str) -> str:
    code, out, err = cli(capsys, "report", "merge", *args)
    assert code == 2 and out == ""
    return one_line_error(err)


def test_merge_refuses_missing_duplicated_and_foreign_shards(shard_files, tmp_path, capsys):
    f = {k: str(v) for k, v in shard_files.items()}
    assert _merge_error(capsys, f["1of2"]).endswith("shard 2/2 is missing (given: 1/2)")
    assert _merge_error(capsys, f["1of2"], f["1of2"], f["2of2"]).endswith(
        f"shard 1/2 is given twice: {f['1of2']} and {f['1of2']}"
    )
    problem = _merge_error(capsys, f["1of2"], f["1of3"])
    assert "are not shards of one run: their numbers of shards differ (2 and 3)" in problem
    assert "not the report of a shard" in _merge_error(capsys, f["1of2"], f["2of2"], f["all"])
    doc = json.loads(shard_files["2of2"].read_text())
    doc["source"] = "file:///elsewhere"
    (tmp_path / "other.json").write_text(json.dumps(doc))
    assert "their backends differ" in _merge_error(capsys, f["1of2"], str(tmp_path / "other.json"))
    doc = json.loads(shard_files["2of2"].read_text())
    doc["shard"]["listing"] = "sha256:" + "0" * 64
    (tmp_path / "changed.json").write_text(json.dumps(doc))
    assert "stack listings (the backend changed between them) differ" in _merge_error(
        capsys, f["1of2"], str(tmp_path / "changed.json")
    )
    doc = json.loads(shard_files["2of2"].read_text())
    doc["shard"]["stacks"][0]["position"] = json.loads(shard_files["1of2"].read_text())["shard"]["stacks"][0][
        "position"
    ]
    (tmp_path / "overlap.json").write_text(json.dumps(doc))
    assert "is in both" in _merge_error(capsys, f["1of2"], str(tmp_path / "overlap.json"))


def test_merge_refuses_what_is_not_a_report(shard_files, tmp_path, capsys):
    (tmp_path / "bad.json").write_text('{"version": 1')
    assert "not valid JSON" in _merge_error(capsys, str(tmp_path / "bad.json"))
    (tmp_path / "other.json").write_text('{"version": 2}')
    assert "not a cdcml JSON report" in _merge_error(capsys, str(tmp_path / "other.json"))
    assert "does not exist" in _merge_error(capsys, str(tmp_path / "nope.json"))
    doc = json.loads(shard_files["1of2"].read_text())
    del doc["shard"]["policies"]
    (tmp_path / "cut.json").write_text(json.dumps(doc))
    assert "not a cdcml JSON report: shard: 'policies' is a required property" in _merge_error(
        capsys, str(tmp_path / "cut.json")
    )


def test_merge_report_paths_are_checked_against_its_inputs(shard_files, capsys):
    one, two = str(shard_files["1of2"]), str(shard_files["2of2"])
    before = shard_files["2of2"].read_bytes()
    for fmt in FORMATS:
        assert _merge_error(capsys, one, two, f"--{fmt}", two) == (
            f"cdcml: error: --{fmt} {two}: is a shard report of this run"
        )
    assert shard_files["2of2"].read_bytes() == before


def test_merge_refuses_shards_of_another_cdcml_version(shard_files, tmp_path, capsys):
    for name in ("1of2", "2of2"):
        doc = json.loads(shard_files[name].read_text())
        doc["tool"]["version"] = "0.0.1"
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    problem = _merge_error(capsys, str(tmp_path / "1of2.json"), str(tmp_path / "2of2.json"))
    assert "was written by cdcml 0.0.1; this is cdcml" in problem
