"""No secret reaches a report. The `leaky` pack repeats every value it sees into violation
messages and remediated properties; with encrypted secrets (never decrypted: policies see
"[secret]") and with `--show-secrets` plaintext (policies see the plaintext, as with the
engine), neither a ciphertext nor a plaintext appears in the text, JSON, SARIF, JUnit or
Markdown report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdcml.cli import run
from cdcml.model import Resource, ResourceGraph, freeze
from cdcml.model.values import SECRET_SIG, SIG_KEY
from cdcml.state.export import dumps, export_stack
from tests.fixtures.state.builders import LEAKY_PACK, PULUMI_STATE, plaintext_secrets_doc, secret_material

OWN_SECRETS = ("hunter2-correct-horse-battery", "tok-5f1e2d3c4b5a69788796a5b4")


def own_graph() -> ResourceGraph:
    urn = "urn:pulumi:dev::vault::azure-native:keyvault:Secret::db-password"
    return ResourceGraph(
        project="vault",
        stack="dev",
        resources=(
            Resource(
                urn,
                "azure-native:keyvault:Secret",
                "db-password",
                True,
                id="/subscriptions/s/secrets/db-password",
                inputs=freeze(
                    {
                        "properties": {"value": {SIG_KEY: SECRET_SIG, "value": OWN_SECRETS[0]}},
                        "note": "not secret",
                    }
                ),
                outputs=freeze({"token": {SIG_KEY: SECRET_SIG, "value": {"nested": [OWN_SECRETS[1]]}}}),
            ),
        ),
    )


def analyze_everything(tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Every report of one run, concatenated."""
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    args = ["policy", "analyze", "--file", str(state), "--policy-pack", str(LEAKY_PACK)]
    files = [
        "--sarif",
        str(reports / "r.sarif"),
        "--junit",
        str(reports / "r.xml"),
        "--markdown",
        str(reports / "r.md"),
    ]
    code = run([*args, *files])
    text_out, text_err = capsys.readouterr()
    assert code == 1, text_err  # the leaky pack is mandatory: it found something everywhere
    code = run([*args, "--json", "--show-not-applicable"])
    json_out, json_err = capsys.readouterr()
    assert code == 1, json_err
    doc = json.loads(json_out)
    assert doc["summary"]["mandatory"] > 0 and doc["remediations"]
    parts = [text_out, text_err, json_out, json_err] + [p.read_text() for p in sorted(reports.iterdir())]
    return "\n".join(parts)


def test_encrypted_secrets_of_the_pulumi_fixture_never_reach_a_report(tmp_path, capsys):
    ciphertexts, plaintexts = secret_material(PULUMI_STATE / "checkpoint-secrets.json")
    assert ciphertexts and plaintexts
    everything = analyze_everything(tmp_path, PULUMI_STATE / "checkpoint-secrets.json", capsys)
    assert "[secret]" in everything  # the policies did see, and echo, the secrets
    assert not [c for c in ciphertexts if c in everything]
    assert not [p for p in plaintexts if p in everything]


def test_show_secrets_plaintext_of_the_pulumi_fixture_never_reaches_a_report(tmp_path, capsys):
    _, plaintexts = secret_material(PULUMI_STATE / "checkpoint-secrets.json")
    state = tmp_path / "plain.json"
    state.write_text(json.dumps(plaintext_secrets_doc(PULUMI_STATE / "checkpoint-secrets.json")))
    assert any(p in state.read_text() for p in plaintexts)  # the state itself does hold them
    everything = analyze_everything(tmp_path, state, capsys)
    assert "[secret]" in everything
    assert not [p for p in plaintexts if p in everything]


@pytest.mark.parametrize("secrets", ["plaintext", "passphrase"])
def test_distinctive_secrets_never_reach_a_report(tmp_path, capsys, secrets):
    state = tmp_path / f"own-{secrets}.json"
    state.write_bytes(dumps(export_stack(own_graph(), secrets=secrets, passphrase="pw")))
    raw = state.read_text()
    assert (OWN_SECRETS[0] in raw) == (secrets == "plaintext")
    everything = analyze_everything(tmp_path, state, capsys)
    assert "not secret" in everything and "[secret]" in everything
    for secret in OWN_SECRETS:
        assert secret not in everything
    if secrets == "passphrase":
        ciphertexts = [v["ciphertext"] for v in json.loads(raw)["deployment"]["resources"][0]["outputs"].values()]
        assert ciphertexts and not [c for c in ciphertexts if c in everything]
