"""``file://`` stores: URLs, listing and reading a backend directory."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from cdcml.errors import BackendError
from cdcml.inputs import input_limit
from cdcml.state.stores import FileStore, ObjectNotFound, open_store
from tests.fixtures.state.builders import write_tree


def test_file_urls_accept_relative_and_home_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "state").mkdir()
    store = open_store("file://state")
    assert isinstance(store, FileStore) and store.root == tmp_path / "state"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert open_store("file://~/state?no_tmp_dir=true").root == tmp_path / "state"  # type: ignore[attr-defined]


def test_the_store_url_is_the_resolved_directory(tmp_path, monkeypatch):
    (tmp_path / "a b").mkdir()
    monkeypatch.chdir(tmp_path)
    store = open_store("file://./x/../a%20b/?metadata=skip&create_dir=1")
    assert store.url == f"file://{(tmp_path / 'a b').as_posix()}"
    assert store.object_url(".pulumi/meta.yaml") == str(tmp_path / "a b" / ".pulumi" / "meta.yaml")


def test_file_url_errors_are_one_line(tmp_path):
    afile = tmp_path / "f"
    afile.write_text("x")
    known = "base_url, create_dir, dir_file_mode, metadata, no_tmp_dir, secret_key_path"
    for url, message in [
        ("file://", "invalid backend URL 'file://': file:// needs a directory"),
        # The query is checked first, even without a directory.
        ("file://?bogus=1", f"file://?bogus=1: unknown query parameter 'bogus' (known: {known})"),
        (f"file://{tmp_path}/nope", f"file://{tmp_path}/nope: directory {tmp_path}/nope does not exist"),
        (f"file://{afile}", f"file://{afile}: {afile} is not a directory"),
    ]:
        with pytest.raises(BackendError) as e:
            open_store(url)
        assert e.value.message == message


def test_listing_is_recursive_sorted_and_filtered_by_key_prefix(tmp_path):
    """The backend lists directories (a prefix ending in ``/``) and key prefixes."""
    root = write_tree(
        tmp_path,
        {
            ".pulumi/stacks/p/b.json": b"{}",
            ".pulumi/stacks/p/a.json.gz": b"xx",
            ".pulumi/stacks-old/x.json": b"{}",
            ".pulumi/meta.yaml": b"version: 1\n",
        },
    )
    store = FileStore(root, f"file://{root}")
    assert [o.key for o in store.list(".pulumi/stacks/")] == [".pulumi/stacks/p/a.json.gz", ".pulumi/stacks/p/b.json"]
    [info] = store.list(".pulumi/stacks/p/a")
    st = os.stat(root / info.key)
    assert (info.size, info.etag) == (2, f"{st.st_mtime_ns:x}-{st.st_size:x}")
    assert info.modified == dt.datetime.fromtimestamp(st.st_mtime, dt.UTC)
    assert store.list(".pulumi/locks/") == []


def test_reading_a_missing_object_or_a_directory_is_not_found(tmp_path):
    root = write_tree(tmp_path, {".pulumi/stacks/p/s.json": b"{}"})
    store = FileStore(root, f"file://{root}")
    assert store.read(".pulumi/stacks/p/s.json") == b"{}"
    for key in (".pulumi/meta.yaml", ".pulumi/stacks/p", ".pulumi/stacks/p/s.json/x"):
        with pytest.raises(ObjectNotFound):
            store.read(key)


def test_a_stack_file_that_is_a_fifo_or_a_link_to_a_device_is_refused_without_blocking(tmp_path):
    root = write_tree(tmp_path, {".pulumi/meta.yaml": b"version: 1\n"})
    (root / ".pulumi/stacks/p").mkdir(parents=True)
    os.mkfifo(root / ".pulumi/stacks/p/fifo.json")
    (root / ".pulumi/stacks/p/zero.json").symlink_to("/dev/zero")
    store = FileStore(root, f"file://{root}")
    for name, kind in (("fifo", "a FIFO or pipe"), ("zero", "a character device")):
        with pytest.raises(BackendError) as e:
            store.read(f".pulumi/stacks/p/{name}.json")
        assert e.value.message == f"{root}/.pulumi/stacks/p/{name}.json: {kind}, not a regular file"


def test_an_object_over_the_input_size_limit_is_refused(tmp_path):
    root = write_tree(tmp_path, {".pulumi/stacks/p/s.json": b"{}" * 600})
    store = FileStore(root, f"file://{root}")
    with input_limit(1000), pytest.raises(BackendError) as e:
        store.read(".pulumi/stacks/p/s.json")
    assert e.value.message.startswith(f"{root}/.pulumi/stacks/p/s.json: larger than 1000 bytes, the input size limit")
