"""The object-store registry: how a backend URL reaches the store of its scheme, the
messages of URLs no store serves, a scheme added with one table entry, and the helpers the
schemes share (query parameters, SDK failures)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cdcml.errors import BackendError
from cdcml.state.backends import open_backend
from cdcml.state.stores import (
    SCHEMES,
    AzureBlobStore,
    FileStore,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    S3Store,
    StoreScheme,
    StoreURL,
    base,
    open_store,
)
from cdcml.state.stores.base import (
    MIN_READ_RATE,
    Deadline,
    bucket_and_prefix,
    query_bool,
    query_params,
    scrub,
    transport_reason,
    within_deadline,
)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "invalid backend URL"),
        ("/just/a/path", "expected file://DIR"),
        ("gs://bucket", "gs:// backends are not supported"),
        ("ftp://x", "unknown scheme 'ftp'"),
        ("file://", "file:// needs a directory"),
        ("file:///does/not/exist", "does not exist"),
        ("s3://", "missing the bucket"),
        ("s3://bucket?bogus=1", "unknown query parameter 'bogus'"),
        ("s3://bucket?s3ForcePathStyle=maybe", "invalid value 'maybe' for query parameter 's3ForcePathStyle'"),
        ("azblob://c?protocol=ftp", "protocol must be http or https"),
        ("azblob://c?nope=1", "unknown query parameter 'nope'"),
    ],
)
def test_invalid_backend_urls(url, problem):
    with pytest.raises(BackendError, match=problem):
        open_store(url)


def test_the_table_holds_the_three_schemes_in_the_order_messages_list_them():
    assert list(SCHEMES) == ["file", "s3", "azblob"]
    assert [s.shape for s in SCHEMES.values()] == ["file://DIR", "s3://BUCKET", "azblob://CONTAINER"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "invalid backend URL '': expected file://DIR, s3://BUCKET or azblob://CONTAINER"),
        ("/p", "invalid backend URL '/p': expected file://DIR, s3://BUCKET or azblob://CONTAINER"),
        ("gs://b", "gs:// backends are not supported by cdcml (file://, s3://, azblob://)"),
        ("postgres://x", "postgres:// backends are not supported by cdcml (file://, s3://, azblob://)"),
        ("HTTPS://x", "https:// backends are not supported by cdcml (file://, s3://, azblob://)"),
        ("FTP://x", "invalid backend URL 'FTP://x': unknown scheme 'ftp' (file://, s3://, azblob://)"),
    ],
)
def test_urls_no_store_serves_are_one_line_naming_the_known_schemes(url, message):
    with pytest.raises(BackendError) as e:
        open_store(url)
    assert e.value.message == message


@pytest.mark.parametrize(
    ("url", "kind"),
    [("file://.", FileStore), ("FILE://.", FileStore), ("s3://b?region=us-east-1", S3Store)],
)
def test_the_scheme_is_case_insensitive_and_picks_its_store(url, kind):
    store = open_store(url)
    try:
        assert isinstance(store, kind)
    finally:
        store.close()


class MemoryStore(ObjectStore):
    """A store of a scheme the registry doesn't ship: objects in a dict."""

    def __init__(self, objects: dict[str, bytes], url: str) -> None:
        self.objects = objects
        self.url = url
        self.closed = False

    def list(self, prefix: str) -> list[ObjectInfo]:
        return [ObjectInfo(k, len(v), None) for k, v in sorted(self.objects.items()) if k.startswith(prefix)]

    def read(self, key: str) -> bytes:
        try:
            return self.objects[key]
        except KeyError:
            raise ObjectNotFound(key) from None

    def close(self) -> None:
        self.closed = True


def test_a_new_scheme_is_one_store_and_one_table_entry(monkeypatch):
    objects = {
        ".pulumi/meta.yaml": b"version: 1\n",
        ".pulumi/stacks/p/dev.json": b"{}",
        ".pulumi/locks/organization/p/dev/1.json": b'{"username": "bob", "hostname": "ci", "pid": 7}',
    }
    opened: list[StoreURL] = []

    def open_memory(url: StoreURL, timeout: float) -> MemoryStore:
        opened.append(url)
        return MemoryStore(objects, f"mem://{url.location}")

    monkeypatch.setitem(SCHEMES, "mem", StoreScheme("mem", "mem://NAME", open_memory))
    with open_backend("MEM://box?x=1", timeout=5) as backend:
        [stack] = backend.stacks()
        assert str(stack.ref) == "organization/p/dev" and stack.url == "mem://box/.pulumi/stacks/p/dev.json"
        assert stack.locks[0].describe() == "locked by bob@ci (pid 7)"
        assert backend.read(stack) == b"{}"
    assert opened == [StoreURL("MEM://box?x=1", "mem", "box", "x=1")]
    with pytest.raises(BackendError) as e:
        open_store("ftp://x")
    assert e.value.message == "invalid backend URL 'ftp://x': unknown scheme 'ftp' (file://, s3://, azblob://, mem://)"
    with pytest.raises(BackendError) as e:
        open_store("x")
    assert e.value.message.endswith("expected file://DIR, s3://BUCKET, azblob://CONTAINER or mem://NAME")


def test_a_store_is_closed_when_its_backend_layout_is_refused(monkeypatch):
    store = MemoryStore({".pulumi/meta.yaml": b"version: 7\n"}, "mem://x")
    monkeypatch.setitem(SCHEMES, "mem", StoreScheme("mem", "mem://NAME", lambda url, timeout: store))
    with pytest.raises(BackendError, match="version 7 is newer than cdcml reads"):
        open_backend("mem://x")
    assert store.closed


