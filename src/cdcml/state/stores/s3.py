"""``s3://BUCKET[/PREFIX][?…]``: an S3 (or S3-compatible) bucket, through boto3.

Credentials and endpoint are boto3's: its credential chain (``AWS_ACCESS_KEY_ID`` …,
``AWS_PROFILE``, instance roles), ``AWS_REGION``, ``AWS_ENDPOINT_URL[_S3]``; and gocloud's
URL parameters ``region``, ``endpoint``, ``profile``, ``s3ForcePathStyle`` /
``use_path_style``, ``disableSSL`` / ``disable_https``, ``dualstack``, ``fips``,
``anonymous`` (``awssdk`` and the checksum parameters are accepted and ignored).

boto3 is imported when a store is opened, never by importing this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

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
    within_deadline,
)

__all__ = ["SCHEME", "S3Store", "open_s3_store"]

PARAMS = frozenset(
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


class S3Store(ObjectStore):
    """An S3 (or S3-compatible) bucket, through boto3."""

    def __init__(self, bucket: str, prefix: str, url: str, params: Mapping[str, str], timeout: float) -> None:
        try:
            import boto3
            import botocore
            from botocore.config import Config
        except ImportError:
            raise BackendError(
                "s3:// backends need boto3, which is not installed: pip install 'cdcml-guard[s3]'"
            ) from None
        self.bucket = bucket
        self.prefix = prefix
        self.url = url
        self.timeout = timeout
        self.endpoint = params.get("endpoint") or None
        if self.endpoint and "://" not in self.endpoint:
            insecure = query_bool(params, "disableSSL") or query_bool(params, "disable_https")
            self.endpoint = ("http://" if insecure else "https://") + self.endpoint
        path_style = query_bool(params, "s3ForcePathStyle") or query_bool(params, "use_path_style")
        s3_config: dict[str, Any] = {"addressing_style": "path" if path_style else "auto"}
        if query_bool(params, "dualstack"):
            s3_config["use_dualstack_endpoint"] = True
        config_kw: dict[str, Any] = {
            "connect_timeout": timeout,
            "read_timeout": timeout,
            "retries": {"max_attempts": 3, "mode": "standard"},
            "s3": s3_config,
            "user_agent_extra": f"cdcml/{__version__}",
        }
        if query_bool(params, "fips"):
            config_kw["use_fips_endpoint"] = True
        if query_bool(params, "anonymous"):
            config_kw["signature_version"] = botocore.UNSIGNED
        try:
            session = boto3.Session(profile_name=params.get("profile") or None)
            self.client = session.client(
                "s3",
                region_name=params.get("region") or None,
                endpoint_url=self.endpoint,
                use_ssl=not (query_bool(params, "disableSSL") or query_bool(params, "disable_https")),
                config=Config(**config_kw),
            )
        except botocore.exceptions.ProfileNotFound:
            raise BackendError(f"{url}: AWS profile {params.get('profile')!r} not found") from None
        except (botocore.exceptions.BotoCoreError, ValueError) as e:
            raise BackendError(f"{url}: can't configure the S3 client: {scrub(str(e))}") from None

    def _error(self, e: Exception, what: str) -> BackendError:
        import botocore.exceptions as bx

        where = self._where()  # never shows userinfo
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
            return BackendError(f"{where}: can't reach the endpoint: {transport_reason(e, self.timeout)}")
        if isinstance(e, (bx.BotoCoreError, OSError)):
            return BackendError(f"{where}: {what} failed: {transport_reason(e, self.timeout)}")
        return BackendError(f"{where}: {what} failed: {type(e).__name__}")

    def _where(self) -> str:
        shown = re.sub(r"//[^/@]*@", "//", self.endpoint) if self.endpoint else ""
        return f"{self.url}" + (f" (endpoint {shown})" if shown else "")

    def list(self, prefix: str) -> list[ObjectInfo]:
        import botocore.exceptions as bx

        root = self.prefix
        out: list[ObjectInfo] = []
        try:
            paginator = self.client.get_paginator("list_objects_v2")
            pages = iter(paginator.paginate(Bucket=self.bucket, Prefix=root + prefix))
            while True:
                # Each page is a request of its own, with its own time limit.
                page = within_deadline(lambda _d: next(pages, None), self.timeout, self._where(), "list")
                if page is None:
                    break
                for obj in page.get("Contents", []):
                    key = str(obj["Key"])[len(root) :]
                    out.append(ObjectInfo(key, int(obj.get("Size", 0)), obj.get("LastModified"), obj.get("ETag", "")))
        except (bx.BotoCoreError, bx.ClientError, OSError) as e:
            raise self._error(e, "list") from None
        return sorted(out, key=lambda o: o.key)

    def read(self, key: str) -> bytes:
        import botocore.exceptions as bx

        name = self.object_url(key)

        def get(deadline: Deadline) -> bytes:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            body = obj["Body"]
            try:
                size = obj.get("ContentLength")
                if isinstance(size, int) and size > max_input_size():
                    raise too_large(name, BackendError)
                deadline.body(size if isinstance(size, int) else None)
                return read_stream(body, name=name, error=BackendError, progress=deadline.progress)
            finally:
                body.close()

        try:
            return within_deadline(get, self.timeout, self._where(), f"read {key}")
        except bx.ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ObjectNotFound(key) from None
            raise self._error(e, f"read {key}") from None
        except (bx.BotoCoreError, OSError) as e:
            raise self._error(e, f"read {key}") from None

    def close(self) -> None:
        self.client.close()


def open_s3_store(url: StoreURL, timeout: float) -> S3Store:
    """The bucket (and prefix) an ``s3://`` URL names, with its query parameters."""
    bucket, prefix, display = bucket_and_prefix(url)
    return S3Store(bucket, prefix, display, query_params(url.url, url.query, PARAMS), timeout)


SCHEME = StoreScheme("s3", "s3://BUCKET", open_s3_store)
