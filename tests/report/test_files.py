"""Report files never clobber: a report path that is an input of the run or another
report's path is refused before any work; a symlink is written through, a device or FIFO
is written to in place, a regular file is replaced atomically; the set is all or nothing."""

from __future__ import annotations

import dataclasses
import os
import re
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import cdcml.report.files as files
from cdcml.errors import CdcmlError
from cdcml.model import RunInput, Verdict
from cdcml.report.formats import report_format
from tests.fixtures.devices import devices_kept, private_device
from tests.report.conftest import MakeAudit


@pytest.fixture(autouse=True)
def _devices() -> Iterator[None]:
    with devices_kept():
        yield


@pytest.fixture
def verdict(make_audit: MakeAudit) -> Verdict:
    return make_audit()


def _render(name: str, verdict: Verdict) -> bytes:
    return report_format(name).render(verdict)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# --------------------------------------------------------------------------- same file


def test_same_file_follows_dots_symlinks_and_hard_links(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text("{}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.json").symlink_to("a.json")
    os.link(a, tmp_path / "hard.json")
    (tmp_path / "b.json").write_text("{}")
    assert files.same_file(a, tmp_path / "sub" / ".." / "a.json")
    assert files.same_file(a, tmp_path / "link.json")
    assert files.same_file(tmp_path / "hard.json", a)
    assert not files.same_file(a, tmp_path / "b.json")
    assert files.same_file(tmp_path / "new", tmp_path / "sub" / ".." / "new")
    assert not files.same_file(tmp_path / "new", tmp_path / "other")
    assert not files.same_file(tmp_path / "new", a)


# --------------------------------------------------------------------------- refused up front


def test_a_report_on_an_input_file_is_refused_naming_both_roles(tmp_path: Path) -> None:
    state = tmp_path / "stack.json"
    state.write_text("{}")
    inputs = [RunInput("the --file input", state)]
    assert files.report_paths_problem({"sarif": state}, inputs) == f"--sarif {state}: is the --file input of this run"


@pytest.mark.parametrize("spelling", ["link", "dots", "hard"])
def test_an_input_is_recognised_however_the_report_path_spells_it(tmp_path: Path, spelling: str) -> None:
    state = tmp_path / "stack.json"
    state.write_text("{}")
    (tmp_path / "sub").mkdir()
    path = {
        "link": tmp_path / "link.json",
        "dots": tmp_path / "sub" / ".." / "stack.json",
        "hard": tmp_path / "hard.json",
    }[spelling]
    if spelling == "link":
        path.symlink_to(state)
    elif spelling == "hard":
        os.link(state, path)
    problem = files.report_paths_problem({"junit": path}, [RunInput("the --waivers file", state)])
    assert problem == f"--junit {path}: is the --waivers file {state} of this run"


def test_an_input_that_does_not_exist_yet_is_still_an_input(tmp_path: Path) -> None:
    baseline = tmp_path / "base.json"
    problem = files.report_paths_problem({"markdown": baseline}, [RunInput("the --baseline file", baseline)])
    assert problem == f"--markdown {baseline}: is the --baseline file of this run"


def test_a_dangling_symlink_to_an_input_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg.json"
    (tmp_path / "r.sarif").symlink_to(cfg)
    problem = files.report_paths_problem(
        {"sarif": tmp_path / "r.sarif"}, [RunInput("the --policy-pack-config file", cfg)]
    )
    assert problem == f"--sarif {tmp_path / 'r.sarif'}: is the --policy-pack-config file {cfg} of this run"


def test_any_path_inside_an_input_directory_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "lib").mkdir(parents=True)
    (pack / "__main__.py").write_text("")
    inputs = [RunInput("the --policy-pack directory", pack, tree=True)]
    for path in (pack / "__main__.py", pack / "lib" / "new.md", pack / "lib" / ".." / "r.sarif"):
        assert files.report_paths_problem({"sarif": path}, inputs) == (
            f"--sarif {path}: is inside the --policy-pack directory {pack} of this run"
        )
    assert files.report_paths_problem({"sarif": tmp_path / "r.sarif"}, inputs) is None
    assert files.report_paths_problem({"sarif": tmp_path / "pack.sarif"}, inputs) is None