def test_the_stores_can_only_list_and_read():
    """Read-only by construction: no store has a way to write, delete or lock."""
    for kind in (FileStore, S3Store, AzureBlobStore):
        assert {n for n in dir(kind) if not n.startswith("_")} == {"list", "read", "object_url", "close"}, kind


def test_reading_a_file_backend_imports_no_cloud_sdk(tmp_path):
    """`cdcml policy analyze --file` and file:// backends never need boto3 or the Azure SDK:
    the s3 and azblob modules import them only when a store of theirs is opened."""
    code = (
        "import sys\n"
        "import cdcml.cli, cdcml.runs.analyze\n"
        "from cdcml.state.backends import open_backend\n"
        f"open_backend({f'file://{tmp_path}'!r}).stacks()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'azure', 's3transfer'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd())
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- shared helpers


def test_query_params_keep_the_last_value_and_refuse_unknown_ones():
    assert query_params("u", "a=1&b=&a=2", frozenset({"a", "b"})) == {"a": "2", "b": ""}
    with pytest.raises(BackendError) as e:
        query_params("s3://b?z=1&y=2", "z=1&y=2", frozenset({"b", "a"}))
    assert e.value.message == "s3://b?z=1&y=2: unknown query parameter 'z' (known: a, b)"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("b", ("b", "", "s3://b")),
        ("b/", ("b", "", "s3://b")),
        ("b//team/a//", ("b", "team/a/", "s3://b/team/a")),
    ],
)
def test_bucket_and_prefix(location, expected):
    assert bucket_and_prefix(StoreURL(f"s3://{location}", "s3", location, "")) == expected


def test_a_url_without_a_bucket_is_refused_before_its_query():
    with pytest.raises(BackendError) as e:
        bucket_and_prefix(StoreURL("azblob:///p?bogus=1", "azblob", "/p", "bogus=1"))
    assert e.value.message == "invalid backend URL 'azblob:///p?bogus=1': missing the bucket or container name"


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("t", True), ("True", True), ("0", False), ("", False)])
def test_query_bool_reads_go_booleans(value, expected):
    assert query_bool({"k": value}, "k") is expected
    assert query_bool({}, "k") is False


def test_query_bool_refuses_anything_else():
    with pytest.raises(BackendError) as e:
        query_bool({"fips": "yes"}, "fips")
    assert e.value.message == "invalid value 'yes' for query parameter 'fips': expected true or false"


def _chained(outer: Exception, inner: Exception) -> Exception:
    """*outer*, raised from *inner* (its ``__cause__``)."""
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (ConnectionRefusedError(), "connection refused"),
        (_chained(RuntimeError("x"), ConnectionRefusedError()), "connection refused"),
        (_chained(RuntimeError("x"), TimeoutError()), "timed out after 2.5s"),
        (type("ReadTimeoutError", (Exception,), {})(), "timed out after 2.5s"),
        (RuntimeError("Connection refused by peer"), "connection refused"),
        (RuntimeError("the read timed out"), "timed out after 2.5s"),
        (RuntimeError("[Errno -2] Name or service not known"), "host name not found"),
        (RuntimeError("Connection aborted."), "the connection was closed by the server"),
        (OSError("something else"), "connection failed (OSError)"),
    ],
)
def test_transport_reason(exc, reason):
    assert transport_reason(exc, 2.5) == reason


def test_scrub_drops_signatures_and_keys_and_keeps_one_short_line():
    text = "bad  url ?sv=2020&sig=abc%2F&se=x\nAccountKey=k3y;SharedAccessSignature=s"
    assert scrub(text) == (
        "bad url ?sv=[redacted]&sig=[redacted]&se=[redacted] AccountKey=[redacted];SharedAccessSignature=[redacted]"
    )
    assert len(scrub("x" * 1000)) == 300


# --------------------------------------------------------------------------- total time limits


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_deadline_waits_for_the_response_then_for_the_object_at_a_mebibyte_a_second(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(base.time, "monotonic", clock)
    d = Deadline(2.0)
    assert d.until == 100.0 + 10 * 2.0 + 5.0  # the SDK's attempts and back-off, however slow each is
    clock.now = 103.0
    d.body(3 * MIN_READ_RATE)
    assert d.until == 103.0 + 2.0 + 3.0
    d.progress(10)
    assert (d.until, d.received) == (108.0, 10)
    d.progress(5 * MIN_READ_RATE)  # more than announced: the time grows with what arrives
    assert d.until == 103.0 + 2.0 + 5.0
    d.body(None)
    assert d.until == 105.0
    clock.now = 110.5
    assert d.message("s3://b", "read k") == (
        "s3://b: read k timed out after 10.5s in total (5,242,880 bytes arrived; a request may take "
        "--backend-timeout 2s, then 1 s per MiB)"
    )


def test_within_deadline_returns_the_answer_or_the_failure_of_the_call():
    assert within_deadline(lambda d: d.timeout * 2, 1.5, "w", "list") == 3.0
    with pytest.raises(KeyError, match="k"):
        within_deadline(lambda d: {}["k"], 1.0, "w", "list")


def test_within_deadline_gives_up_on_a_call_past_its_deadline():
    release = threading.Event()

    def trickle(deadline: Deadline) -> bytes:
        deadline.body(100)
        for i in range(100):
            deadline.progress(i)
            if release.wait(0.05):
                break
        return b"late"

    start = time.monotonic()
    with pytest.raises(BackendError) as e:
        within_deadline(trickle, 0.2, "s3://b (endpoint http://h)", "read k")
    release.set()
    assert time.monotonic() - start < 2
    assert e.value.message.startswith("s3://b (endpoint http://h): read k timed out after 0.")
    assert "a request may take --backend-timeout 0.2s, then 1 s per MiB" in e.value.message
