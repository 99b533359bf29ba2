"""Hostile report paths (issue 11, item 3): a report never clobbers an input of the run or
another report; a symlink is written through, a device is written to and never replaced;
the set of reports is all or nothing. Every input is hashed before and after each case."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.fixtures.devices import devices_kept
from tests.hostile.conftest import PACK
from tests.hostile.harness import Outcome, fingerprint, run_cdcml

WAIVERS = """\
version: 1
waivers:
  - policy: cdc-enforce-recurrence-bounds
    urn: "*"
    reason: accepted
    owner: a@b.c
    expires: 2099-12-31
"""


@pytest.fixture(autouse=True)
def _devices() -> Iterator[None]:
    with devices_kept():
        yield


@pytest.fixture
def pack(scratch: Path) -> Path:
    """A copy of the guardrails pack (so a run that did write into it can't harm the repository)."""
    return Path(shutil.copytree(PACK, scratch / "pack"))


def _analyze(seed_state: Path, pack: Path, *extra: str) -> list[str]:
    return ["policy", "analyze", "--file", str(seed_state), "--policy-pack", str(pack), *extra]


def _unchanged(args: Sequence[str], inputs: Sequence[Path], *, cwd: Path) -> Outcome:
    """Run cdcml; every file under *inputs* is byte-identical afterwards."""
    before = fingerprint(inputs)
    out = run_cdcml(args, cwd=cwd)
    assert fingerprint(inputs) == before, out.describe()
    return out


def _refused(args: Sequence[str], inputs: Sequence[Path], *mentions: str, cwd: Path) -> None:
    out = _unchanged(args, inputs, cwd=cwd)
    out.assert_input_error(*mentions, "of this run")
    assert out.written == {}, sorted(out.written)


# --------------------------------------------------------------------------- inputs refused


def test_sarif_on_the_state_file(scratch: Path, seed_state: Path, pack: Path) -> None:
    _refused(
        _analyze(seed_state, pack, "--sarif", "seed.json"),
        [seed_state, pack],
        "--sarif seed.json",
        "is the --file input",
        cwd=scratch,
    )


def test_junit_on_the_waiver_file(scratch: Path, seed_state: Path, pack: Path) -> None:
    (scratch / "waivers.yaml").write_text(WAIVERS)
    _refused(
        _analyze(seed_state, pack, "--waivers", "waivers.yaml", "--junit", "waivers.yaml"),
        [scratch],
        "--junit waivers.yaml",
        "is the --waivers file",
        cwd=scratch,
    )


def test_markdown_on_the_baseline(scratch: Path, seed_state: Path, pack: Path) -> None:
    (scratch / "base.json").write_text("{}")
    _refused(
        _analyze(seed_state, pack, "--baseline", "base.json", "--markdown", "base.json"),
        [scratch],
        "--markdown base.json",
        "is the --baseline file",
        cwd=scratch,
    )


def test_sarif_on_the_pack_config(scratch: Path, seed_state: Path, pack: Path) -> None:
    (scratch / "cfg.json").write_text(json.dumps({"all": "advisory"}))
    _refused(
        _analyze(seed_state, pack, "--policy-pack-config", "cfg.json", "--sarif", "cfg.json"),
        [scratch],
        "--sarif cfg.json",
        "is the --policy-pack-config file",
        cwd=scratch,
    )


@pytest.mark.parametrize("name", ["__main__.py", "PulumiPolicy.yaml", "config/prod.json", "new-file.sarif"])
def test_sarif_inside_the_pack_directory(scratch: Path, seed_state: Path, pack: Path, name: str) -> None:
    _refused(
        _analyze(seed_state, pack, "--sarif", f"pack/{name}"),
        [scratch],
        f"--sarif pack/{name}",
        f"is inside the --policy-pack directory {pack}",
        cwd=scratch,
    )
    assert not (pack / "new-file.sarif").exists()


def _project(directory: Path) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text("config:\n  azure-native:location: westeurope\n")
    (directory / "__main__.py").write_text("raise SystemExit('the program must not run')\n")
    return directory


@pytest.mark.parametrize(
    ("option", "name", "role"),
    [("--markdown", "Pulumi.yaml", "is the project file"), ("--junit", "Pulumi.dev.yaml", "is the stack config file")],
)
def test_preview_reports_on_the_project_and_stack_files(
    scratch: Path, pack: Path, option: str, name: str, role: str
) -> None:
    _project(scratch / "proj")
    _refused(
        ["preview", "proj", "--policy-pack", str(pack), option, f"proj/{name}"],
        [scratch],
        f"{option} proj/{name}",
        role,
        cwd=scratch,
    )


def test_preview_report_inside_the_default_pack_of_the_project(scratch: Path) -> None:
    project = _project(scratch / "proj")
    shutil.copytree(PACK, project / "policies" / "cdc-ml-guardrails")
    _refused(
        ["preview", "proj", "--sarif", "proj/policies/cdc-ml-guardrails/__main__.py"],
        [scratch],
        "is inside the policy pack directory proj/policies/cdc-ml-guardrails",
        cwd=scratch,
    )


def _backend(scratch: Path, seed_state: Path) -> Path:
    stacks = scratch / "backend" / ".pulumi" / "stacks" / "cdcml"
    stacks.mkdir(parents=True)
    (scratch / "backend" / ".pulumi" / "meta.yaml").write_text("version: 1\n")
    doc = json.loads(seed_state.read_text())
    cp = {"version": 3, "checkpoint": {"stack": "organization/cdcml/seed", "latest": doc["deployment"]}}
    (stacks / "seed.json").write_text(json.dumps(cp))
    (stacks / "prod.json.gz").write_bytes(gzip.compress(json.dumps(cp).encode(), mtime=0))
    return scratch / "backend"


@pytest.mark.parametrize(
    ("stack_args", "name"),
    [
        (("--stack", "organization/cdcml/seed"), "stacks/cdcml/seed.json"),
        (("--all",), "stacks/cdcml/prod.json.gz"),
        (("--all",), "locks/organization/cdcml/seed/lock.json"),
    ],
)
def test_sarif_on_an_object_of_a_file_backend(
    scratch: Path, seed_state: Path, pack: Path, stack_args: tuple[str, ...], name: str
) -> None:
    """An audit never writes to the backend: not over a stack file, not a new object (a
    lock file would stop the next `pulumi up`)."""
    backend = _backend(scratch, seed_state)
    (backend / ".pulumi" / "locks" / "organization" / "cdcml" / "seed").mkdir(parents=True)
    _refused(
        [
            *("policy", "analyze", "--backend", "file://backend", *stack_args, "--policy-pack", str(pack)),
            *("--sarif", f"backend/.pulumi/{name}"),
        ],
        [scratch],
        f"--sarif backend/.pulumi/{name}",
        f"is inside the backend's state {backend.resolve() / '.pulumi'}",
        cwd=scratch,
    )
    assert not (backend / ".pulumi" / "locks" / "organization" / "cdcml" / "seed" / "lock.json").exists()


# --------------------------------------------------------------------------- the same file, spelled differently


def test_the_same_path_for_two_reports(scratch: Path, seed_state: Path, pack: Path) -> None:
    _refused(
        _analyze(seed_state, pack, "--sarif", "r.out", "--junit", "r.out"),
        [scratch],
        "--junit r.out: is also the --sarif report of this run",
        cwd=scratch,
    )


def test_two_reports_on_one_file_through_a_symlink_and_dots(scratch: Path, seed_state: Path, pack: Path) -> None:
    (scratch / "reports").mkdir()
    (scratch / "r.out").write_text("previous")
    (scratch / "link.out").symlink_to("r.out")
    _refused(
        _analyze(seed_state, pack, "--junit", "link.out", "--markdown", "reports/../r.out"),
        [scratch],
        "--markdown reports/../r.out: is also the --junit report link.out",
        cwd=scratch,
    )


def test_the_state_file_through_a_symlink(scratch: Path, seed_state: Path, pack: Path) -> None:
    (scratch / "link.json").symlink_to("seed.json")
    _refused(
        _analyze(seed_state, pack, "--sarif", "link.json"),
        [scratch],
        f"--sarif link.json: is the --file input {seed_state}",
        cwd=scratch,
    )


def test_the_state_file_through_dots(scratch: Path, seed_state: Path, pack: Path) -> None:
    (scratch / "sub").mkdir()
    _refused(
        _analyze(seed_state, pack, "--junit", "sub/../seed.json"),
        [scratch],
        "--junit sub/../seed.json: is the --file input",
        cwd=scratch,
    )


def test_the_state_file_through_a_hard_link(scratch: Path, seed_state: Path, pack: Path) -> None:
    os.link(seed_state, scratch / "hard.json")
    _refused(
        _analyze(seed_state, pack, "--markdown", "hard.json"),
        [scratch],
        "--markdown hard.json: is the --file input",
        cwd=scratch,
    )


# --------------------------------------------------------------------------- how targets are written


def test_a_symlink_report_path_is_written_through(scratch: Path, seed_state: Path, pack: Path) -> None:
    (scratch / "out").mkdir()
    (scratch / "out" / "r.sarif").write_text("previous")
    (scratch / "r.sarif").symlink_to(Path("out") / "r.sarif")
    out = _unchanged(_analyze(seed_state, pack, "--sarif", "r.sarif"), [seed_state, pack], cwd=scratch)
    assert out.code == 1, out.describe()
    assert (scratch / "r.sarif").is_symlink() and os.readlink(scratch / "r.sarif") == str(Path("out") / "r.sarif")
    assert json.loads((scratch / "out" / "r.sarif").read_text())["version"] == "2.1.0"
    assert [p.name for p in (scratch / "out").iterdir()] == ["r.sarif"]


def _char_device(path: str) -> tuple[int, int]:
    st = os.lstat(path)
    assert stat.S_ISCHR(st.st_mode), f"{path} is no longer a character device"
    return st.st_ino, st.st_rdev


def test_dev_null_is_written_to_and_stays_a_device(scratch: Path, seed_state: Path, pack: Path) -> None:
    before = _char_device("/dev/null")
    out = _unchanged(
        _analyze(seed_state, pack, "--markdown", "/dev/null", "--junit", "r.xml"), [seed_state, pack], cwd=scratch
    )
    assert out.code == 1, out.describe()
    assert _char_device("/dev/null") == before
    assert list(out.written) == ["r.xml"]


def test_dev_stdout_gets_the_report_on_standard_output(scratch: Path, seed_state: Path, pack: Path) -> None:
    before = os.readlink("/dev/stdout")
    out = _unchanged(_analyze(seed_state, pack, "--junit", "/dev/stdout"), [seed_state, pack], cwd=scratch)
    assert out.code == 1, out.describe()
    assert out.stdout.startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites")
    assert "mandatory" in out.stdout.split("</testsuites>", 1)[1]  # then the text report
    assert os.readlink("/dev/stdout") == before


def test_dev_full_fails_cleanly_and_no_other_report_is_written(scratch: Path, seed_state: Path, pack: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    (scratch / "r.sarif").write_text("the previous run's report")
    before = _char_device("/dev/full")
    out = _unchanged(
        _analyze(seed_state, pack, "--sarif", "r.sarif", "--junit", "r.xml", "--markdown", "/dev/full"),
        [seed_state, pack],
        cwd=scratch,
    )
    out.assert_input_error("can't write the --markdown report /dev/full", "No space left on device")
    assert out.written == {}
    assert (scratch / "r.sarif").read_text() == "the previous run's report"
    assert sorted(p.name for p in scratch.iterdir()) == ["pack", "r.sarif", "seed.json"]
    assert _char_device("/dev/full") == before


def test_a_failing_later_report_leaves_earlier_targets_untouched(scratch: Path, seed_state: Path, pack: Path) -> None:
    """A FIFO nobody reads fails (rather than blocking the CI job) after the SARIF and JUnit
    reports were staged: neither target changes and no temporary file is left."""
    (scratch / "r.sarif").write_text("previous sarif")
    os.mkfifo(scratch / "r.md")
    out = _unchanged(
        _analyze(seed_state, pack, "--sarif", "r.sarif", "--junit", "r.xml", "--markdown", "r.md"),
        [seed_state, pack],
        cwd=scratch,
    )
    out.assert_input_error("can't write the --markdown report r.md")
    assert (scratch / "r.sarif").read_text() == "previous sarif"
    assert sorted(p.name for p in scratch.iterdir()) == ["pack", "r.md", "r.sarif", "seed.json"]
    assert stat.S_ISFIFO((scratch / "r.md").stat().st_mode)
