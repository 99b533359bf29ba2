"""No secret reaches a report. The `leaky` pack repeats every value it sees into violation
messages and remediated properties; with encrypted secrets (never decrypted: policies see
"[secret]") and with `--show-secrets` plaintext (policies see the plaintext, as with the
engine), neither a ciphertext nor a plaintext appears in the text, JSON, SARIF, JUnit or
Markdown report."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# --------------------------------------------------------------------------- passphrase-encrypted state


def test_secrets_decrypted_with_the_passphrase_never_reach_a_report(tmp_path, capsys, monkeypatch):
    """With PULUMI_CONFIG_PASSPHRASE the leaky pack sees (and echoes) the plaintexts; no
    report of the run carries one, nor a ciphertext."""
    from cdcml import secrets
    from tests.fixtures.state.secrets import PASSPHRASE, PASSWORD, ciphertexts, encrypted_state

    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    state = tmp_path / "dev.json"
    doc = encrypted_state()
    state.write_text(json.dumps(doc))
    everything = analyze_everything(tmp_path, state, capsys)
    assert "[secret]" in everything and "could not be decrypted" not in everything
    for part in [PASSWORD, PASSPHRASE, *ciphertexts(doc)]:
        assert part not in everything
    secrets.forget_all()


def _leaky_in_process() -> Any:
    """The leaky pack's policies (tests/fixtures/state/packs/leaky), loaded here."""
    from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

    from cdcml.engine.pack import pack_from_policies

    def plain(value: Any) -> str:
        def deep(v: Any) -> Any:
            if isinstance(v, Mapping):
                return {str(k): deep(v[k]) for k in v}
            if isinstance(v, Sequence) and not isinstance(v, str):
                return [deep(x) for x in v]
            return v

        return json.dumps(deep(value), default=str, sort_keys=True)

    def echo_inputs(args: Any, report: Any) -> None:
        report(f"inputs of {args.name}: {plain(args.props)} / {dict(args.props)!r}")

    def echo_outputs(args: Any, report: Any) -> None:
        for r in args.resources:
            report(f"outputs: {plain(r.props)}", r.urn)

    def copy(args: Any) -> Any:
        props = args.props
        props["leakedCopy"] = plain(props)
        return props

    return pack_from_policies(
        "leaky",
        [
            ResourceValidationPolicy(name="echo-inputs", description="Echo inputs.", validate=echo_inputs),
            ResourceValidationPolicy(
                name="copy-to-tag", description="Copy.", remediate=copy, enforcement_level=EnforcementLevel.REMEDIATE
            ),
            StackValidationPolicy(name="echo-outputs", description="Echo outputs.", validate=echo_outputs),
        ],
        enforcement_level="mandatory",
    )


_SECRET_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=6).filter(
    lambda t: len(" ".join(t.split())) >= 6
)
SECRET_VALUES = st.one_of(
    _SECRET_TEXT, st.dictionaries(st.sampled_from(["user", "key", "token"]), _SECRET_TEXT, min_size=1)
)


def _leaves(value: Any) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def _shown(text: str) -> set[str]:
    """The forms in which a report could carry *text*: raw, JSON-escaped, XML-escaped."""
    import html

    return {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1], html.escape(text)}


@given(value=SECRET_VALUES, passphrase_given=st.booleans())
def test_no_report_carries_the_plaintext_or_the_ciphertext_of_any_secret(value: Any, passphrase_given: bool) -> None:
    """Whatever a secret holds, decrypted with the passphrase (policies see and echo it) or
    not (policies see "[secret]", the run warns where): neither the text, JSON, SARIF,
    JUnit nor Markdown report, nor the run's warnings, carry a plaintext or a ciphertext."""
    import dataclasses
    import io

    from rich.console import Console

    from cdcml import secrets
    from cdcml.engine.config import reconcile
    from cdcml.report.formats import FORMATS
    from cdcml.report.json_report import verdict_to_json
    from cdcml.report.text import render_text
    from cdcml.runs.analyze import analyze_graphs
    from cdcml.secrets import PassphraseSource
    from cdcml.state.decode import load_state
    from cdcml.state.secrets import StateSecrets
    from tests.fixtures.state.secrets import PASSPHRASE, ciphertexts, encrypted_state

    doc = encrypted_state(value)
    found = StateSecrets(PassphraseSource(PASSPHRASE if passphrase_given else None, env=False))
    graph = load_state(doc, source="dev.json", secrets=found)
    pack = _leaky_in_process()
    verdict = analyze_graphs([graph], [pack], [reconcile(pack)])
    verdict = dataclasses.replace(verdict, warnings=tuple(found.notes("organization/cdcml/dev")))
    assert bool(verdict.warnings) is not passphrase_given
    buf = io.StringIO()
    render_text(verdict, Console(file=buf, width=100_000), show_not_applicable=True)
    reports = [buf.getvalue(), json.dumps(verdict_to_json(verdict)), *verdict.warnings]
    reports += [fmt.render(verdict).decode("utf-8") for fmt in FORMATS]
    everything = "\n".join(reports)
    assert "[secret]" in everything
    for leaf in _leaves(value):
        assert not [form for form in _shown(leaf) if form in everything]
    assert not [c for c in ciphertexts(doc) if c in everything]
    secrets.forget_all()