def test_a_file_outside_an_input_directory_that_a_file_inside_names_is_refused(tmp_path: Path) -> None:
    """A hard link to a file of the pack, or the file a symlink of the pack points at, is
    pack content too."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "policy.py").write_text("")
    os.link(pack / "policy.py", tmp_path / "hard.py")
    (tmp_path / "shared.py").write_text("")
    (pack / "shared.py").symlink_to(tmp_path / "shared.py")
    (tmp_path / "other.py").write_text("")
    inputs = [RunInput("the backend's state", pack, tree=True)]
    for name in ("hard.py", "shared.py"):
        problem = files.report_paths_problem({"junit": tmp_path / name}, inputs)
        assert problem == f"--junit {tmp_path / name}: is inside the backend's state {pack} of this run"
    assert files.report_paths_problem({"junit": tmp_path / "other.py"}, inputs) is None


def test_a_huge_input_directory_is_scanned_up_to_a_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(5):
        (tree / f"f{i}").write_text("")
    os.link(tree / "f4", tmp_path / "late")
    inputs = [RunInput("the policy pack directory", tree, tree=True)]
    assert files.report_paths_problem({"sarif": tmp_path / "late"}, inputs) is not None
    monkeypatch.setattr(files, "MAX_SCAN", 0)
    assert files.report_paths_problem({"sarif": tmp_path / "late"}, inputs) is None


def test_only_links_of_an_input_directory_are_compared_with_a_file_of_one_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An existing report file with a single name can only be named by a symlink of the
    directory: its other files (a pack's virtualenv: tens of thousands) are not stat'ed."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(50):
        (tree / f"f{i}").write_text("")
    (tmp_path / "r.sarif").write_text("")
    (tmp_path / "shared").write_text("")
    (tree / "link").symlink_to(tmp_path / "shared")
    stat_calls: list[str] = []
    real_stat = files._stat

    def counting(path: str | os.PathLike[str]) -> os.stat_result | None:
        stat_calls.append(os.fspath(path))
        return real_stat(path)

    monkeypatch.setattr(files, "_stat", counting)
    inputs = [RunInput("the policy pack directory", tree, tree=True)]
    assert files.report_paths_problem({"sarif": tmp_path / "r.sarif"}, inputs) is None
    assert not any(call.startswith(str(tree / "f")) for call in stat_calls), stat_calls
    assert files.report_paths_problem({"sarif": tmp_path / "shared"}, inputs) is not None


def test_a_device_is_never_an_input_directory_file(tmp_path: Path) -> None:
    inputs = [RunInput("the policy pack directory", tmp_path / "pack", tree=True)]
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "null").symlink_to("/dev/null")
    assert files.report_paths_problem({"sarif": Path("/dev/null")}, inputs) is None


def test_two_reports_on_one_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "r.out").write_text("")
    (tmp_path / "link").symlink_to("r.out")
    same = {"sarif": tmp_path / "r.out", "junit": tmp_path / "other", "markdown": tmp_path / "sub" / ".." / "r.out"}
    assert files.report_paths_problem(same) == (
        f"--markdown {same['markdown']}: is also the --sarif report {tmp_path / 'r.out'} of this run"
    )
    through_link = {"junit": tmp_path / "link", "markdown": tmp_path / "r.out"}
    assert files.report_paths_problem(through_link) == (
        f"--markdown {tmp_path / 'r.out'}: is also the --junit report {tmp_path / 'link'} of this run"
    )
    assert files.report_paths_problem({"junit": tmp_path / "a", "markdown": tmp_path / "a"}) == (
        f"--markdown {tmp_path / 'a'}: is also the --junit report of this run"
    )
    assert files.report_paths_problem({"junit": tmp_path / "a", "markdown": tmp_path / "b"}) is None


def test_problems_come_in_table_order_and_a_bad_path_before_an_input(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    inputs = [RunInput("the --file input", state)]
    paths: dict[str, Path | None] = {"sarif": None, "junit": tmp_path / "missing" / "r", "markdown": state}
    assert files.report_paths_problem(paths, inputs) == (
        f"--junit {tmp_path / 'missing' / 'r'}: directory {tmp_path / 'missing'} does not exist"
    )
    paths["junit"] = None
    assert files.report_paths_problem(paths, inputs) == f"--markdown {state}: is the --file input of this run"


def test_a_symlink_into_a_missing_directory_names_the_directory_it_points_into(tmp_path: Path) -> None:
    link = tmp_path / "r.sarif"
    link.symlink_to(tmp_path / "gone" / "r.sarif")
    assert files.report_path_problem("--sarif", link) == f"--sarif {link}: directory {tmp_path / 'gone'} does not exist"
    (tmp_path / "gone").mkdir()
    assert files.report_path_problem("--sarif", link) is None


def test_devices_and_existing_files_are_acceptable_paths(tmp_path: Path) -> None:
    (tmp_path / "r.sarif").write_text("old")
    assert files.report_path_problem("--sarif", Path("/dev/null")) is None
    assert files.report_path_problem("--sarif", tmp_path / "r.sarif") is None
    assert files.report_path_problem("--sarif", None) is None
    assert files.report_path_problem("--sarif", tmp_path) == f"--sarif {tmp_path}: is a directory"


def test_a_missing_directory_is_named_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert files.report_path_problem("--sarif", Path("missing/r.sarif")) == (
        "--sarif missing/r.sarif: directory missing does not exist"
    )


def test_a_device_needs_no_writable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A device is written in place, not replaced: /dev being read-only to the user is fine."""
    null = private_device(tmp_path, "null")
    monkeypatch.setattr(files.os, "access", lambda path, mode: False)
    assert files.report_path_problem("--junit", null) is None
    assert files.report_path_problem("--junit", tmp_path / "r.xml") is not None


