"""``s3://`` stores without a server: URL parameters, client settings, and how boto3's
failures become one credential-free line. (Against moto's S3 server:
test_backends_emulators.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions as bx
import pytest

from cdcml.errors import BackendError
from cdcml.state.stores import ObjectNotFound, S3Store, open_store
from tests.fixtures.state.emulators import isolated_env

UNREACHABLE = "can't reach the endpoint"
NO_CREDENTIALS_HINT = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
KNOWN = (
    "anonymous, awssdk, disableSSL, disable_https, dualstack, endpoint, fips, profile, region, "
    "request_checksum_calculation, response_checksum_validation, s3ForcePathStyle, use_path_style"
)


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key, raising=False)
    for key, value in isolated_env({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}).items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def opened() -> Iterator[list[S3Store]]:
    stores: list[S3Store] = []
    yield stores
    for s in stores:
        s.close()


def s3(url: str, opened: list[S3Store]) -> S3Store:
    store = open_store(url)
    assert isinstance(store, S3Store)
    opened.append(store)
    return store


def test_bucket_prefix_and_the_url_reports_show(opened):
    store = s3("S3://audit//team-a/x//?region=us-east-1&awssdk=v2", opened)
    assert (store.bucket, store.prefix, store.url) == ("audit", "team-a/x/", "s3://audit/team-a/x")
    assert store.object_url(".pulumi/meta.yaml") == "s3://audit/team-a/x/.pulumi/meta.yaml"
    assert store.endpoint is None


@pytest.mark.parametrize(
    ("query", "endpoint", "path_style"),
    [
        ("endpoint=minio:9000", "https://minio:9000", "auto"),
        ("endpoint=minio:9000&disableSSL=true&s3ForcePathStyle=true", "http://minio:9000", "path"),
        ("endpoint=minio:9000&disable_https=1&use_path_style=1", "http://minio:9000", "path"),
        ("endpoint=http://127.0.0.1:9&disableSSL=false", "http://127.0.0.1:9", "auto"),
    ],
)
def test_gocloud_endpoint_parameters(query, endpoint, path_style, opened):
    store = s3(f"s3://b?region=us-east-1&{query}", opened)
    assert store.endpoint == endpoint
    assert store.client.meta.endpoint_url == endpoint
    assert store.client.meta.config.s3["addressing_style"] == path_style


def test_timeouts_retries_and_user_agent(opened):
    store = open_store("s3://b?region=eu-west-1&dualstack=true", timeout=2.5)
    assert isinstance(store, S3Store)
    opened.append(store)
    config = store.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (2.5, 2.5)
    assert config.retries == {"total_max_attempts": 4, "mode": "standard"}  # 3 retries, as botocore counts them
    assert config.s3["use_dualstack_endpoint"] is True
    assert "cdcml/" in config.user_agent_extra
    assert store.client.meta.region_name == "eu-west-1"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://", "invalid backend URL 's3://': missing the bucket or container name"),
        ("s3://?bogus=1", "invalid backend URL 's3://?bogus=1': missing the bucket or container name"),
        ("s3://b?bogus=1&x=2", f"s3://b?bogus=1&x=2: unknown query parameter 'bogus' (known: {KNOWN})"),
        (
            "s3://b?use_path_style=maybe",
            "invalid value 'maybe' for query parameter 'use_path_style': expected true or false",
        ),
        (
            "s3://b?endpoint=h&disable_https=x",
            "invalid value 'x' for query parameter 'disable_https': expected true or false",
        ),
        ("s3://b?anonymous=nope", "invalid value 'nope' for query parameter 'anonymous': expected true or false"),
        ("s3://b/p?profile=nosuchprofile", "s3://b/p: AWS profile 'nosuchprofile' not found"),
    ],
)
def test_url_errors_are_one_line(url, message):
    with pytest.raises(BackendError) as e:
        open_store(url)
    assert e.value.message == message


def test_a_client_boto3_refuses_to_configure_is_one_line():
    with pytest.raises(BackendError) as e:
        open_store("s3://b?region=bad%20region")
    assert e.value.message.startswith("s3://b: can't configure the S3 client: ")
    with pytest.raises(BackendError) as e:
        open_store("s3://b?endpoint=http://[::1")
    assert e.value.message == "s3://b: can't configure the S3 client: Invalid IPv6 URL"


def client_error(code: str | None = None, status: int | None = None) -> bx.ClientError:
    response: dict[str, Any] = {"Error": {"Code": code} if code else {}}
    if status:
        response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return bx.ClientError(response, "Op")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "what", "problem"),
    [
        (bx.NoCredentialsError(), "list", f"no AWS credentials ({NO_CREDENTIALS_HINT})"),
        (client_error("NoSuchBucket"), "read k", "bucket 'audit' does not exist"),
        (client_error(status=404), "list", "bucket 'audit' does not exist"),
        (client_error(status=404), "read k", "read k failed: 404"),
        (client_error("AccessDenied"), "list", "access denied (AccessDenied) while trying to list"),
        (client_error(status=403), "read k", "access denied (403) while trying to read k"),
        (client_error("SignatureDoesNotMatch"), "list", "access denied (SignatureDoesNotMatch) while trying to list"),
        (client_error("SlowDown"), "list", "list failed: SlowDown"),
        (client_error(), "list", "list failed: error"),
        (
            bx.EndpointConnectionError(endpoint_url="http://h"), "list",
            f"{UNREACHABLE}: connection failed (EndpointConnectionError)",
        ),
        (bx.ConnectTimeoutError(endpoint_url="http://h"), "list", f"{UNREACHABLE}: timed out after 30s"),
        (bx.ReadTimeoutError(endpoint_url="http://h"), "read k", f"{UNREACHABLE}: timed out after 30s"),
        (ConnectionRefusedError(), "read k", "read k failed: connection refused"),
        (ValueError("x"), "list", "list failed: ValueError"),
    ],
)  # fmt: skip
def test_sdk_failures_become_one_line_naming_the_endpoint_without_userinfo(exc, what, problem, opened):
    store = s3("s3://audit/team-a?region=us-east-1&endpoint=http://user:secret@minio:9000", opened)
    assert store._error(exc, what).message == f"s3://audit/team-a (endpoint http://minio:9000): {problem}"


class FakeClient:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def get_object(self, **kw: Any) -> Any:
        raise self.exc

    def get_paginator(self, name: str) -> Any:
        raise self.exc

    def close(self) -> None:
        pass


@pytest.mark.parametrize("code", ["NoSuchKey", "404"])
def test_a_missing_key_is_not_found(code, opened):
    store = s3("s3://audit?region=us-east-1", opened)
    store.client = FakeClient(client_error(code))
    with pytest.raises(ObjectNotFound):
        store.read(".pulumi/meta.yaml")


def test_read_and_list_failures_are_backend_errors(opened):
    store = s3("s3://audit?region=us-east-1", opened)
    store.client = FakeClient(client_error("InternalError"))
    with pytest.raises(BackendError) as e:
        store.read("k")
    assert e.value.message == "s3://audit: read k failed: InternalError"
    store.client = FakeClient(client_error(status=404))
    with pytest.raises(BackendError) as e:
        store.list(".pulumi/stacks/")
    assert e.value.message == "s3://audit: bucket 'audit' does not exist"
