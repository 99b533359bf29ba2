"""What a user gives a capture offline: an invokes file (validated, one-line errors, secrets
known to the run) and other stacks' outputs from an export file or a backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdcml import secrets
from cdcml.capture.invokes import InvokeAnswer
from cdcml.capture.program import capture_program
from cdcml.model.values import REDACTED, SECRET_SIG, SIG_KEY, secret
from cdcml.runs.answers import (
    AnswersError,
    answer_secrets,
    load_invoke_answers,
    load_stack_references,
    parse_stack_reference,
)
from cdcml.state.export import dumps, export_stack, to_checkpoint

TOKEN = "azure-native:storage:listStorageAccountKeys"


def shared_stack() -> object:
    """The graph of a stack `shared` exporting a plain and a secret output."""

    def program() -> None:
        import pulumi

        pulumi.export("vnetId", "/subscriptions/s/vnet")
        pulumi.export("hubKey", pulumi.Output.secret("hub-key-value"))

    return capture_program(program, project="net", stack="shared", mode="resolved")


def test_an_invokes_file_in_yaml_gives_answers_in_file_order_and_its_secrets_are_the_runs(tmp_path):
    path = tmp_path / "invokes.yaml"
    path.write_text(
        f"""\
version: 1
invokes:
  - token: {TOKEN}
    args: {{accountName: landing}}
    secret: true
    result:
      keys: [{{keyName: key1, value: yaml-key-value, permissions: FULL}}]
  - token: azure-native:keyvault:getVault
    result:
      properties:
        vaultUri: https://kv.vault.azure.net/
        token: {{"{SIG_KEY}": "{SECRET_SIG}", "value": "inner-secret-value"}}
