"""Object stores: read-only views of a bucket or a directory, one module per URL scheme.

* :mod:`~cdcml.state.stores.base` — the :class:`ObjectStore` interface (list and read,
  nothing else), :class:`ObjectInfo`, :class:`StoreScheme`, and the helpers a scheme uses
  for its URL and its SDK's failures;
* :mod:`~cdcml.state.stores.file` — ``file://DIR``;
* :mod:`~cdcml.state.stores.s3` — ``s3://BUCKET[/PREFIX]`` (boto3);
* :mod:`~cdcml.state.stores.azblob` — ``azblob://CONTAINER[/PREFIX]`` (azure-storage-blob).

:func:`open_store` splits a backend URL at ``://`` and ``?``, looks the scheme up in
:data:`SCHEMES`, and hands the rest to that scheme, which parses its own location and
query parameters. A new scheme is one module (a store and its ``SCHEME``) plus one entry
in :data:`SCHEMES`; the messages naming the known schemes follow the table. The cloud SDKs
are imported only when a store of their scheme is opened.

Every failure is a :class:`~cdcml.errors.BackendError` with one line naming the backend
and what went wrong; messages never contain credentials.
"""

from __future__ import annotations

from collections.abc import Sequence

from cdcml.errors import BackendError
from cdcml.state.stores import azblob, file, s3
from cdcml.state.stores.azblob import AzureBlobStore
from cdcml.state.stores.base import DEFAULT_TIMEOUT, ObjectInfo, ObjectNotFound, ObjectStore, StoreScheme, StoreURL
from cdcml.state.stores.file import FileStore
from cdcml.state.stores.s3 import S3Store

__all__ = [
    "DEFAULT_TIMEOUT",
    "SCHEMES",
    "UNSUPPORTED_SCHEMES",
    "AzureBlobStore",
    "FileStore",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "S3Store",
    "StoreScheme",
    "StoreURL",
    "open_store",
]

SCHEMES: dict[str, StoreScheme] = {s.name: s for s in (file.SCHEME, s3.SCHEME, azblob.SCHEME)}
"""URL scheme → the store serving it, in the order messages list them."""

UNSUPPORTED_SCHEMES = frozenset({"gs", "postgres", "https", "http"})
"""Schemes of Pulumi backends cdcml does not read (said so, rather than "unknown")."""


def open_store(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> ObjectStore:
    """The read-only object store a backend URL names."""
    if not url or "://" not in url:
        raise BackendError(f"invalid backend URL {url!r}: expected {_either([s.shape for s in SCHEMES.values()])}")
    scheme, rest = url.split("://", 1)
    scheme = scheme.lower()
    location, _, query = rest.partition("?")
    entry = SCHEMES.get(scheme)
    if entry is not None:
        return entry.open(StoreURL(url, scheme, location, query), timeout)
    known = ", ".join(f"{name}://" for name in SCHEMES)
    if scheme in UNSUPPORTED_SCHEMES:
        raise BackendError(f"{scheme}:// backends are not supported by cdcml ({known})")
    raise BackendError(f"invalid backend URL {url!r}: unknown scheme {scheme!r} ({known})")


def _either(shapes: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return shapes[-1] if len(shapes) == 1 else f"{', '.join(shapes[:-1])} or {shapes[-1]}"
