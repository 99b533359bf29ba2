"""`cdcml policy analyze` against real emulators on loopback: moto's S3 server and Azurite.

Each emulator holds a project-layout backend under a prefix (several projects and stacks,
plain, gzip and zstd files, backups and history, a locked stack) and a legacy-layout
backend. The tests assert verdicts, that nothing in the bucket changed (keys, ETags,
modification times), and what happens when the endpoint refuses, hangs, or fails in the
middle of a run: one line, exit code 2, nothing printed or written as if complete.
"""

from __future__ import annotations

import json
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cdcml.report import REPORT_SCHEMA
from tests.fixtures.cli import assert_verdicts, cli, lock_note, one_line_error
from tests.fixtures.state.builders import (
    AUDIT_PACK,
    EXPECTED_LEGACY_MANDATORY,
    EXPECTED_MANDATORY,
    SARIF_SCHEMA,
    legacy_layout,
    project_layout,
    upload,
)
from tests.fixtures.state.emulators import (
    AZURITE_ACCOUNT,
    AZURITE_KEY,
    Azurite,
    azurite,
    failing_proxy,
    free_port,
    isolated_env,
    silent_server,
)

pytestmark = pytest.mark.slow

PREFIX = "team-a/"
AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def assert_reports(tmp_path: Path, json_out: str) -> None:
    """Every report of a backend run is complete and valid."""
    doc = json.loads(json_out)
    jsonschema.validate(doc, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    suites = ET.parse(tmp_path / "r.xml").getroot()
    assert {s.get("name") for s in suites} == {
        s["project"] and f"organization/{s['project']}/{s['stack']}" for s in doc["stacks"]
    }
    assert "update in progress" in (tmp_path / "r.md").read_text()


# --------------------------------------------------------------------------- S3 (moto)


@dataclass
class S3:
    endpoint: str
    port: int
    client: Any

    def url(self, bucket: str, prefix: str = "", endpoint: str | None = None) -> str:
        path = f"/{prefix.rstrip('/')}" if prefix else ""
        return f"s3://{bucket}{path}?endpoint={endpoint or self.endpoint}&s3ForcePathStyle=true&region=us-east-1"

    def state(self, bucket: str) -> dict[str, tuple[str, Any, int]]:
        out = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                out[o["Key"]] = (o["ETag"], o["LastModified"], o["Size"])
        return out


@pytest.fixture(scope="session")
def s3() -> Iterator[S3]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        _, port = server.get_host_and_port()
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        for bucket, objects, prefix in (("audit", project_layout(), PREFIX), ("legacy", legacy_layout(), "")):
            client.create_bucket(Bucket=bucket)
            upload(lambda key, data, b=bucket: client.put_object(Bucket=b, Key=key, Body=data), objects, prefix)
        try:
            yield S3(endpoint, port, client)
        finally:
            client.close()
    finally:
        server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in isolated_env(AWS).items():
        monkeypatch.setenv(key, value)


def test_s3_backend_verdicts_and_reports(s3, aws_env, capsys, tmp_path):
    before = s3.state("audit")
    args = ["policy", "analyze", "--backend", s3.url("audit", PREFIX), "--all", "--policy-pack", str(AUDIT_PACK)]
    code, out, err = cli(capsys, *args)
    assert code == 1, err
    assert_verdicts(out, EXPECTED_MANDATORY)
    assert lock_note(out, "organization/analytics/qa").startswith(
        "update in progress: locked by alice@build-7 (pid 4242)"
    )
    reports = ["--sarif", str(tmp_path / "r.sarif"), "--junit", str(tmp_path / "r.xml")]
    code, out, err = cli(capsys, *args, "--json", *reports, "--markdown", str(tmp_path / "r.md"))
    assert code == 1, err
    assert_reports(tmp_path, out)
    doc = json.loads(out)
    assert doc["source"] == "s3://audit/team-a"
    assert doc["stacks"][0]["state"]["location"] == "s3://audit/team-a/.pulumi/stacks/analytics/qa.json"
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert sarif["runs"][0]["originalUriBaseIds"]["BACKEND"] == {"uri": "s3://audit/team-a/"}
    # Read-only: the same objects, byte for byte (ETags) and untouched (modification times).
    assert s3.state("audit") == before


def test_s3_one_stack_and_legacy_layout(s3, aws_env, capsys):
    before = s3.state("legacy")
    code, out, err = cli(
        capsys, "policy", "analyze", "--backend", s3.url("audit", PREFIX), "--stack", "organization/cdcml/prod",
        "--policy-pack", str(AUDIT_PACK),
    )  # fmt: skip
    assert code == 0, err
    assert "organization/cdcml/prod" in out and "PASS" in out.splitlines()[-1]
    code, out, err = cli(
        capsys, "policy", "analyze", "--backend", s3.url("legacy"), "--all", "--policy-pack", str(AUDIT_PACK)
    )
    assert code == 1, err
    assert_verdicts(out, EXPECTED_LEGACY_MANDATORY)
    assert lock_note(out, "organization/analytics/legacy-b").startswith("update in progress")
    assert s3.state("legacy") == before
    assert ".pulumi/meta.yaml" not in s3.state("legacy")  # a legacy backend stays legacy


def test_s3_endpoint_from_the_aws_environment(s3, aws_env, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3.endpoint)
    code, _, err = cli(
        capsys, "policy", "analyze", "--backend", "s3://audit/team-a?s3ForcePathStyle=true", "--stack",
        "organization/cdcml/dev", "--policy-pack", str(AUDIT_PACK),
    )  # fmt: skip
    assert code == 0, err


def test_s3_missing_bucket_and_missing_credentials(s3, aws_env, capsys, monkeypatch):
    code, out, err = cli(capsys, "policy", "analyze", "--backend", s3.url("nope"), "--all")
    assert code == 2 and out == ""
    assert "bucket 'nope' does not exist" in one_line_error(err)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, out, err = cli(capsys, "policy", "analyze", "--backend", s3.url("audit", PREFIX), "--all")
    assert code == 2 and out == ""
    assert "no AWS credentials" in one_line_error(err)


def test_s3_endpoint_refusing_connections(aws_env, capsys):
    port = free_port()  # nothing listens there
    url = f"s3://audit?endpoint=http://127.0.0.1:{port}&s3ForcePathStyle=true&region=us-east-1"
    code, out, err = cli(capsys, "policy", "analyze", "--backend", url, "--all", "--backend-timeout", "2")
    assert code == 2 and out == ""
    line = one_line_error(err)
    assert f"(endpoint http://127.0.0.1:{port})" in line and "can't reach the endpoint" in line


def test_s3_endpoint_that_never_answers_times_out(aws_env, capsys):
    with silent_server() as port:
        url = f"s3://audit?endpoint=http://127.0.0.1:{port}&s3ForcePathStyle=true&region=us-east-1"
        start = time.monotonic()
        code, out, err = cli(capsys, "policy", "analyze", "--backend", url, "--all", "--backend-timeout", "0.5")
        elapsed = time.monotonic() - start
    assert code == 2 and out == ""
    assert "timed out after 0.5s" in one_line_error(err)
    assert elapsed < 30


def test_s3_failing_in_the_middle_of_a_run_leaves_no_report(s3, aws_env, capsys, tmp_path):
    with failing_proxy(s3.port, "/stacks/cdcml/seed.json") as port:
        url = s3.url("audit", PREFIX, endpoint=f"http://127.0.0.1:{port}")
        code, out, err = cli(
            capsys, "policy", "analyze", "--backend", url, "--all", "--policy-pack", str(AUDIT_PACK), "--json",
            "--sarif", str(tmp_path / "r.sarif"), "--backend-timeout", "2",
        )  # fmt: skip
    assert code == 2 and out == ""
    line = one_line_error(err)
    assert "read .pulumi/stacks/cdcml/seed.json failed" in line
    assert not (tmp_path / "r.sarif").exists()


# --------------------------------------------------------------------------- Azure (Azurite)


@dataclass
class Blob:
    emulator: Azurite
    service: Any

    def url(self, container: str, prefix: str = "", port: int | None = None) -> str:
        path = f"/{prefix.rstrip('/')}" if prefix else ""
        domain = f"127.0.0.1:{port or self.emulator.port}"
        return (
            f"azblob://{container}{path}?domain={domain}&protocol=http&localemu=true&storage_account={AZURITE_ACCOUNT}"
        )

    def state(self, container: str) -> dict[str, tuple[str, Any, int]]:
        client = self.service.get_container_client(container)
        return {b.name: (b.etag, b.last_modified, b.size) for b in client.list_blobs()}


@pytest.fixture(scope="session")
def blob(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Blob]:
    from azure.storage.blob import BlobServiceClient

    with azurite(tmp_path_factory.mktemp("azurite")) as emulator:
        service = BlobServiceClient.from_connection_string(emulator.connection_string)
        for container, objects, prefix in (("audit", project_layout(), PREFIX), ("legacy", legacy_layout(), "")):
            client = service.create_container(container)
            upload(lambda key, data, c=client: c.upload_blob(key, data), objects, prefix)
        try:
            yield Blob(emulator, service)
        finally:
            service.close()


@pytest.fixture
def azure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_SAS_TOKEN",
        "AZURE_STORAGE_ACCOUNT",
        "AZURE_STORAGE_DOMAIN",
        "AZURE_STORAGE_PROTOCOL",
        "AZURE_STORAGE_IS_LOCAL_EMULATOR",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AZURE_STORAGE_KEY", AZURITE_KEY)


def test_azblob_backend_verdicts_and_reports(blob, azure_env, capsys, tmp_path):
    before = blob.state("audit")
    args = ["policy", "analyze", "--backend", blob.url("audit", PREFIX), "--all", "--policy-pack", str(AUDIT_PACK)]
    code, out, err = cli(capsys, *args)
    assert code == 1, err
    assert_verdicts(out, EXPECTED_MANDATORY)
    assert lock_note(out, "organization/analytics/qa").startswith(
        "update in progress: locked by alice@build-7 (pid 4242)"
    )
    reports = ["--sarif", str(tmp_path / "r.sarif"), "--junit", str(tmp_path / "r.xml")]
    code, out, err = cli(capsys, *args, "--json", *reports, "--markdown", str(tmp_path / "r.md"))
    assert code == 1, err
    assert_reports(tmp_path, out)
    assert json.loads(out)["source"] == "azblob://audit/team-a"
    assert blob.state("audit") == before


def test_azblob_connection_string_and_legacy_layout(blob, azure_env, capsys, monkeypatch):
    before = blob.state("legacy")
    monkeypatch.delenv("AZURE_STORAGE_KEY")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", blob.emulator.connection_string)
    code, out, err = cli(
        capsys, "policy", "analyze", "--backend", "azblob://legacy", "--all", "--policy-pack", str(AUDIT_PACK)
    )
    assert code == 1, err
    assert_verdicts(out, EXPECTED_LEGACY_MANDATORY)
    assert blob.state("legacy") == before
    assert AZURITE_KEY not in out


def test_azblob_wrong_key_missing_container_and_no_credentials(blob, azure_env, capsys, monkeypatch):
    code, out, err = cli(capsys, "policy", "analyze", "--backend", blob.url("nope"), "--all")
    assert code == 2 and out == ""
    assert "container 'nope' does not exist" in one_line_error(err)
    wrong = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ=="
    monkeypatch.setenv("AZURE_STORAGE_KEY", wrong)
    code, out, err = cli(capsys, "policy", "analyze", "--backend", blob.url("audit", PREFIX), "--all")
    assert code == 2 and out == ""
    line = one_line_error(err)
    assert "authentication failed" in line and wrong not in line
    monkeypatch.delenv("AZURE_STORAGE_KEY")
    # With no key, the azure extra signs in with Entra ID, which Azure refuses over http.
    code, out, err = cli(capsys, "policy", "analyze", "--backend", blob.url("audit", PREFIX), "--all")
    assert code == 2 and out == ""
    assert one_line_error(err).endswith("Token credential is only supported with HTTPS.")
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # as without azure-identity installed
    code, out, err = cli(capsys, "policy", "analyze", "--backend", blob.url("audit", PREFIX), "--all")
    assert code == 2 and out == ""
    assert "no Azure credentials" in one_line_error(err)


def test_azblob_endpoint_refusing_connections(azure_env, capsys):
    url = f"azblob://audit?domain=127.0.0.1:{free_port()}&protocol=http&localemu=true&storage_account=x"
    code, out, err = cli(capsys, "policy", "analyze", "--backend", url, "--all", "--backend-timeout", "2")
    assert code == 2 and out == ""
    assert "can't reach the endpoint: connection refused" in one_line_error(err)


def test_azblob_endpoint_that_never_answers_times_out(azure_env, capsys):
    with silent_server() as port:
        url = f"azblob://audit?domain=127.0.0.1:{port}&protocol=http&localemu=true&storage_account=x"
        start = time.monotonic()
        code, out, err = cli(capsys, "policy", "analyze", "--backend", url, "--all", "--backend-timeout", "0.5")
        elapsed = time.monotonic() - start
    assert code == 2 and out == ""
    assert "timed out after 0.5s" in one_line_error(err)
    assert elapsed < 30


def test_azblob_failing_in_the_middle_of_a_run_leaves_no_report(blob, azure_env, capsys, tmp_path):
    with failing_proxy(blob.emulator.port, "/stacks/analytics/staging.json") as port:
        code, out, err = cli(
            capsys, "policy", "analyze", "--backend", blob.url("audit", PREFIX, port=port), "--all",
            "--policy-pack", str(AUDIT_PACK), "--markdown", str(tmp_path / "r.md"), "--backend-timeout", "2",
        )  # fmt: skip
    assert code == 2 and out == ""
    assert "read .pulumi/stacks/analytics/staging.json.zst failed" in one_line_error(err)
    assert not (tmp_path / "r.md").exists()


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect after each test, so a leaked connection is reported against the test that leaked it."""
    import gc

    yield
    gc.collect()
