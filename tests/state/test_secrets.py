"""The secrets of stored state (src/cdcml/state/secrets.py): decrypted with the passphrase
as the Pulumi engine decrypts them, a wrong passphrase refused as the CLI refuses it, and
every secret policies can't see named — never a plaintext or a ciphertext in a message."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cdcml import secrets
from cdcml.errors import StateError
from cdcml.model import thaw
from cdcml.model.values import REDACTED, SECRET_SIG, SIG_KEY, is_secret, reveal
from cdcml.secrets import PassphraseCrypter, PassphraseSource
from cdcml.state.decode import load_state
from cdcml.state.secrets import MAX_NAMED, StateSecrets
from tests.fixtures.state.builders import PULUMI_STATE
from tests.fixtures.state.secrets import (
    LINKED_SERVICE,
    PASSPHRASE,
    PASSWORD,
    ciphertexts,
    encrypted_state,
    linked_service_graph,
)
from tests.state.documents import deployment, res

HIDDEN = [
    "azure-native:datafactory:LinkedService::orders-link inputs.properties.connectionString",
    "azure-native:datafactory:LinkedService::orders-link inputs.properties.extra",
    "azure-native:datafactory:LinkedService::orders-link outputs.properties.connectionString",
    "azure-native:datafactory:LinkedService::orders-link outputs.properties.extra",
]


@pytest.fixture(autouse=True)
def _forget_the_runs_secrets():
    """Decrypted plaintexts become secrets of the run; later tests start without them."""
    yield
    secrets.forget_all()


def with_passphrase(passphrase: str | None) -> StateSecrets:
    return StateSecrets(PassphraseSource(passphrase, env=False))


def test_a_state_encrypted_with_the_passphrase_is_decrypted_into_wire_secrets():
    """Policies see what `pulumi stack export --show-secrets` shows, still marked secret."""
    found = with_passphrase(PASSPHRASE)
    graph = load_state(encrypted_state(), secrets=found)
    original = linked_service_graph()
    assert thaw(graph[LINKED_SERVICE].inputs) == thaw(original[LINKED_SERVICE].inputs)
    assert thaw(graph[LINKED_SERVICE].outputs) == thaw(original[LINKED_SERVICE].outputs)
    extra = graph[LINKED_SERVICE].inputs["properties"]["extra"]
    assert is_secret(extra) and reveal(extra) == PASSWORD
    assert found.hidden == [] and found.notes("organization/cdcml/dev") == []
    assert "4 secret value(s) decrypted with the passphrase: policies see them as secrets" in graph.diagnostics
    assert secrets.scrub(f"echo {PASSWORD}") == f"echo {REDACTED}"  # a secret of the run as soon as it is read


@pytest.mark.parametrize("value", [{"user": "cdc", "keys": ["k-1a2b3c", 7, None, True]}, 4.5, ""])
def test_any_json_value_comes_back_as_it_was_stored(value):
    graph = load_state(encrypted_state(value), secrets=with_passphrase(PASSPHRASE))
    assert thaw(reveal(graph[LINKED_SERVICE].inputs["properties"]["extra"])) == value


def test_a_wrong_passphrase_is_refused_in_one_line_without_anything_secret():
    doc = encrypted_state()
    with pytest.raises(StateError) as e:
        load_state(doc, source="dev.json", secrets=with_passphrase("not-the-state-passphrase"))
    message = e.value.message
    assert message.startswith("dev.json: incorrect passphrase: the state's secrets were encrypted with another")
    assert "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE" in message and "\n" not in message
    for part in [PASSWORD, PASSPHRASE, "not-the-state-passphrase", *ciphertexts(doc)]:
        assert part not in message


def test_without_a_passphrase_every_secret_is_redacted_and_named():
    doc = encrypted_state()
    found = with_passphrase(None)
    graph = load_state(doc, source="dev.json", secrets=found)
    assert reveal(graph[LINKED_SERVICE].inputs["properties"]["connectionString"]) == REDACTED
    assert found.hidden == HIDDEN
    (note,) = found.notes("organization/cdcml/dev")
    assert note == (
        "stack organization/cdcml/dev: 4 secret value(s) could not be decrypted (set PULUMI_CONFIG_PASSPHRASE or "
        f'PULUMI_CONFIG_PASSPHRASE_FILE); policies saw the placeholder "[secret]" in {", ".join(HIDDEN)}, so the '
        "verdict may differ"
    )
    assert not [c for c in ciphertexts(doc) if c in note]


def test_a_state_without_secrets_never_asks_for_the_passphrase(tmp_path, monkeypatch):
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(tmp_path / "missing"))
    doc = copy.deepcopy(encrypted_state())
    for r in doc["deployment"]["resources"]:
        r.pop("inputs", None)
        r.pop("outputs", None)
    found = StateSecrets(PassphraseSource(error=StateError))
    load_state(doc, secrets=found)  # an unreadable passphrase file is never read
    with pytest.raises(StateError, match=r"PULUMI_CONFIG_PASSPHRASE_FILE .*missing can't be read"):
        load_state(encrypted_state(), secrets=StateSecrets(PassphraseSource(error=StateError)))


def test_a_provider_cdcml_cannot_use_offline_is_named_with_the_secrets_policies_did_not_see():
    found = with_passphrase(PASSPHRASE)
    graph = load_state((PULUMI_STATE / "checkpoint-secrets.json").read_bytes(), secrets=found)
    role = graph["urn:pulumi:foo::countdown::aws:iam/role:Role::countDown_watcher-iamrole"]
    assert reveal(role.outputs["uniqueId"]) == REDACTED
    assert len(found.hidden) == 10 and found.hidden[:2] == [
        "aws:iam/role:Role::countDown_watcher-iamrole inputs.assumeRolePolicy",
        "aws:iam/role:Role::countDown_watcher-iamrole outputs.assumeRolePolicy",
    ]
    (note,) = found.notes("foo")
    assert note.startswith(
        "stack foo: 10 secret value(s) could not be decrypted (the state's secrets provider is b64; cdcml decrypts "
        "only passphrase-managed secrets)"
    )
    assert "cloud:timer:Timer::heartbeat inputs.scheduleExpression, so the verdict may differ" in note


def test_a_note_names_the_first_twenty_secrets_and_counts_the_rest():
    found = with_passphrase(None)
    found.open({"type": "passphrase", "state": {"salt": "v1:AAAA:v1:AAAA:AAAA"}}, "s")
    for i in range(MAX_NAMED + 5):
        assert found.decrypt("v1:x:y", f"urn:pulumi:dev::p::a:b:C::r{i}", "inputs.pw") is None
    (note,) = found.notes("dev")
    assert "a:b:C::r19 inputs.pw (and 5 more)" in note and "r20" not in note


def test_a_ciphertext_the_right_key_cannot_open_is_an_error_naming_its_place():
    doc = encrypted_state()
    _, other = PassphraseCrypter.new_state(PASSPHRASE, b"othersal")
    ls = next(r for r in doc["deployment"]["resources"] if r["urn"] == LINKED_SERVICE)
    ls["outputs"]["properties"]["extra"]["ciphertext"] = other.encrypt(json.dumps(PASSWORD))
    with pytest.raises(StateError) as e:
        load_state(doc, source="dev.json", secrets=with_passphrase(PASSPHRASE))
    assert e.value.message == (
        f"dev.json: {LINKED_SERVICE}.outputs.properties.extra: the secret can't be decrypted with the state's "
        "passphrase (a corrupt ciphertext)"
    )


def test_a_decrypted_value_that_is_not_json_is_refused_without_showing_it():
    doc = encrypted_state()
    _, crypter = PassphraseCrypter.new_state(PASSPHRASE, b"cdcmlsal")
    ls = next(r for r in doc["deployment"]["resources"] if r["urn"] == LINKED_SERVICE)
    ls["inputs"]["properties"]["extra"]["ciphertext"] = crypter.encrypt("Hunter2-bare-not-json")
    with pytest.raises(StateError) as e:
        load_state(doc, source="dev.json", secrets=with_passphrase(PASSPHRASE))
    assert e.value.message.endswith("inputs.properties.extra: a decrypted secret is not valid JSON")
    assert "Hunter2-bare-not-json" not in e.value.message


@pytest.mark.parametrize(
    ("providers", "problem"),
    [
        ({"type": "passphrase", "state": {}}, "secrets_providers.state.salt of the passphrase provider is missing"),
        ({"type": "passphrase", "state": {"salt": "v1:only-two"}}, "secrets_providers.state.salt is malformed"),
    ],
)
def test_a_passphrase_provider_without_a_usable_salt_is_refused(providers, problem):
    doc = deployment([res("a", inputs={"pw": {SIG_KEY: SECRET_SIG, "ciphertext": "v1:x:y"}})])
    doc["deployment"]["secrets_providers"] = providers
    with pytest.raises(StateError, match=problem):
        load_state(doc, source="s.json", secrets=with_passphrase(PASSPHRASE))


def _checkpoint_with_config(config: dict[str, Any]) -> dict[str, Any]:
    latest = encrypted_state()["deployment"]
    return {"version": 3, "checkpoint": {"stack": "organization/cdcml/dev", "config": config, "latest": latest}}


def test_secure_config_of_a_checkpoint_is_decrypted_or_named():
    salt = encrypted_state()["deployment"]["secrets_providers"]["state"]["salt"]
    crypter = PassphraseCrypter.from_state(PASSPHRASE, salt)
    doc = _checkpoint_with_config(
        {"cdcml:sqlPassword": {"secure": crypter.encrypt("Hunter2-config-secret")}, "cdcml:stale": {"secure": "v1:x:y"}}
    )
    found = with_passphrase(PASSPHRASE)
    graph = load_state(doc, secrets=found)
    assert graph.config["cdcml:sqlPassword"] == "Hunter2-config-secret"
    assert graph.config["cdcml:stale"] == REDACTED and found.hidden == ["config cdcml:stale"]
    assert set(graph.config_secret_keys) == {"cdcml:sqlPassword", "cdcml:stale"}
    hidden = with_passphrase(None)
    assert load_state(doc, secrets=hidden).config["cdcml:sqlPassword"] == REDACTED
    assert hidden.hidden[-2:] == ["config cdcml:sqlPassword", "config cdcml:stale"]


def test_without_state_secrets_nothing_is_decrypted_even_with_a_passphrase_in_the_environment(monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    graph = load_state(encrypted_state())
    assert reveal(graph[LINKED_SERVICE].inputs["properties"]["extra"]) == REDACTED