"""
    )
    secrets.forget_all()
    first, second = load_invoke_answers(path)
    assert first == InvokeAnswer(
        TOKEN,
        {"keys": [{"keyName": "key1", "value": "yaml-key-value", "permissions": "FULL"}]},
        {"accountName": "landing"},
        True,
    )
    assert first.answer()["keys"] == secret([{"keyName": "key1", "value": "yaml-key-value", "permissions": "FULL"}])
    assert second.args is None and not second.secret
    uri = "https://kv.vault.azure.net/"
    assert secrets.scrub(f"yaml-key-value inner-secret-value {uri}") == f"{REDACTED} {REDACTED} {uri}"
    assert sorted(answer_secrets((first, second), {})) == ["FULL", "inner-secret-value", "key1", "yaml-key-value"]
    secrets.forget_all()


def test_an_invokes_file_in_json_may_be_a_bare_list(tmp_path):
    path = tmp_path / "invokes.json"
    path.write_text(json.dumps([{"token": "a:b:getC", "result": {"x": 1}}]))
    assert load_invoke_answers(path) == (InvokeAnswer("a:b:getC", {"x": 1}),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("invokes: [{token: a:b:getC}]", "entry #1: 'result' is a required property"),
        ("invokes: [{token: nocolons, result: {}}]", "entry #1 token: 'nocolons' does not match"),
        ("invokes: [{token: a:b:c, result: {}, extra: 1}]", "entry #1: Additional properties are not allowed"),
        ("invokes: [{token: a:b:c, result: [1]}]", "entry #1 result: [1] is not of type 'object'"),
        ("version: 2\ninvokes: []", ".yaml version: 1 was expected"),
        (
            f'invokes: [{{token: a:b:c, result: {{k: {{"{SIG_KEY}": "{SECRET_SIG}"}}}}}}]',
            "entry #1 result.k: only secrets may use the signature key",
        ),
        ("invokes: [", "line 1: not valid YAML"),
    ],
)
def test_a_bad_invokes_file_is_one_line_naming_the_entry_and_the_problem(tmp_path, text, message):
    path = tmp_path / "invokes.yaml"
    path.write_text(text)
    with pytest.raises(AnswersError) as e:
        load_invoke_answers(path)
    assert str(e.value).startswith(f"invokes file {path}") and message in str(e.value), str(e.value)
    assert "\n" not in str(e.value)


def test_a_missing_invokes_file_is_named(tmp_path):
    with pytest.raises(AnswersError, match=r"invokes file .*nope.yaml does not exist"):
        load_invoke_answers(tmp_path / "nope.yaml")


def test_a_stack_reference_reads_the_root_outputs_of_an_export_file_secrets_secret(tmp_path):
    export = tmp_path / "shared.json"
    export.write_bytes(dumps(export_stack(shared_stack())))
    secrets.forget_all()
    refs = load_stack_references([f"acme/net/shared={export}"])
    assert dict(refs.outputs["acme/net/shared"]) == {
        "vnetId": "/subscriptions/s/vnet",
        "hubKey": secret("hub-key-value"),
    }
    assert refs.notes == ()
    assert secrets.scrub("hub-key-value") == REDACTED
    secrets.forget_all()


def test_a_stack_reference_reads_the_stack_of_its_name_from_a_file_backend(tmp_path):
    checkpoint = tmp_path / "backend" / ".pulumi" / "stacks" / "net" / "shared.json"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(dumps(to_checkpoint(shared_stack())))
    (tmp_path / "backend" / ".pulumi" / "meta.yaml").write_text("version: 1\n")
    refs = load_stack_references([f"organization/net/shared=file://{tmp_path / 'backend'}"])
    assert refs.outputs["organization/net/shared"]["vnetId"] == "/subscriptions/s/vnet"
    with pytest.raises(AnswersError, match=r"^--stack-reference organization/net/other: .*no stack"):
        load_stack_references([f"organization/net/other=file://{tmp_path / 'backend'}"])


PASSPHRASE = "correct horse battery staple"


def encrypted_export(tmp_path: Path) -> Path:
    """``shared``'s export with its secret output encrypted by the passphrase secrets
    manager under :data:`PASSPHRASE`, as the Pulumi CLI writes it."""
    export = tmp_path / "shared.json"
    export.write_bytes(dumps(export_stack(shared_stack(), secrets="passphrase", passphrase=PASSPHRASE)))
    assert b"hub-key-value" not in export.read_bytes()
    return export


def test_a_referenced_stacks_passphrase_secrets_are_decrypted_with_the_runs_passphrase(tmp_path, monkeypatch):
    """As `policy analyze` decrypts a state: the output is the plaintext, still a secret,
    and a secret of the run from then on."""
    export = encrypted_export(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    secrets.forget_all()
    refs = load_stack_references([f"acme/net/shared={export}"])
    assert dict(refs.outputs["acme/net/shared"]) == {
        "vnetId": "/subscriptions/s/vnet",
        "hubKey": secret("hub-key-value"),
    }
    assert refs.notes == ()
    assert secrets.scrub("hub-key-value") == REDACTED


def test_a_referenced_backends_passphrase_secrets_are_decrypted_with_the_passphrase_file(tmp_path, monkeypatch):
    checkpoint = tmp_path / "backend" / ".pulumi" / "stacks" / "net" / "shared.json"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(dumps(to_checkpoint(shared_stack(), secrets="passphrase", passphrase=PASSPHRASE)))
    (tmp_path / "backend" / ".pulumi" / "meta.yaml").write_text("version: 1\n")
    pfile = tmp_path / "passphrase.txt"
    pfile.write_text(PASSPHRASE + "\n")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(pfile))
    refs = load_stack_references([f"organization/net/shared=file://{tmp_path / 'backend'}"])
    assert refs.outputs["organization/net/shared"]["hubKey"] == secret("hub-key-value")


def test_without_the_passphrase_the_secret_outputs_stay_hidden_and_a_note_names_them(tmp_path, monkeypatch):
    """What the program then gets is unknown (:mod:`cdcml.capture.provider`); the note
    names the reference, each output that stayed encrypted and how to decrypt it."""
    export = encrypted_export(tmp_path)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    refs = load_stack_references([f"acme/net/shared={export}", f"acme/net/plain={plain_export(tmp_path)}"])
    assert refs.outputs["acme/net/shared"]["hubKey"] == {SIG_KEY: SECRET_SIG, "value": REDACTED}
    assert refs.outputs["acme/net/shared"]["vnetId"] == "/subscriptions/s/vnet"
    assert refs.notes == (
        "--stack-reference acme/net/shared: the secret output(s) hubKey can't be decrypted (set "
        "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to decrypt them); a StackReference to "
        "acme/net/shared gets unknown outputs",
    )


def test_a_secret_of_another_secrets_provider_is_named_with_that_provider(tmp_path, monkeypatch):
    doc = export_stack(shared_stack(), secrets="passphrase", passphrase=PASSPHRASE)
    doc["deployment"]["secrets_providers"] = {"type": "service", "state": {}}
    export = tmp_path / "shared.json"
    export.write_bytes(dumps(doc))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    (note,) = load_stack_references([f"acme/net/shared={export}"]).notes
    assert "hubKey can't be decrypted (its secrets provider is service; cdcml decrypts only passphrase" in note


def test_a_wrong_passphrase_for_a_referenced_stack_is_one_line_naming_it(tmp_path, monkeypatch):
    export = encrypted_export(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not the passphrase")
    with pytest.raises(AnswersError) as e:
        load_stack_references([f"acme/net/shared={export}"])
    message = str(e.value)
    assert message.startswith(f"--stack-reference acme/net/shared: {export}: incorrect passphrase"), message
    assert "\n" not in message and "not the passphrase" not in message and "hub-key-value" not in message


def plain_export(tmp_path: Path) -> Path:
    export = tmp_path / "plain.json"
    export.write_bytes(dumps(export_stack(shared_stack())))
    return export


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("acme/net/shared", "--stack-reference 'acme/net/shared': expected NAME=SOURCE"),
        ("=x.json", "expected NAME=SOURCE"),
        ("a/b/c=missing.json", "--stack-reference a/b/c: state file missing.json does not exist"),
    ],
)
def test_a_bad_stack_reference_is_one_line(tmp_path, monkeypatch, spec, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AnswersError) as e:
        load_stack_references([spec])
    assert message in str(e.value), str(e.value)


@pytest.fixture(autouse=True)
def _forget_the_runs_secrets():
    """Decrypted plaintexts become secrets of the run; later tests start without them."""
    yield
    secrets.forget_all()


def test_a_stack_reference_given_twice_is_refused(tmp_path):
    export = tmp_path / "shared.json"
    export.write_bytes(dumps(export_stack(shared_stack())))
    with pytest.raises(AnswersError, match="given twice"):
        load_stack_references([f"a/b/c={export}", f"a/b/c={export}"])


def test_parse_stack_reference_splits_at_the_first_equals_sign():
    assert parse_stack_reference("a/b/c=s3://bucket/x?region=eu") == ("a/b/c", "s3://bucket/x?region=eu")
