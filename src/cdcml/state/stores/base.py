"""What every object store shares: the read-only interface, the scheme a store registers,
and the helpers each scheme uses to parse its URL and to turn SDK failures into one
credential-free line.

The scheme modules (:mod:`~cdcml.state.stores.file`, :mod:`~cdcml.state.stores.s3`,
:mod:`~cdcml.state.stores.azblob`) import only this module; the registry in
:mod:`cdcml.state.stores` imports them.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from cdcml.errors import BackendError

__all__ = [
    "DEFAULT_TIMEOUT",
    "MIN_READ_RATE",
    "Deadline",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "StoreScheme",
    "StoreURL",
    "bucket_and_prefix",
    "query_bool",
    "query_params",
    "scrub",
    "transport_reason",
    "truthy",
    "within_deadline",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds a store waits for a connection or a response (``--backend-timeout``)."""

MIN_READ_RATE = 1024 * 1024
"""Bytes per second a read must average once its response has started (after a grace of
``--backend-timeout`` seconds): 1 MiB/s, a 300 MB state in five minutes."""

RESPONSE_WAIT = (10, 5.0)
"""A request's response must start within ``10 × --backend-timeout + 5`` seconds: room for
the SDK's three attempts (each may wait for the connection and for the response) and its
back-off between them, however slowly a server answers byte by byte."""

_T = TypeVar("_T")
_SECRETISH = re.compile(r"(?i)(sig|se|sp|sv|sr|st|skoid|sktid|accountkey|sharedaccesssignature)=[^&;\s]+")


# --------------------------------------------------------------------------- the interface


@dataclass(frozen=True)
class ObjectInfo:
    """One object of a store: its key (relative to the backend root), size, last
    modification time and entity tag (what a read-only check compares)."""

    key: str
    size: int
    modified: dt.datetime | None
    etag: str = ""


class ObjectNotFound(Exception):
    """No object has the key a store was asked to read."""


class ObjectStore(abc.ABC):
    """A read-only view of a bucket or directory: it can list and read, nothing else."""

    url: str

    @abc.abstractmethod
    def list(self, prefix: str) -> list[ObjectInfo]:
        """Every object whose key starts with *prefix*, recursively, sorted by key."""

    @abc.abstractmethod
    def read(self, key: str) -> bytes:
        """The bytes of *key*; raises :class:`ObjectNotFound` when there is no such object."""

    def object_url(self, key: str) -> str:
        return f"{self.url.rstrip('/')}/{key}"

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections (nothing to do for most stores)."""


# --------------------------------------------------------------------------- time limits


class Deadline:
    """When one request must be over. Socket timeouts only bound the wait for the next
    byte, so a server sending one byte a second could hold a run forever; this bounds the
    whole request: until its response starts, :data:`RESPONSE_WAIT`; then
    ``--backend-timeout`` seconds plus one second per MiB of the object (its announced size,
    or what has arrived, whichever is more: :data:`MIN_READ_RATE`)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.start = time.monotonic()
        self.until = self.start + RESPONSE_WAIT[0] * timeout + RESPONSE_WAIT[1]
        self.received = 0
        self._body = self.start
        self._size = 0

    def body(self, size: int | None) -> None:
        """The response has started; the object has *size* bytes (``None``: not said)."""
        self._body = time.monotonic()
        self._size = size or 0
        self.until = self._body + self.timeout + self._size / MIN_READ_RATE

    def progress(self, received: int) -> None:
        """*received* bytes of the object have arrived."""
        self.received = received
        self.until = self._body + self.timeout + max(self._size, received) / MIN_READ_RATE

    def message(self, where: str, what: str) -> str:
        took = time.monotonic() - self.start
        return (
            f"{where}: {what} timed out after {took:.1f}s in total ({self.received:,} bytes arrived; "
            f"a request may take --backend-timeout {self.timeout:g}s, then 1 s per MiB)"
        )


