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
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cdcml.errors import BackendError

__all__ = [
    "DEFAULT_TIMEOUT",
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
]

DEFAULT_TIMEOUT = 30.0
"""Seconds a store waits for a connection or a response (``--backend-timeout``)."""

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
