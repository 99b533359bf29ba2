"""``azblob://CONTAINER[/PREFIX][?…]``: an Azure Blob Storage container, through
azure-storage-blob.

Credentials: ``AZURE_STORAGE_CONNECTION_STRING``, else ``AZURE_STORAGE_ACCOUNT`` with
``AZURE_STORAGE_KEY`` or ``AZURE_STORAGE_SAS_TOKEN``, else Azure AD
(``DefaultAzureCredential``, when ``azure-identity`` is installed). The endpoint comes from
``AZURE_STORAGE_DOMAIN`` / ``AZURE_STORAGE_PROTOCOL`` / ``AZURE_STORAGE_IS_LOCAL_EMULATOR``
or gocloud's URL parameters ``domain``, ``protocol``, ``localemu``, ``storage_account``.

The Azure SDK is imported when a store is opened, never by importing this module.
Requests are retried here, not by the SDK (see :meth:`AzureBlobStore._retrying`).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from cdcml import __version__
from cdcml.errors import BackendError
from cdcml.inputs import max_input_size, read_stream, too_large
from cdcml.state.stores.base import (
    Deadline,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    StoreScheme,
    StoreURL,
    bucket_and_prefix,
    query_bool,
    query_params,
    scrub,
    transport_reason,
    truthy,
    within_deadline,
)

__all__ = ["SCHEME", "AzureBlobStore", "open_azblob_store"]

PARAMS = frozenset({"domain", "protocol", "localemu", "storage_account", "cdn"})
_RANGE = 4 * 1024 * 1024
_RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_T = TypeVar("_T")


class AzureBlobStore(ObjectStore):
    """An Azure Blob Storage container, through azure-storage-blob."""

    def __init__(self, container: str, prefix: str, url: str, params: Mapping[str, str], timeout: float) -> None:
        try:
            from azure.storage.blob import BlobServiceClient, LinearRetry
        except ImportError:
            raise BackendError(
                "azblob:// backends need azure-storage-blob, which is not installed: pip install 'cdcml-guard[azure]'"
            ) from None
        self.container_name = container
        self.prefix = prefix
        self.url = url
        self.timeout = timeout
        env = os.environ
        kw: dict[str, Any] = {
            "connection_timeout": timeout,
            "read_timeout": timeout,
            # Retries are done here (_retrying): the SDK's waits 15 s and more between
            # attempts, and drops failed streamed responses without closing them.
            "retry_policy": LinearRetry(backoff=1, random_jitter_range=1, retry_total=0),
            # Small ranges: the first one is read before the object's size is known.
            "max_single_get_size": _RANGE,
            "max_chunk_get_size": _RANGE,
            "user_agent": f"cdcml/{__version__}",
        }
        account = params.get("storage_account") or env.get("AZURE_STORAGE_ACCOUNT", "")
        domain = params.get("domain") or env.get("AZURE_STORAGE_DOMAIN") or "blob.core.windows.net"
        protocol = params.get("protocol") or env.get("AZURE_STORAGE_PROTOCOL") or "https"
        if protocol not in ("http", "https"):
            raise BackendError(f"{url}: protocol must be http or https")
        localemu = query_bool(params, "localemu") or truthy(env.get("AZURE_STORAGE_IS_LOCAL_EMULATOR", ""))
        connection_string = env.get("AZURE_STORAGE_CONNECTION_STRING", "")
        try:
            if connection_string:
                service = BlobServiceClient.from_connection_string(connection_string, **kw)
            else:
                if not account:
                    raise BackendError(
                        f"{url}: no storage account: set AZURE_STORAGE_ACCOUNT (or the storage_account URL "
                        "parameter), or AZURE_STORAGE_CONNECTION_STRING"
                    )
                account_url = f"{protocol}://{domain}/{account}" if localemu else f"{protocol}://{account}.{domain}"
                service = BlobServiceClient(account_url, credential=self._credential(account, url), **kw)
        except BackendError:
            raise
        except ValueError as e:
            raise BackendError(f"{url}: invalid Azure storage settings: {scrub(str(e))}") from None
        self.endpoint = service.url.split("?", 1)[0]
        self.service = service
        self.container = service.get_container_client(container)

    @staticmethod
    def _credential(account: str, url: str) -> Any:
        env = os.environ
        key = env.get("AZURE_STORAGE_KEY", "")
        if key:
            return {"account_name": account, "account_key": key}
        sas = env.get("AZURE_STORAGE_SAS_TOKEN", "")
        if sas:
            from azure.core.credentials import AzureSasCredential

            return AzureSasCredential(sas.lstrip("?"))
        try:
            from azure.identity import DefaultAzureCredential
        except ImportError:
            raise BackendError(
                f"{url}: no Azure credentials: set AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or "
                "AZURE_STORAGE_CONNECTION_STRING (or pip install 'cdcml-guard[azure]' for an Entra ID sign-in)"
            ) from None
        return DefaultAzureCredential()

    def _error(self, e: Exception, what: str) -> BackendError:
        from azure.core import exceptions as ax

        where = f"{self.url} (endpoint {self.endpoint})"
        status = getattr(e, "status_code", None)
        raw_code = getattr(e, "error_code", None)
        code = str(getattr(raw_code, "value", raw_code) or status or type(e).__name__)
        if isinstance(e, ax.ResourceNotFoundError) or status == 404:
            if "Container" in code:
                return BackendError(f"{where}: container {self.container_name!r} does not exist")
            return BackendError(f"{where}: {what} failed: {code}")
        if isinstance(e, ax.ClientAuthenticationError) or status in (401, 403):
            return BackendError(f"{where}: authentication failed ({code}) while trying to {what}")
        if isinstance(e, ax.HttpResponseError) and status:
            return BackendError(f"{where}: {what} failed: {code}")
        if isinstance(e, (ax.ServiceRequestError, ax.ServiceResponseError, OSError)):
            return BackendError(f"{where}: can't reach the endpoint: {transport_reason(e, self.timeout)}")
        return BackendError(f"{where}: {what} failed: {type(e).__name__}")

    def _retrying(self, call: Callable[[], _T]) -> _T:
        """*call*, attempted up to three times on transport errors and retryable statuses."""
        from azure.core.exceptions import AzureError, HttpResponseError

        attempts = 3
        for attempt in range(1, attempts + 1):
            try:
                return call()
            except HttpResponseError as e:
                _release(e)
                if e.status_code not in _RETRYABLE_STATUS or attempt == attempts:
                    raise
            except (AzureError, OSError) as e:
                _release(e)
                if attempt == attempts:
                    raise
            time.sleep(0.5 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _where(self) -> str:
        return f"{self.url} (endpoint {self.endpoint})"

    def list(self, prefix: str) -> list[ObjectInfo]:
        from azure.core.exceptions import AzureError

        root = self.prefix

        def listing() -> list[ObjectInfo]:
            out: list[ObjectInfo] = []
            pages = self.container.list_blobs(name_starts_with=root + prefix).by_page()
            while True:
                # Each page is a request of its own, with its own time limit.
                page = within_deadline(lambda _d: _next_page(pages), self.timeout, self._where(), "list")
                if page is None:
                    return out
                out.extend(
                    ObjectInfo(str(b.name)[len(root) :], int(b.size or 0), b.last_modified, str(b.etag or ""))
                    for b in page
                )

        try:
            out = self._retrying(listing)
        except (AzureError, OSError) as e:
            raise self._error(e, "list") from None
        return sorted(out, key=lambda o: o.key)

    def read(self, key: str) -> bytes:
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        name = self.object_url(key)

        def download(deadline: Deadline) -> bytes:
            downloader = self.container.download_blob(self.prefix + key)
            size = getattr(downloader, "size", None)
            if isinstance(size, int) and size > max_input_size():
                raise too_large(name, BackendError)
            deadline.body(size if isinstance(size, int) else None)
            return read_stream(_Chunks(downloader.chunks()), name=name, error=BackendError, progress=deadline.progress)

        try:
            return within_deadline(
                lambda deadline: self._retrying(lambda: download(deadline)), self.timeout, self._where(), f"read {key}"
            )
        except ResourceNotFoundError as e:
            if "Container" in str(getattr(e, "error_code", "") or ""):
                raise self._error(e, f"read {key}") from None
            raise ObjectNotFound(key) from None
        except (AzureError, OSError) as e:
            raise self._error(e, f"read {key}") from None

    def close(self) -> None:
        self.service.close()


def _next_page(pages: Iterator[Iterable[Any]]) -> list[Any] | None:
    """The next page of a listing, fetched and read (``None`` after the last)."""
    page = next(pages, None)
    return None if page is None else list(page)


class _Chunks:
    """A download's chunks as a stream :func:`~cdcml.inputs.read_stream` reads (each
    ``read`` returns the next chunk, whatever size is asked for)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def read(self, size: int = -1, /) -> bytes:
        return next(self._chunks, b"")


def _release(e: BaseException) -> None:
    """Close the HTTP response an SDK error holds: a failed streaming download keeps its
    connection out of the pool until garbage collection."""
    response = getattr(e, "response", None)
    for target in (response, getattr(response, "internal_response", None)):
        close = getattr(target, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


def open_azblob_store(url: StoreURL, timeout: float) -> AzureBlobStore:
    """The container (and prefix) an ``azblob://`` URL names, with its query parameters."""
    container, prefix, display = bucket_and_prefix(url)
    return AzureBlobStore(container, prefix, display, query_params(url.url, url.query, PARAMS), timeout)


SCHEME = StoreScheme("azblob", "azblob://CONTAINER", open_azblob_store)