def within_deadline(call: Callable[[Deadline], _T], timeout: float, where: str, what: str) -> _T:
    """``call(deadline)`` on a daemon thread, waited for until the deadline (which the call
    moves as its response arrives); past it, a :class:`BackendError`. The thread is left to
    the store's :meth:`~ObjectStore.close`, which closes its connection, or to the end of
    the process."""
    deadline = Deadline(timeout)
    result: list[_T] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            result.append(call(deadline))
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
            failure.append(e)
        finally:
            done.set()

    threading.Thread(target=run, name="cdcml-backend-request", daemon=True).start()
    while not done.wait(min(0.5, max(0.0, deadline.until - time.monotonic()))):
        if time.monotonic() >= deadline.until:
            raise BackendError(deadline.message(where, what))
    if failure:
        raise failure[0]
    return result[0]


# --------------------------------------------------------------------------- schemes and URLs


@dataclass(frozen=True)
class StoreURL:
    """A backend URL split at ``://`` and ``?``: ``<scheme>://<location>?<query>``."""

    url: str  # as given, for messages
    scheme: str  # lower-cased
    location: str
    query: str


@dataclass(frozen=True)
class StoreScheme:
    """A URL scheme a store serves: its name (``s3``), the URL shape shown in messages
    (``s3://BUCKET``), and how to open a store from a URL of that scheme. Each parses
    its own location and query parameters."""

    name: str
    shape: str
    open: Callable[[StoreURL, float], ObjectStore]


def query_params(url: str, query: str, allowed: frozenset[str]) -> dict[str, str]:
    """The URL's query parameters (the last value of each), refusing unknown ones."""
    params: dict[str, str] = {}
    for key, values in urllib.parse.parse_qs(query, keep_blank_values=True).items():
        if key not in allowed:
            raise BackendError(f"{url}: unknown query parameter {key!r} (known: {', '.join(sorted(allowed))})")
        params[key] = values[-1]
    return params


def bucket_and_prefix(url: StoreURL) -> tuple[str, str, str]:
    """``(bucket, prefix, display URL)`` of ``<scheme>://BUCKET[/PREFIX]``: the prefix
    without surrounding slashes plus a trailing one (``""`` when none), and the URL as
    reports show it (no query, no redundant slashes)."""
    bucket, _, prefix = url.location.partition("/")
    if not bucket:
        raise BackendError(f"invalid backend URL {url.url!r}: missing the bucket or container name")
    prefix = prefix.strip("/")
    prefix = prefix + "/" if prefix else ""
    display = f"{url.scheme}://{bucket}" + (f"/{prefix.rstrip('/')}" if prefix else "")
    return bucket, prefix, display


def truthy(value: str) -> bool:
    return value in ("1", "t", "T", "true", "TRUE", "True")


def query_bool(params: Mapping[str, str], key: str) -> bool:
    """A boolean query parameter as Go's ``strconv.ParseBool`` reads it (absent: false)."""
    value = params.get(key)
    if value is None:
        return False
    if truthy(value):
        return True
    if value in ("0", "f", "F", "false", "FALSE", "False", ""):
        return False
    raise BackendError(f"invalid value {value!r} for query parameter {key!r}: expected true or false")


# --------------------------------------------------------------------------- SDK failures


def transport_reason(exc: BaseException, timeout: float) -> str:
    """A short, credential-free reason for a transport failure."""
    seen: set[int] = set()
    e: BaseException | None = exc
    names: list[str] = []
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        names.append(type(e).__name__)
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, TimeoutError) or "Timeout" in type(e).__name__:
            return f"timed out after {timeout:g}s"
        e = e.__cause__ or e.__context__
    text = " ".join(str(exc).split())
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "timed out" in lowered or "timeout" in lowered:
        return f"timed out after {timeout:g}s"
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "getaddrinfo" in lowered:
        return "host name not found"
    if "connection aborted" in lowered or "remote end closed" in lowered or "reset by peer" in lowered:
        return "the connection was closed by the server"
    return f"connection failed ({names[0]})"


def scrub(text: str) -> str:
    """Drop anything that looks like a signature or key from an SDK message."""
    return _SECRETISH.sub(r"\1=[redacted]", " ".join(text.split()))[:300]
