"""Self-managed ("DIY") Pulumi state backends, read-only: ``file://``, ``s3://``, ``azblob://``.

The layout is the Pulumi CLI's (``pkg/backend/diy``), under ``<root>/.pulumi/``:

* ``meta.yaml`` — ``version: 1`` is the project layout, stacks at
  ``stacks/<project>/<stack>.json[.gz|.zst]``; ``version: 0`` (or no file, with stack files
  at the top of ``stacks/``) is the legacy layout, stacks at ``stacks/<stack>.json[…]``
  with the project recorded only in the state's URNs. When several variants of a stack
  file exist, the most recently modified one is the stack's state, as the CLI picks it.
* ``locks/organization/<project>/<stack>/<id>.json`` (legacy: ``locks/<stack>/<id>.json``)
  — a lock held by a running update: ``{"pid", "username", "hostname", "timestamp"}``.

**Read-only by construction**: the object stores below can only list and read. Nothing
is written, no lock is taken or broken, no ``meta.yaml`` is created for a new backend.

Credentials and endpoints are each SDK's standard ones:

* ``s3://bucket[/prefix]`` — boto3's credential chain (``AWS_ACCESS_KEY_ID`` …,
  ``AWS_PROFILE``, instance roles), ``AWS_REGION``, ``AWS_ENDPOINT_URL[_S3]``; gocloud's
  URL parameters ``region``, ``endpoint``, ``profile``, ``s3ForcePathStyle`` /
  ``use_path_style``, ``disableSSL`` / ``disable_https``, ``dualstack``, ``fips``,
  ``anonymous`` (``awssdk`` and the checksum parameters are accepted and ignored);
* ``azblob://container[/prefix]`` — ``AZURE_STORAGE_CONNECTION_STRING``, else
  ``AZURE_STORAGE_ACCOUNT`` with ``AZURE_STORAGE_KEY`` or ``AZURE_STORAGE_SAS_TOKEN``,
  else Azure AD (``DefaultAzureCredential``, when ``azure-identity`` is installed); the
  endpoint from ``AZURE_STORAGE_DOMAIN`` / ``AZURE_STORAGE_PROTOCOL`` /
  ``AZURE_STORAGE_IS_LOCAL_EMULATOR`` or gocloud's URL parameters ``domain``,
  ``protocol``, ``localemu``, ``storage_account``;
* ``file://DIR`` — a directory (``~`` and relative paths allowed).

Every failure is a :class:`~cdcml.errors.BackendError` with one line naming the backend
and what went wrong; messages never contain credentials.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import json
import os
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from cdcml import __version__
from cdcml.errors import BackendError
from cdcml.model import LockInfo, StackRef

__all__ = [
    "DEFAULT_TIMEOUT",
    "AzureBlobStore",
    "Backend",
    "BackendStack",
    "FileStore",
    "ObjectInfo",
    "ObjectStore",
    "S3Store",
    "open_backend",
    "open_store",
    "parse_stack_ref",
]

DEFAULT_TIMEOUT = 30.0
ORGANIZATION = "organization"
BOOKKEEPING = ".pulumi"
STACKS_DIR = f"{BOOKKEEPING}/stacks/"
LOCKS_DIR = f"{BOOKKEEPING}/locks/"
META_PATH = f"{BOOKKEEPING}/meta.yaml"
_STATE_SUFFIXES = (".json", ".json.gz", ".json.zst")
_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_T = TypeVar("_T")
_SECRETISH = re.compile(r"(?i)(sig|se|sp|sv|sr|st|skoid|sktid|accountkey|sharedaccesssignature)=[^&;\s]+")


# --------------------------------------------------------------------------- object stores


@dataclass(frozen=True)
class ObjectInfo:
    """One object of a store: its key (relative to the backend root), size, last
    modification time and entity tag (what a read-only check compares)."""

    key: str
    size: int
    modified: dt.datetime | None
    etag: str = ""


class _NotFound(Exception):
    pass


class ObjectStore(abc.ABC):
    """A read-only view of a bucket or directory: it can list and read, nothing else."""

    url: str

    @abc.abstractmethod
    def list(self, prefix: str) -> list[ObjectInfo]:
        """Every object whose key starts with *prefix*, recursively, sorted by key."""

    @abc.abstractmethod
    def read(self, key: str) -> bytes:
        """The bytes of *key*; raises ``_NotFound`` when there is no such object."""

    def object_url(self, key: str) -> str:
        return f"{self.url.rstrip('/')}/{key}"

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections (nothing to do for most stores)."""


