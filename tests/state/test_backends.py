"""Self-managed backends on the file system: layouts, stack selection, locks, URLs, and
read-only-ness; `cdcml policy analyze --backend file://…` end to end."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from cdcml.errors import BackendError
from cdcml.report import REPORT_SCHEMA
from cdcml.runs.analyze import analyze_backend
from cdcml.state.backends import Backend, open_backend, parse_stack_ref
from cdcml.state.stores import FileStore
from tests.fixtures.cli import assert_verdicts, cli, lock_note, one_line_error
from tests.fixtures.state.builders import (
    AUDIT_PACK,
    EXPECTED_LEGACY_MANDATORY,
    EXPECTED_MANDATORY,
    LOCK,
    legacy_layout,
    project_layout,
    write_tree,
)


@pytest.fixture(scope="module")
def project_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("project-backend"), project_layout())


@pytest.fixture(scope="module")
def legacy_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("legacy-backend"), legacy_layout())


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            st = p.stat()
            out[p.relative_to(root).as_posix()] = (
                st.st_mtime_ns,
                st.st_size,
                hashlib.sha256(p.read_bytes()).hexdigest(),
            )
    return out


# --------------------------------------------------------------------------- layout


def test_project_layout_lists_every_stack_once_with_its_newest_file_and_lock(project_backend):
    backend = open_backend(f"file://{project_backend}")
    assert backend.version == 1
    stacks = {str(s.ref): s for s in backend.stacks()}
    assert sorted(stacks) == sorted(EXPECTED_MANDATORY)
    assert stacks["organization/cdcml/prod"].key == ".pulumi/stacks/cdcml/prod.json.gz"
    assert stacks["organization/analytics/staging"].key == ".pulumi/stacks/analytics/staging.json.zst"
    qa = stacks["organization/analytics/qa"]
    assert [(lock.username, lock.hostname, lock.pid) for lock in qa.locks] == [("alice", "build-7", 4242)]
    assert qa.locks[0].timestamp == "2025-03-01T10:15:30+00:00"
    assert qa.locks[0].describe() == "locked by alice@build-7 (pid 4242) since 2025-03-01T10:15:30+00:00"
    assert not any(s.locks for name, s in stacks.items() if name != "organization/analytics/qa")


def test_the_most_recently_modified_variant_of_a_stack_file_is_its_state(tmp_path):
    root = write_tree(tmp_path, {".pulumi/meta.yaml": b"version: 1\n"})
    stacks = root / ".pulumi" / "stacks" / "p"
    stacks.mkdir(parents=True)
    (stacks / "s.json").write_bytes(b"{}")
    (stacks / "s.json.gz").write_bytes(b"{}")
    os.utime(stacks / "s.json", (1_700_000_000, 1_700_000_000))
    os.utime(stacks / "s.json.gz", (1_600_000_000, 1_600_000_000))
    assert open_backend(f"file://{root}").find("organization/p/s").key == ".pulumi/stacks/p/s.json"
    os.utime(stacks / "s.json.gz", (1_800_000_000, 1_800_000_000))
    assert open_backend(f"file://{root}").find("organization/p/s").key == ".pulumi/stacks/p/s.json.gz"


def test_legacy_layout_without_meta_yaml(legacy_backend):
    backend = open_backend(f"file://{legacy_backend}")
    assert backend.version == 0 and backend.legacy
    stacks = {s.ref.stack: s for s in backend.stacks()}
    assert sorted(stacks) == ["legacy-a", "legacy-b"]
    assert stacks["legacy-b"].locks[0].username == "alice"
    assert stacks["legacy-a"].ref.project == ""  # only the state knows


def test_empty_directory_is_a_project_layout_with_no_stacks_and_nothing_is_created(tmp_path):
    backend = open_backend(f"file://{tmp_path}")
    assert backend.version == 1 and backend.stacks() == []
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(BackendError, match="no stacks to analyze"):
        analyze_backend(f"file://{tmp_path}", pack_dirs=[AUDIT_PACK])


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        (b"version: 2\n", "meta.yaml version 2 is newer than cdcml reads"),
        (b"version: [\n", "is not valid YAML"),
        (b"other: 1\n", "missing version"),
    ],
)
def test_unsupported_or_corrupt_meta_yaml(tmp_path, meta, problem):
    write_tree(tmp_path, {".pulumi/meta.yaml": meta})
    with pytest.raises(BackendError, match=problem):
        open_backend(f"file://{tmp_path}")


def test_find_and_select(project_backend):
    backend = open_backend(f"file://{project_backend}")
    assert str(backend.find("organization/cdcml/dev").ref) == "organization/cdcml/dev"
    assert str(backend.find("qa").ref) == "organization/analytics/qa"  # unambiguous
    assert [str(s.ref) for s in backend.select("analytics")] == [
        "organization/analytics/qa",
        "organization/analytics/staging",
    ]
    with pytest.raises(BackendError, match=r"no stack 'organization/cdcml/nope'.*organization/analytics/qa"):
        backend.find("organization/cdcml/nope")
    write_tree(project_backend, {".pulumi/stacks/analytics/dev.json": b"{}"})
    try:
        with pytest.raises(BackendError, match=r"exists in several projects .*pass organization/<project>/dev"):
            open_backend(f"file://{project_backend}").find("dev")
    finally:
        (project_backend / ".pulumi/stacks/analytics/dev.json").unlink()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("organization/p/s", ("p", "s")),
        ("organization/s", ("", "s")),
        ("s", ("", "s")),
    ],
)
def test_parse_stack_ref(text, expected):
    assert parse_stack_ref(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("acme/p/s", "the single organization 'organization'"),
        ("organization/p q/s", "not a valid project name"),
        ("organization/p/s!", "not a valid stack name"),
        ("a/b/c/d", "expected organization/<project>/<stack>"),
    ],
)
def test_invalid_stack_refs(text, problem):
    with pytest.raises(BackendError, match=problem):
        parse_stack_ref(text)


def test_the_file_store_has_no_way_to_write():
    """Read-only by construction: the stores expose listing and reading, nothing else."""
    public = {name for name in dir(FileStore) if not name.startswith("_")}
    assert public == {"list", "read", "object_url", "close"}
    assert {name for name in dir(Backend) if not name.startswith("_")} == {
        "close",
        "find",
        "legacy",
        "read",
        "select",
        "stacks",
    }


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        (b"version: 2\n", "state store unsupported: .pulumi/meta.yaml version 2 is newer than cdcml reads (0-1)"),
        (b"version: -1\n", "state store unsupported: .pulumi/meta.yaml version -1 is newer than cdcml reads (0-1)"),
        (b"version: [\n", "corrupt store: .pulumi/meta.yaml is not valid YAML"),
        (b"\xff\xfe", "corrupt store: .pulumi/meta.yaml is not valid YAML"),
        (b"", "corrupt store: missing version in .pulumi/meta.yaml"),
        (b"- 1\n", "corrupt store: missing version in .pulumi/meta.yaml"),
        (b"version: true\n", "corrupt store: missing version in .pulumi/meta.yaml"),
        (b"version: '1'\n", "corrupt store: missing version in .pulumi/meta.yaml"),
        (
            b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [" + b", ".join([b"*a"] * 10) + b"]\n"
            b"c: &c [" + b", ".join([b"*b"] * 10) + b"]\nd: &d [" + b", ".join([b"*c"] * 10) + b"]\n"
            b"e: [" + b", ".join([b"*d"] * 10) + b"]\nversion: 1\n",
            "corrupt store: .pulumi/meta.yaml line 5: aliases expand to more than 100,000 nodes",
        ),
        (
            b"version: " + b"9" * 5000 + b"\n",
            "corrupt store: .pulumi/meta.yaml line 1: an integer of 5,000 digits is out of range "
            "(Pulumi numbers are 64-bit floats, at most ~1.8e308)",
        ),
    ],
)
def test_meta_yaml_errors_name_the_backend(tmp_path, meta, problem):
    write_tree(tmp_path, {".pulumi/meta.yaml": meta})
    with pytest.raises(BackendError) as e:
        open_backend(f"file://{tmp_path}")
    assert e.value.message == f"file://{tmp_path}: {problem}"


def test_meta_yaml_version_0_is_the_legacy_layout_even_without_stacks(tmp_path):
    write_tree(tmp_path, {".pulumi/meta.yaml": b"version: 0\n"})
    backend = open_backend(f"file://{tmp_path}")
    assert (backend.version, backend.legacy, backend.stacks(), backend.warnings) == (0, True, [], [])


def test_legacy_stack_files_in_a_project_layout_are_a_warning(tmp_path):
    objects = {f".pulumi/stacks/s{i}.json": b"{}" for i in range(7)}
    root = write_tree(tmp_path, {".pulumi/meta.yaml": b"version: 1\n", ".pulumi/stacks/p/a.json": b"{}", **objects})
    backend = open_backend(f"file://{root}")
    assert [str(s.ref) for s in backend.stacks()] == ["organization/p/a"]
    assert backend.warnings == [
        f"file://{root}: legacy stack files in a project-layout backend are not analyzed: "
        "s0.json, s1.json, s2.json, s3.json, s4.json … (run `pulumi state upgrade`)"
    ]


def test_only_stack_files_with_valid_names_are_stacks(tmp_path):
    root = write_tree(
        tmp_path,
        {
            ".pulumi/meta.yaml": b"version: 1\n",
            ".pulumi/stacks/p/ok.json.zst": b"{}",
            ".pulumi/stacks/p/ok.json.bak": b"{}",
            ".pulumi/stacks/p/bad!.json": b"{}",
            ".pulumi/stacks/bad project/x.json": b"{}",
            ".pulumi/stacks/p/deeper/x.json": b"{}",
            ".pulumi/stacks/p/dir.json/x": b"{}",
        },
    )
    assert [(str(s.ref), s.key) for s in open_backend(f"file://{root}").stacks()] == [
        ("organization/p/ok", ".pulumi/stacks/p/ok.json.zst")
    ]


def test_locks_are_read_leniently_and_only_from_the_layouts_lock_paths(tmp_path):
    locks = ".pulumi/locks/organization/p/s/"
    root = write_tree(
        tmp_path,
        {
            ".pulumi/meta.yaml": b"version: 1\n",
            ".pulumi/stacks/p/s.json": b"{}",
            f"{locks}1.json": json.dumps(
                {"pid": 7, "username": "u" * 150, "hostname": "h", "timestamp": "2025-01-02T03:04:05.999+02:00"}
            ).encode(),
            f"{locks}2.json": b"not json",
            f"{locks}3.json": b"[1]",
            f"{locks}4.json": json.dumps({"pid": True, "timestamp": "yesterday"}).encode(),
            f"{locks}5.json": json.dumps({"pid": "1", "timestamp": 5}).encode(),
            f"{locks}6.json": json.dumps({"timestamp": "2025-13-45T99:99:99Z"}).encode(),
            f"{locks}7.txt": b"{}",
            f"{locks}8.json": b'{"pid": ' + b"9" * 400 + b', "username": "\\ud800"}',
            ".pulumi/locks/s/8.json": b"{}",  # the legacy layout's lock path
            ".pulumi/locks/acme/p/s/9.json": b"{}",
        },
    )
    [stack] = open_backend(f"file://{root}").stacks()
    assert [(lock.key.rsplit("/", 1)[1], lock.pid, lock.username, lock.timestamp) for lock in stack.locks] == [
        ("1.json", 7, "u" * 100, "2025-01-02T03:04:05+02:00"),
        ("2.json", None, "", ""),
        ("3.json", None, "", ""),
        ("4.json", None, "", "yesterday"),
        ("5.json", None, "", ""),
        ("6.json", None, "", "2025-13-45T99:99:99Z"),
        ("8.json", None, "", ""),
    ]


def test_legacy_layout_stacks_and_locks(tmp_path):
    root = write_tree(
        tmp_path,
        {
            ".pulumi/stacks/a.json": b"{}",
            ".pulumi/stacks/b.json.gz": b"{}",
            ".pulumi/stacks/p/c.json": b"{}",  # not a legacy stack file
            ".pulumi/locks/a/1.json": json.dumps({"pid": 1, "username": "x", "hostname": "y"}).encode(),
            ".pulumi/locks/organization/p/a/2.json": b"{}",  # the project layout's lock path
        },
    )
    backend = open_backend(f"file://{root}")
    assert [(str(s.ref), s.legacy, [lock.describe() for lock in s.locks]) for s in backend.stacks()] == [
        ("a", True, ["locked by x@y (pid 1)"]),
        ("b", True, []),
    ]
    assert [str(s.ref) for s in backend.select("any")] == ["a", "b"]  # the project is in the state
    assert str(backend.find("organization/x/a").ref) == "a"
    with pytest.raises(BackendError) as e:
        backend.find("zz")
    assert e.value.message == f"file://{root}: no stack 'zz' (stacks: a, b)"


def test_find_lists_at_most_ten_stacks(tmp_path):
    objects = {f".pulumi/stacks/p/s{i:02}.json": b"{}" for i in range(12)}
    root = write_tree(tmp_path, {".pulumi/meta.yaml": b"version: 1\n", **objects})
    with pytest.raises(BackendError) as e:
        open_backend(f"file://{root}").find("nope")
    known = ", ".join(f"organization/p/s{i:02}" for i in range(10))
    assert e.value.message == f"file://{root}: no stack 'nope' (stacks: {known} …)"


def test_a_stack_file_that_disappears_before_it_is_read(tmp_path):
    root = write_tree(tmp_path, {".pulumi/meta.yaml": b"version: 1\n", ".pulumi/stacks/p/s.json": b"{}"})
    backend = open_backend(f"file://{root}")
    [stack] = backend.stacks()
    (root / stack.key).unlink()
    with pytest.raises(BackendError) as e:
        backend.read(stack)
    assert e.value.message == f"{root}/.pulumi/stacks/p/s.json: the stack's state disappeared while reading the backend"


# --------------------------------------------------------------------------- end to end


def test_analyze_all_stacks_of_a_project_layout_backend(project_backend, capsys):
    before = snapshot(project_backend)
    code, out, err = cli(
        capsys, "policy", "analyze", "--backend", f"file://{project_backend}", "--all", "--policy-pack", str(AUDIT_PACK)
    )
    assert code == 1, err
    lines = out.splitlines()
    assert_verdicts(out, EXPECTED_MANDATORY)
    assert lock_note(out, "organization/analytics/qa").startswith(
        "update in progress: locked by alice@build-7 (pid 4242)"
    )
    assert "5 stacks (1 with an update in progress)" in out and "2 mandatory" in lines[-1] and "FAIL" in lines[-1]
    assert snapshot(project_backend) == before


def test_analyze_one_stack_json_and_a_project_filter(project_backend, capsys):
    import jsonschema

    url = f"file://{project_backend}"
    code, out, err = cli(
        capsys, "policy", "analyze", "--backend", url, "--stack", "organization/cdcml/dev", "--json",
        "--policy-pack", str(AUDIT_PACK),
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    jsonschema.validate(doc, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)
    assert (doc["project"], doc["stack"], doc["source"]) == ("cdcml", "dev", "state")
    assert doc["state"]["location"].endswith(".pulumi/stacks/cdcml/dev.json")
    code, out, err = cli(
        capsys, "policy", "analyze", "--backend", url, "--all", "--project", "analytics", "--json",
        "--policy-pack", str(AUDIT_PACK),
    )  # fmt: skip
    assert code == 1, err
    doc = json.loads(out)
    jsonschema.validate(doc, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)
    assert [s["stack"] for s in doc["stacks"]] == ["qa", "staging"]
    assert doc["summary"]["locked"] == 1 and doc["summary"]["stacks"] == 2
    qa = doc["stacks"][0]
    assert qa["locks"] == [
        {
            "key": ".pulumi/locks/organization/analytics/qa/6f1d2c3e-0b7a-4c55-9a1e-2d7f0e9c8b41.json",
            "owner": LOCK["username"],
            "hostname": LOCK["hostname"],
            "pid": LOCK["pid"],
            "timestamp": "2025-03-01T10:15:30+00:00",
        }
    ]


def test_analyze_a_legacy_backend_reads_projects_from_the_state(legacy_backend, capsys):
    url = f"file://{legacy_backend}"
    before = snapshot(legacy_backend)
    code, out, err = cli(capsys, "policy", "analyze", "--backend", url, "--all", "--policy-pack", str(AUDIT_PACK))
    assert code == 1, err
    assert_verdicts(out, EXPECTED_LEGACY_MANDATORY)
    assert lock_note(out, "organization/analytics/legacy-b").startswith("update in progress: locked by alice")
    code, out, err = cli(
        capsys, "policy", "analyze", "--backend", url, "--all", "--project", "analytics",
        "--policy-pack", str(AUDIT_PACK),
    )  # fmt: skip
    assert code == 0, err
    assert "organization/analytics/legacy-b" in out and "legacy-a" not in out
    code, _, err = cli(
        capsys, "policy", "analyze", "--backend", url, "--stack", "organization/analytics/legacy-a",
        "--policy-pack", str(AUDIT_PACK),
    )  # fmt: skip
    assert code == 2
    assert "belongs to project 'cdcml', not 'analytics'" in one_line_error(err)
    assert snapshot(legacy_backend) == before


def test_a_corrupt_stack_fails_the_run_with_nothing_printed_as_complete(tmp_path, capsys):
    objects = dict(project_layout())
    objects[".pulumi/stacks/cdcml/zz-broken.json"] = b'{"version": 3, "deployment": {"resources": [{"urn": 1}]}}'
    root = write_tree(tmp_path / "b", objects)
    reports = tmp_path / "reports"
    reports.mkdir()
    code, out, err = cli(
        capsys, "policy", "analyze", "--backend", f"file://{root}", "--all", "--policy-pack", str(AUDIT_PACK),
        "--sarif", str(reports / "a.sarif"), "--junit", str(reports / "a.xml"), "--markdown", str(reports / "a.md"),
        "--json",
    )  # fmt: skip
    assert code == 2 and out == ""
    assert "stack organization/cdcml/zz-broken" in one_line_error(err)
    assert list(reports.iterdir()) == []


def test_usage_errors_are_one_line(capsys, project_backend):
    url = f"file://{project_backend}"
    for args, problem in [
        ((), "pass --file EXPORT or --backend URL"),
        (("--file", "x.json", "--backend", url), "either --file or --backend"),
        (("--backend", url), "pass --stack organization/<project>/<stack> or --all"),
        (("--backend", url, "--stack", "s", "--all"), "either --stack or --all"),
        (("--backend", url, "--project", "p", "--stack", "organization/p/s"), "--project goes with --all"),
        (("--file", "x.json", "--all"), "go with --backend"),
        (("--backend", url, "--all", "--sarif", str(project_backend / "no" / "x.sarif")), "does not exist"),
    ]:
        code, out, err = cli(capsys, "policy", "analyze", *args)
        assert code == 2 and out == "", args
        assert problem in one_line_error(err), args


def test_backend_url_defaults_to_pulumi_backend_url(project_backend, capsys, monkeypatch):
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{project_backend}")
    code, out, err = cli(
        capsys, "policy", "analyze", "--stack", "organization/cdcml/prod", "--policy-pack", str(AUDIT_PACK)
    )
    assert code == 0, err
    assert "organization/cdcml/prod" in out


def test_progress_is_reported_per_stack(project_backend):
    seen: list[tuple[str, int, int]] = []
    audit = analyze_backend(
        f"file://{project_backend}", pack_dirs=[AUDIT_PACK], progress=lambda *a: seen.append(a), workers=2
    )
    assert [s.name for s in audit.stacks] == sorted(EXPECTED_MANDATORY)
    assert seen[:-1] == [(name, i, 5) for i, name in enumerate(sorted(EXPECTED_MANDATORY))]
    assert seen[-1] == ("5 stacks", 5, 5)
