"""``azblob://`` stores without a server: URL parameters and environment, credentials,
retries, and how the Azure SDK's failures become one credential-free line. (Against
Azurite: test_backends_emulators.py.)"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from azure.core import exceptions as ax

from cdcml.errors import BackendError
from cdcml.state.stores import AzureBlobStore, ObjectNotFound, open_store
from cdcml.state.stores import azblob as azblob_module

ENV = (
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_STORAGE_ACCOUNT",
    "AZURE_STORAGE_KEY",
    "AZURE_STORAGE_DOMAIN",
    "AZURE_STORAGE_PROTOCOL",
    "AZURE_STORAGE_IS_LOCAL_EMULATOR",
)
KEY = "bm90LWEta2V5"  # base64, not a real key
KNOWN = "cdn, domain, localemu, protocol, storage_account"
UNREACHABLE = "can't reach the endpoint"
NO_CREDENTIALS = (
    "no Azure credentials: set AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or AZURE_STORAGE_CONNECTION_STRING "
    "(or pip install 'cdcml-guard[azure]' for an Entra ID sign-in)"
)


@pytest.fixture(autouse=True)
def _azure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ENV:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def opened() -> Iterator[list[AzureBlobStore]]:
    stores: list[AzureBlobStore] = []
    yield stores
    for s in stores:
        s.close()


def blob(url: str, opened: list[AzureBlobStore]) -> AzureBlobStore:
    store = open_store(url, timeout=4)
    assert isinstance(store, AzureBlobStore)
    opened.append(store)
    return store


def test_container_prefix_and_the_account_endpoint(monkeypatch, opened):
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT", "acct")
    monkeypatch.setenv("AZURE_STORAGE_KEY", KEY)
    store = blob("azblob://state//team-a//?cdn=1", opened)
    assert (store.container_name, store.prefix, store.url) == ("state", "team-a/", "azblob://state/team-a")
    assert store.endpoint == "https://acct.blob.core.windows.net/"
    assert store.object_url("k") == "azblob://state/team-a/k"


def test_url_parameters_win_over_the_environment(monkeypatch, opened):
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT", "envacct")
    monkeypatch.setenv("AZURE_STORAGE_DOMAIN", "env.example")
    monkeypatch.setenv("AZURE_STORAGE_KEY", KEY)
    assert blob("azblob://c", opened).endpoint == "https://envacct.env.example/"
    store = blob("azblob://c?storage_account=a&domain=127.0.0.1:10000&protocol=http&localemu=true", opened)
    assert store.endpoint == "http://127.0.0.1:10000/a/"
    monkeypatch.setenv("AZURE_STORAGE_IS_LOCAL_EMULATOR", "1")
    monkeypatch.setenv("AZURE_STORAGE_PROTOCOL", "http")
    assert blob("azblob://c?domain=h:1", opened).endpoint == "http://h:1/envacct/"


def test_a_sas_token_or_a_connection_string(monkeypatch, opened):
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT", "acct")
    monkeypatch.setenv("AZURE_STORAGE_SAS_TOKEN", "?sv=2020&sig=abc")
    assert blob("azblob://c", opened).endpoint == "https://acct.blob.core.windows.net/"
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING",
        f"DefaultEndpointsProtocol=http;AccountName=cs;AccountKey={KEY};BlobEndpoint=http://127.0.0.1:9/cs;",
    )
    assert blob("azblob://c", opened).endpoint == "http://127.0.0.1:9/cs/"


@pytest.mark.parametrize(
    ("url", "env", "message"),
    [
        ("azblob://", {}, "invalid backend URL 'azblob://': missing the bucket or container name"),
        (
            "azblob://c?nope=1",
            {},
            f"azblob://c?nope=1: unknown query parameter 'nope' (known: {KNOWN})",
        ),
        ("azblob://c/p?protocol=ftp", {}, "azblob://c/p: protocol must be http or https"),
        ("azblob://c", {"AZURE_STORAGE_PROTOCOL": "gopher"}, "azblob://c: protocol must be http or https"),
        (
            "azblob://c?localemu=maybe",
            {},
            "invalid value 'maybe' for query parameter 'localemu': expected true or false",
        ),
        (
            "azblob://c",
            {},
            "azblob://c: no storage account: set AZURE_STORAGE_ACCOUNT (or the storage_account URL parameter), "
            "or AZURE_STORAGE_CONNECTION_STRING",
        ),
        ("azblob://c?storage_account=a", {}, f"azblob://c: {NO_CREDENTIALS}"),
        (
            "azblob://c",
            {"AZURE_STORAGE_CONNECTION_STRING": "garbage"},
            "azblob://c: invalid Azure storage settings: Connection string is either blank or malformed.",
        ),
    ],
)
def test_url_and_settings_errors_are_one_line(monkeypatch, url, env, message):
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # as without azure-identity installed
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(BackendError) as e:
        open_store(url)
    assert e.value.message == message


def failure(kind: type[ax.AzureError], status: int | None = None, code: str | None = None) -> ax.AzureError:
    e = kind(message="failed; sig=secret")
    if status is not None:
        e.status_code = status  # type: ignore[attr-defined]
    if code is not None:
        e.error_code = code  # type: ignore[attr-defined]
    return e


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, opened: list[AzureBlobStore]) -> AzureBlobStore:
    monkeypatch.setenv("AZURE_STORAGE_KEY", KEY)
    return blob("azblob://state/team-a?storage_account=acct&domain=example.net", opened)


@pytest.mark.parametrize(
    ("exc", "what", "problem"),
    [
        (failure(ax.ResourceNotFoundError, 404, "ContainerNotFound"), "list", "container 'state' does not exist"),
        (failure(ax.ResourceNotFoundError, 404, "BlobNotFound"), "read k", "read k failed: BlobNotFound"),
        (failure(ax.HttpResponseError, 404), "list", "list failed: 404"),
        (
            failure(ax.ClientAuthenticationError, 403, "AuthorizationFailure"), "read k",
            "authentication failed (AuthorizationFailure) while trying to read k",
        ),
        (failure(ax.HttpResponseError, 401), "list", "authentication failed (401) while trying to list"),
        (failure(ax.HttpResponseError, 503, "ServerBusy"), "read k", "read k failed: ServerBusy"),
        (failure(ax.ServiceRequestError), "list", f"{UNREACHABLE}: connection failed (ServiceRequestError)"),
        (ConnectionRefusedError(), "list", f"{UNREACHABLE}: connection refused"),
        (failure(ax.ServiceResponseError), "list", f"{UNREACHABLE}: connection failed (ServiceResponseError)"),
        (ValueError("x"), "list", "list failed: ValueError"),
    ],
)  # fmt: skip
def test_sdk_failures_become_one_line_naming_the_endpoint(store, exc, what, problem):
    assert store._error(exc, what).message == f"azblob://state/team-a (endpoint https://acct.example.net/): {problem}"


def attempts(results: list[Any]) -> tuple[Callable[[], str], list[int]]:
    """A call that raises or returns *results* in turn, and the list of its attempts."""
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        result = results[len(calls) - 1]
        if isinstance(result, BaseException):
            raise result
        return str(result)

    return call, calls


def test_transport_errors_and_retryable_statuses_are_retried_up_to_three_times(store, monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(azblob_module.time, "sleep", sleeps.append)
    call, calls = attempts([failure(ax.HttpResponseError, 503), failure(ax.ServiceRequestError), "ok"])
    assert store._retrying(call) == "ok" and len(calls) == 3 and sleeps == [0.5, 1.0]
    call, calls = attempts([OSError("1"), OSError("2"), OSError("3"), "never"])
    with pytest.raises(OSError, match="3"):
        store._retrying(call)
    assert len(calls) == 3


def test_other_statuses_are_not_retried(store, monkeypatch):
    monkeypatch.setattr(azblob_module.time, "sleep", lambda s: pytest.fail("slept"))
    call, calls = attempts([failure(ax.ResourceNotFoundError, 404, "BlobNotFound"), "never"])
    with pytest.raises(ax.ResourceNotFoundError):
        store._retrying(call)
    assert len(calls) == 1


class FakeContainer:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def download_blob(self, name: str) -> Any:
        raise self.exc

    def list_blobs(self, name_starts_with: str) -> Any:
        raise self.exc


def test_a_missing_blob_is_not_found_and_a_missing_container_an_error(store):
    store.container = FakeContainer(failure(ax.ResourceNotFoundError, 404, "BlobNotFound"))  # type: ignore[assignment]
    with pytest.raises(ObjectNotFound):
        store.read(".pulumi/meta.yaml")
    store.container = FakeContainer(failure(ax.ResourceNotFoundError, 404, "ContainerNotFound"))  # type: ignore[assignment]
    for action in (lambda: store.read("k"), lambda: store.list("")):
        with pytest.raises(BackendError) as e:
            action()
        assert (
            e.value.message
            == "azblob://state/team-a (endpoint https://acct.example.net/): container 'state' does not exist"
        )