class FileStore(ObjectStore):
    """A backend directory on the local file system."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url

    def list(self, prefix: str) -> list[ObjectInfo]:
        base = self.root / prefix
        start = base if base.is_dir() else base.parent
        out: list[ObjectInfo] = []
        if not start.is_dir():
            return out
        for dirpath, _dirs, files in os.walk(start):
            for name in files:
                full = Path(dirpath) / name
                key = full.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    st = full.stat()
                except OSError:
                    continue
                modified = dt.datetime.fromtimestamp(st.st_mtime, dt.UTC)
                out.append(ObjectInfo(key, st.st_size, modified, f"{st.st_mtime_ns:x}-{st.st_size:x}"))
        return sorted(out, key=lambda o: o.key)

    def read(self, key: str) -> bytes:
        path = self.root / key
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise _NotFound(key) from None
        except OSError as e:
            raise BackendError(f"{self.object_url(key)}: can't read: {e.strerror}") from None

    def object_url(self, key: str) -> str:
        return str(self.root / key)


def _reason(exc: BaseException, timeout: float) -> str:
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


def _scrub(text: str) -> str:
    """Drop anything that looks like a signature or key from an SDK message."""
    return _SECRETISH.sub(r"\1=[redacted]", " ".join(text.split()))[:300]


class S3Store(ObjectStore):
    """An S3 (or S3-compatible) bucket, through boto3."""

    def __init__(self, bucket: str, prefix: str, url: str, params: Mapping[str, str], timeout: float) -> None:
        try:
            import boto3
            import botocore
            from botocore.config import Config
        except ImportError:  # pragma: no cover - boto3 is a dependency
            raise BackendError("s3:// backends need boto3 (pip install boto3)") from None
        self.bucket = bucket
        self.prefix = prefix
        self.url = url
        self.timeout = timeout
        self.endpoint = params.get("endpoint") or None
        if self.endpoint and "://" not in self.endpoint:
            insecure = _bool(params, "disableSSL") or _bool(params, "disable_https")
            self.endpoint = ("http://" if insecure else "https://") + self.endpoint
        path_style = _bool(params, "s3ForcePathStyle") or _bool(params, "use_path_style")
        s3_config: dict[str, Any] = {"addressing_style": "path" if path_style else "auto"}
        if _bool(params, "dualstack"):
            s3_config["use_dualstack_endpoint"] = True
        config_kw: dict[str, Any] = {
            "connect_timeout": timeout,
            "read_timeout": timeout,
            "retries": {"max_attempts": 3, "mode": "standard"},
            "s3": s3_config,
            "user_agent_extra": f"cdcml/{__version__}",
        }
        if _bool(params, "fips"):
            config_kw["use_fips_endpoint"] = True
        if _bool(params, "anonymous"):
            config_kw["signature_version"] = botocore.UNSIGNED
        try:
            session = boto3.Session(profile_name=params.get("profile") or None)
            self.client = session.client(
                "s3",
                region_name=params.get("region") or None,
                endpoint_url=self.endpoint,
                use_ssl=not (_bool(params, "disableSSL") or _bool(params, "disable_https")),
                config=Config(**config_kw),
            )
        except botocore.exceptions.ProfileNotFound:
            raise BackendError(f"{url}: AWS profile {params.get('profile')!r} not found") from None
        except (botocore.exceptions.BotoCoreError, ValueError) as e:
            raise BackendError(f"{url}: can't configure the S3 client: {_scrub(str(e))}") from None

    def _error(self, e: Exception, what: str) -> BackendError:
        import botocore.exceptions as bx

        shown = re.sub(r"//[^/@]*@", "//", self.endpoint) if self.endpoint else ""  # never show userinfo
        where = f"{self.url}" + (f" (endpoint {shown})" if shown else "")
        if isinstance(e, bx.NoCredentialsError):
            return BackendError(
                f"{where}: no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)"
            )
        if isinstance(e, bx.ClientError):
            err = e.response.get("Error", {})
            code = str(err.get("Code") or e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "error")
            if code == "NoSuchBucket" or (code == "404" and what == "list"):
                return BackendError(f"{where}: bucket {self.bucket!r} does not exist")
            if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                return BackendError(f"{where}: access denied ({code}) while trying to {what}")
            return BackendError(f"{where}: {what} failed: {code}")
        if isinstance(e, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError)):
            return BackendError(f"{where}: can't reach the endpoint: {_reason(e, self.timeout)}")
        if isinstance(e, (bx.BotoCoreError, OSError)):
            return BackendError(f"{where}: {what} failed: {_reason(e, self.timeout)}")
        return BackendError(f"{where}: {what} failed: {type(e).__name__}")

    def list(self, prefix: str) -> list[ObjectInfo]:
        import botocore.exceptions as bx

        root = self.prefix
        out: list[ObjectInfo] = []
        try:
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=root + prefix):
                for obj in page.get("Contents", []):
                    key = str(obj["Key"])[len(root) :]
                    out.append(ObjectInfo(key, int(obj.get("Size", 0)), obj.get("LastModified"), obj.get("ETag", "")))
        except (bx.BotoCoreError, bx.ClientError, OSError) as e:
            raise self._error(e, "list") from None
        return sorted(out, key=lambda o: o.key)

    def read(self, key: str) -> bytes:
        import botocore.exceptions as bx

        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            return bytes(obj["Body"].read())
        except bx.ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise _NotFound(key) from None
            raise self._error(e, f"read {key}") from None
        except (bx.BotoCoreError, OSError) as e:
            raise self._error(e, f"read {key}") from None

    def close(self) -> None:
        self.client.close()


class AzureBlobStore(ObjectStore):
    """An Azure Blob Storage container, through azure-storage-blob."""

    def __init__(self, container: str, prefix: str, url: str, params: Mapping[str, str], timeout: float) -> None:
        try:
            from azure.storage.blob import BlobServiceClient, LinearRetry
        except ImportError:  # pragma: no cover - azure-storage-blob is a dependency
            raise BackendError("azblob:// backends need azure-storage-blob (pip install azure-storage-blob)") from None
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
            "user_agent": f"cdcml/{__version__}",
        }
        account = params.get("storage_account") or env.get("AZURE_STORAGE_ACCOUNT", "")
        domain = params.get("domain") or env.get("AZURE_STORAGE_DOMAIN") or "blob.core.windows.net"
        protocol = params.get("protocol") or env.get("AZURE_STORAGE_PROTOCOL") or "https"
        if protocol not in ("http", "https"):
            raise BackendError(f"{url}: protocol must be http or https")
        localemu = _bool(params, "localemu") or _truthy(env.get("AZURE_STORAGE_IS_LOCAL_EMULATOR", ""))
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
            raise BackendError(f"{url}: invalid Azure storage settings: {_scrub(str(e))}") from None
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
                "AZURE_STORAGE_CONNECTION_STRING (or install azure-identity for an Azure AD login)"
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
            return BackendError(f"{where}: can't reach the endpoint: {_reason(e, self.timeout)}")
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

    def list(self, prefix: str) -> list[ObjectInfo]:
        from azure.core.exceptions import AzureError

        root = self.prefix

        def listing() -> list[ObjectInfo]:
            return [
                ObjectInfo(str(b.name)[len(root) :], int(b.size or 0), b.last_modified, str(b.etag or ""))
                for b in self.container.list_blobs(name_starts_with=root + prefix)
            ]

        try:
            out = self._retrying(listing)
        except (AzureError, OSError) as e:
            raise self._error(e, "list") from None
        return sorted(out, key=lambda o: o.key)

    def read(self, key: str) -> bytes:
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        def download() -> bytes:
            return bytes(self.container.download_blob(self.prefix + key).readall())

        try:
            return self._retrying(download)
        except ResourceNotFoundError as e:
            if "Container" in str(getattr(e, "error_code", "") or ""):
                raise self._error(e, f"read {key}") from None
            raise _NotFound(key) from None
        except (AzureError, OSError) as e:
            raise self._error(e, f"read {key}") from None

    def close(self) -> None:
        self.service.close()


def _release(e: BaseException) -> None:
    """Close the HTTP response an SDK error holds: a failed streaming download keeps its
    connection out of the pool until garbage collection."""
    response = getattr(e, "response", None)
    for target in (response, getattr(response, "internal_response", None)):
        close = getattr(target, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


def _truthy(value: str) -> bool:
    return value in ("1", "t", "T", "true", "TRUE", "True")


def _bool(params: Mapping[str, str], key: str) -> bool:
    value = params.get(key)
    if value is None:
        return False
    if _truthy(value):
        return True
    if value in ("0", "f", "F", "false", "FALSE", "False", ""):
        return False
    raise BackendError(f"invalid value {value!r} for query parameter {key!r}: expected true or false")


_S3_PARAMS = frozenset(
    {
        "region",
        "endpoint",
        "profile",
        "s3ForcePathStyle",
        "use_path_style",
        "disableSSL",
        "disable_https",
        "dualstack",
        "fips",
        "anonymous",
        "awssdk",
        "request_checksum_calculation",
        "response_checksum_validation",
    }
)
_AZURE_PARAMS = frozenset({"domain", "protocol", "localemu", "storage_account", "cdn"})
_FILE_PARAMS = frozenset({"no_tmp_dir", "create_dir", "dir_file_mode", "metadata", "base_url", "secret_key_path"})


def _query(url: str, query: str, allowed: frozenset[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, values in urllib.parse.parse_qs(query, keep_blank_values=True).items():
        if key not in allowed:
            raise BackendError(f"{url}: unknown query parameter {key!r} (known: {', '.join(sorted(allowed))})")
        params[key] = values[-1]
    return params


def open_store(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> ObjectStore:
    """The read-only object store a backend URL names."""
    if not url or "://" not in url:
        raise BackendError(f"invalid backend URL {url!r}: expected file://DIR, s3://BUCKET or azblob://CONTAINER")
    scheme, rest = url.split("://", 1)
    scheme = scheme.lower()
    location, _, query = rest.partition("?")
    if scheme == "file":
        _query(url, query, _FILE_PARAMS)
        raw = urllib.parse.unquote(location)
        if not raw:
            raise BackendError(f"invalid backend URL {url!r}: file:// needs a directory")
        root = Path(os.path.expanduser(raw)).resolve()
        if not root.exists():
            raise BackendError(f"{url}: directory {root} does not exist")
        if not root.is_dir():
            raise BackendError(f"{url}: {root} is not a directory")
        return FileStore(root, f"file://{root.as_posix()}")
    if scheme in ("s3", "azblob"):
        bucket, _, prefix = location.partition("/")
        if not bucket:
            raise BackendError(f"invalid backend URL {url!r}: missing the bucket or container name")
        prefix = prefix.strip("/")
        prefix = prefix + "/" if prefix else ""
        display = f"{scheme}://{bucket}" + (f"/{prefix.rstrip('/')}" if prefix else "")
        if scheme == "s3":
            return S3Store(bucket, prefix, display, _query(url, query, _S3_PARAMS), timeout)
        return AzureBlobStore(bucket, prefix, display, _query(url, query, _AZURE_PARAMS), timeout)
    if scheme in ("gs", "postgres", "https", "http"):
        raise BackendError(f"{scheme}:// backends are not supported by cdcml (file://, s3://, azblob://)")
    raise BackendError(f"invalid backend URL {url!r}: unknown scheme {scheme!r} (file://, s3://, azblob://)")


# --------------------------------------------------------------------------- stacks and locks


@dataclass(frozen=True)
class BackendStack:
    """A stack found in a backend: where its state is, and any locks on it."""

    ref: StackRef
    key: str
    url: str
    legacy: bool = False
    locks: tuple[LockInfo, ...] = ()
    modified: dt.datetime | None = None

    @property
    def locked(self) -> bool:
        return bool(self.locks)


def parse_stack_ref(text: str) -> tuple[str, str]:
    """``(project, stack)`` of ``organization/<project>/<stack>``, ``organization/<stack>``
    or ``<stack>`` (``project`` is ``""`` when not given)."""
    parts = text.strip().split("/")
    if len(parts) == 3:
        org, project, stack = parts
    elif len(parts) == 2:
        org, project, stack = parts[0], "", parts[1]
    elif len(parts) == 1:
        org, project, stack = ORGANIZATION, "", parts[0]
    else:
        raise BackendError(f"invalid stack {text!r}: expected organization/<project>/<stack>")
    if org != ORGANIZATION:
        raise BackendError(f"invalid stack {text!r}: a self-managed backend has the single organization 'organization'")
    if project and not _NAME_RE.match(project):
        raise BackendError(f"invalid stack {text!r}: {project!r} is not a valid project name")
    if not _NAME_RE.match(stack):
        raise BackendError(f"invalid stack {text!r}: {stack!r} is not a valid stack name")
    return project, stack


def _stack_file(name: str) -> str | None:
    for suffix in _STATE_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem if _NAME_RE.match(stem) else None
    return None


def _parse_timestamp(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        # Go's time.Time JSON: RFC 3339 with nanoseconds; keep seconds and the offset.
        m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$", value)
        if m is None:
            return value[:40]
        return dt.datetime.fromisoformat(m.group(1) + m.group(2).replace("Z", "+00:00")).isoformat()
    except ValueError:
        return value[:40]


class Backend:
    """A self-managed backend, read-only."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.url = store.url
        self.warnings: list[str] = []
        self._stack_objects: list[ObjectInfo] | None = None
        self.version = self._meta_version()
        self._stacks: list[BackendStack] | None = None

    # ---- layout

    def _meta_version(self) -> int:
        try:
            body = self.store.read(META_PATH)
        except _NotFound:
            # No meta.yaml: legacy if stack files sit at the top of stacks/, else the
            # project layout the CLI would create (it would write meta.yaml; we don't).
            legacy = [o for o in self._list_stacks_dir() if "/" not in o.key[len(STACKS_DIR) :]]
            return 0 if any(_stack_file(o.key[len(STACKS_DIR) :]) for o in legacy) else 1
        try:
            meta = yaml.safe_load(body.decode("utf-8")) if body.strip() else None
        except (yaml.YAMLError, UnicodeDecodeError):
            raise BackendError(f"{self.url}: corrupt store: {META_PATH} is not valid YAML") from None
        version = meta.get("version") if isinstance(meta, Mapping) else None
        if isinstance(version, bool) or not isinstance(version, int):
            raise BackendError(f"{self.url}: corrupt store: missing version in {META_PATH}")
        if version not in (0, 1):
            raise BackendError(
                f"{self.url}: state store unsupported: {META_PATH} version {version} is newer than cdcml reads (0-1)"
            )
        return version

    @property
    def legacy(self) -> bool:
        return self.version == 0

    # ---- listing

    def _list_stacks_dir(self) -> list[ObjectInfo]:
        """The objects under ``stacks/``, listed once (the layout check without a
        ``meta.yaml`` needs them too)."""
        if self._stack_objects is None:
            self._stack_objects = self.store.list(STACKS_DIR)
        return self._stack_objects

    def _locks(self) -> dict[tuple[str, str], list[LockInfo]]:
        locks: dict[tuple[str, str], list[LockInfo]] = {}
        for obj in self.store.list(LOCKS_DIR):
            parts = obj.key[len(LOCKS_DIR) :].split("/")
            if not obj.key.endswith(".json"):
                continue
            if len(parts) == 4 and parts[0] == ORGANIZATION and not self.legacy:
                target = (parts[1], parts[2])
            elif len(parts) == 2 and self.legacy:
                target = ("", parts[0])
            else:
                continue
            locks.setdefault(target, []).append(self._lock(obj.key))
        return locks

    def _lock(self, key: str) -> LockInfo:
        try:
            content = json.loads(self.store.read(key).decode("utf-8"))
        except _NotFound:
            return LockInfo(key)  # released between listing and reading: still report it
        except (ValueError, UnicodeDecodeError):
            return LockInfo(key)
        if not isinstance(content, Mapping):
            return LockInfo(key)
        pid = content.get("pid")
        return LockInfo(
            key=key,
            pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
            username=str(content.get("username") or "")[:100],
            hostname=str(content.get("hostname") or "")[:200],
            timestamp=_parse_timestamp(content.get("timestamp")),
        )

    def stacks(self) -> list[BackendStack]:
        """Every stack of the backend, sorted by project and name."""
        if self._stacks is not None:
            return self._stacks
        objects = self._list_stacks_dir()
        locks = self._locks()
        # (project, stack) -> best candidate: most recently modified; on a tie the later key.
        best: dict[tuple[str, str], ObjectInfo] = {}
        stray: list[str] = []
        for obj in objects:
            rel = obj.key[len(STACKS_DIR) :].split("/")
            if self.legacy:
                if len(rel) != 1:
                    continue
                project, name = "", _stack_file(rel[0])
            else:
                if len(rel) == 1:
                    if _stack_file(rel[0]):
                        stray.append(rel[0])
                    continue
                if len(rel) != 2 or not _NAME_RE.match(rel[0]):
                    continue
                project, name = rel[0], _stack_file(rel[1])
            if name is None:
                continue
            target = (project, name)
            current = best.get(target)
            if current is None or _newer_or_same(obj, current):
                best[target] = obj
        if stray:
            self.warnings.append(
                f"{self.url}: legacy stack files in a project-layout backend are not analyzed: "
                f"{', '.join(sorted(stray)[:5])}{' …' if len(stray) > 5 else ''} (run `pulumi state upgrade`)"
            )
        out = []
        for (project, name), obj in sorted(best.items()):
            out.append(
                BackendStack(
                    ref=StackRef(ORGANIZATION, project, name),
                    key=obj.key,
                    url=self.store.object_url(obj.key),
                    legacy=self.legacy,
                    locks=tuple(locks.get((project, name), ())),
                    modified=obj.modified,
                )
            )
        self._stacks = out
        return out

    def select(self, project: str | None = None) -> list[BackendStack]:
        """The stacks of *project* (all when ``None``). In the legacy layout the project is
        only known from the state, so every stack is returned and callers filter."""
        stacks = self.stacks()
        if project is None or self.legacy:
            return stacks
        return [s for s in stacks if s.ref.project == project]

    def find(self, text: str) -> BackendStack:
        """The stack named ``organization/<project>/<stack>`` (or an unambiguous ``<stack>``)."""
        project, name = parse_stack_ref(text)
        stacks = self.stacks()
        if self.legacy:
            matches = [s for s in stacks if s.ref.stack == name]
        else:
            matches = [s for s in stacks if s.ref.stack == name and (not project or s.ref.project == project)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            projects = ", ".join(s.ref.project for s in matches)
            raise BackendError(
                f"{self.url}: stack {name!r} exists in several projects ({projects}); "
                f"pass organization/<project>/{name}"
            )
        known = ", ".join(str(s.ref) for s in stacks[:10]) or "none"
        more = " …" if len(stacks) > 10 else ""
        raise BackendError(f"{self.url}: no stack {text!r} (stacks: {known}{more})")

    def read(self, stack: BackendStack) -> bytes:
        try:
            return self.store.read(stack.key)
        except _NotFound:
            raise BackendError(f"{stack.url}: the stack's state disappeared while reading the backend") from None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _newer_or_same(obj: ObjectInfo, current: ObjectInfo) -> bool:
    if obj.modified is None or current.modified is None:
        return True
    return not obj.modified < current.modified


def open_backend(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Backend:
    """Open the self-managed backend at *url* (read-only)."""
    store = open_store(url, timeout=timeout)
    try:
        return Backend(store)
    except BaseException:
        store.close()
        raise