def test_an_unwritable_directory_is_refused_up_front(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(Checked with os.access, which root always passes; the check is simulated here.)"""
    asked: list[tuple[str, int]] = []

    def access(path: str | os.PathLike[str], mode: int) -> bool:
        asked.append((str(path), mode))
        return False

    monkeypatch.setattr(files.os, "access", access)
    assert files.report_path_problem("--junit", tmp_path / "r.xml") == (
        f"--junit {tmp_path / 'r.xml'}: directory {tmp_path} is not writable"
    )
    assert asked == [(str(tmp_path), os.W_OK)]


# --------------------------------------------------------------------------- writing


def test_a_new_report_is_created_with_the_umask_applied(verdict: Verdict, tmp_path: Path) -> None:
    for mask, mode in ((0o027, 0o640), (0, 0o666)):
        old = os.umask(mask)
        try:
            files.write_reports(verdict, {"sarif": tmp_path / f"r{mask}.sarif"})
        finally:
            os.umask(old)
        assert (tmp_path / f"r{mask}.sarif").read_bytes() == _render("sarif", verdict)
        assert stat.S_IMODE((tmp_path / f"r{mask}.sarif").stat().st_mode) == mode
    assert _leftovers(tmp_path) == []


def test_an_existing_report_is_replaced_keeping_its_permissions(verdict: Verdict, tmp_path: Path) -> None:
    target = tmp_path / "r.xml"
    target.write_text("old report, longer than nothing")
    target.chmod(0o604)
    before = target.stat().st_ino
    files.write_reports(verdict, {"junit": target})
    assert target.read_bytes() == _render("junit", verdict)
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert target.stat().st_ino != before  # replaced, not rewritten in place
    assert _leftovers(tmp_path) == []


def test_a_symlink_report_path_is_written_through(verdict: Verdict, tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "r.md"
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "r.md"
    link.symlink_to(Path("reports") / "r.md")
    files.write_reports(verdict, {"markdown": link})
    assert link.is_symlink() and os.readlink(link) == str(Path("reports") / "r.md")
    assert real.read_bytes() == _render("markdown", verdict)
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert _leftovers(tmp_path) == [] and _leftovers(tmp_path / "reports") == []


def test_a_dangling_symlink_report_path_creates_its_target(verdict: Verdict, tmp_path: Path) -> None:
    link = tmp_path / "r.sarif"
    link.symlink_to("made.sarif")
    files.write_reports(verdict, {"sarif": link})
    assert link.is_symlink() and (tmp_path / "made.sarif").read_bytes() == _render("sarif", verdict)


def test_dev_null_is_written_to_not_replaced(verdict: Verdict, tmp_path: Path) -> None:
    null = private_device(tmp_path, "null")
    before = os.stat(null)
    files.write_reports(verdict, {"sarif": null})
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_a_fifo_with_a_reader_receives_the_report(verdict: Verdict, fifo: Path) -> None:
    got: list[bytes] = []
    opened = threading.Event()

    def read() -> None:  # a reader that is there before the writer, and reads to the end
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        opened.set()
        chunks: list[bytes] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            if chunk:
                chunks.append(chunk)
            elif chunks:
                break  # the writer closed
            else:
                time.sleep(0.01)  # no writer yet
        os.close(fd)
        got.append(b"".join(chunks))

    reader = threading.Thread(target=read)
    reader.start()
    assert opened.wait(5)
    files.write_reports(verdict, {"junit": fifo})
    reader.join(10)
    assert got == [_render("junit", verdict)]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_fifo_without_a_reader_fails_instead_of_blocking(verdict: Verdict, fifo: Path, tmp_path: Path) -> None:
    with pytest.raises(CdcmlError, match=rf"can't write the --junit report {fifo}: No such device or address"):
        files.write_reports(verdict, {"sarif": tmp_path / "r.sarif", "junit": fifo})
    assert not (tmp_path / "r.sarif").exists() and _leftovers(tmp_path) == []


def test_a_file_that_is_cdcmls_own_output_is_appended_to(
    verdict: Verdict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--sarif /dev/stdout`` with stdout redirected to a file: that file is written like
    a stream (appended to), not replaced under the redirection."""
    out = tmp_path / "out.txt"
    out.write_bytes(b"printed so far\n")
    st = out.stat()
    monkeypatch.setattr(files, "_standard_streams", lambda: {(st.st_dev, st.st_ino)})
    files.write_reports(verdict, {"sarif": out})
    assert out.read_bytes() == b"printed so far\n" + _render("sarif", verdict)
    assert out.stat().st_ino == st.st_ino


def test_closed_standard_streams_are_none(monkeypatch: pytest.MonkeyPatch) -> None:
    real_fstat = os.fstat

    def closed(fd: int) -> os.stat_result:
        if fd in (1, 2):
            raise OSError(9, "Bad file descriptor")
        return real_fstat(fd)

    monkeypatch.setattr(files.os, "fstat", closed)
    assert files._standard_streams() == set()


def test_standard_streams_are_the_files_of_fds_one_and_two() -> None:
    streams = files._standard_streams()
    for fd in (1, 2):
        st = os.fstat(fd)
        assert (st.st_dev, st.st_ino) in streams


@pytest.fixture
def full(tmp_path: Path) -> Path:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    (tmp_path / "dev").mkdir()
    return private_device(tmp_path / "dev", "full")


def test_a_full_device_fails_the_set_and_no_other_report_is_written(
    verdict: Verdict, tmp_path: Path, full: Path
) -> None:
    earlier = tmp_path / "r.sarif"
    earlier.write_text("the previous run's report")
    with pytest.raises(CdcmlError, match=f"can't write the --markdown report {full}: No space left on device"):
        files.write_reports(verdict, {"sarif": earlier, "junit": tmp_path / "r.xml", "markdown": full})
    assert earlier.read_text() == "the previous run's report"
    assert not (tmp_path / "r.xml").exists()
    assert _leftovers(tmp_path) == []
    assert stat.S_ISCHR(full.stat().st_mode)


def test_a_later_report_that_cant_be_staged_leaves_earlier_targets_untouched(verdict: Verdict, tmp_path: Path) -> None:
    """The paths were fine when checked; the second one's directory is gone at write time."""
    first = tmp_path / "r.sarif"
    first.write_text("old")
    with pytest.raises(CdcmlError, match=r"can't write the --junit report .*gone/r\.xml: No such file or directory"):
        files.write_reports(verdict, {"sarif": first, "junit": tmp_path / "gone" / "r.xml"})
    assert first.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_a_rename_that_fails_names_its_report_and_leaves_no_temporary_file(
    verdict: Verdict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged: list[str] = []

    def refuse(src: os.PathLike[str], dst: object) -> None:
        staged.append(Path(src).name)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(CdcmlError, match=r"can't write the --sarif report .*r\.sarif: Permission denied"):
        files.write_reports(verdict, {"sarif": tmp_path / "r.sarif", "junit": tmp_path / "r.xml"})
    assert list(tmp_path.iterdir()) == []
    # The temporary file was hidden, next to its target, named after it.
    assert len(staged) == 1 and re.fullmatch(r"\.r\.sarif\.[0-9a-f]{12}\.tmp", staged[0]), staged


def test_a_temporary_file_that_cant_be_removed_does_not_hide_the_error(
    verdict: Verdict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    def stuck(self: Path, missing_ok: bool = False) -> None:
        raise OSError(16, "Device or resource busy")

    monkeypatch.setattr(files.os, "replace", refuse)
    monkeypatch.setattr(Path, "unlink", stuck)
    with pytest.raises(CdcmlError, match="Permission denied"):
        files.write_reports(verdict, {"sarif": tmp_path / "r.sarif", "junit": tmp_path / "r.xml"})


def test_a_slow_reader_of_a_fifo_gets_a_report_larger_than_the_pipe(
    tmp_path: Path, verdict: Verdict, fifo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The FIFO is opened without blocking (no reader: an error, not a hang), then written
    blocking: a reader slower than the writer still gets every byte."""
    big = bytes(range(256)) * 4096  # 1 MiB, far more than a pipe holds
    rows = tuple(dataclasses.replace(f, render=lambda _v: big) if f.name == "junit" else f for f in files.FORMATS)
    monkeypatch.setattr(files, "FORMATS", rows)
    got: list[bytes] = []
    ready = threading.Event()

    def read() -> None:
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        ready.set()
        time.sleep(0.3)  # let the writer fill the pipe
        os.set_blocking(fd, True)
        chunks = []
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
            time.sleep(0.0005)
        os.close(fd)
        got.append(b"".join(chunks))

    reader = threading.Thread(target=read)
    reader.start()
    assert ready.wait(5)
    files.write_reports(verdict, {"junit": fifo})
    reader.join(30)
    assert got == [big]


def test_an_interrupted_write_leaves_no_temporary_file(
    verdict: Verdict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_write_direct", interrupted)
    (tmp_path / "dev").mkdir()
    (tmp_path / "out").mkdir()
    with pytest.raises(KeyboardInterrupt):
        files.write_reports(
            verdict, {"sarif": tmp_path / "out" / "r.sarif", "junit": private_device(tmp_path / "dev", "null")}
        )
    assert list((tmp_path / "out").iterdir()) == []


def test_short_writes_are_continued(verdict: Verdict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write

    def short(fd: int, data: bytes | memoryview) -> int:
        return real_write(fd, bytes(data[:7]))

    monkeypatch.setattr(files.os, "write", short)
    files.write_reports(verdict, {"markdown": tmp_path / "r.md"})
    assert (tmp_path / "r.md").read_bytes() == _render("markdown", verdict)


def test_report_files_pass_the_runs_secret_scrubber(tmp_path: Path, make_audit: MakeAudit) -> None:
    """A secret the run knows never reaches a report file, whichever renderer carried it
    (here the stack's name stands in for a secret that escaped the structured scrub)."""
    from cdcml import secrets
    from cdcml.report.files import write_reports

    secrets.forget_all()
    secrets.remember("organization/cdcml/seed")
    try:
        write_reports(make_audit(), {"sarif": tmp_path / "r.sarif", "markdown": tmp_path / "r.md"})
    finally:
        secrets.forget_all()
    for name in ("r.sarif", "r.md"):
        text = (tmp_path / name).read_text()
        assert "organization/cdcml/seed" not in text and "[secret]" in text
