"""Pulumi.yaml and stack configuration, read as the CLI reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcml.capture.project import encrypt_for_tests, load_project, load_stack_config, parse_config_overrides
from cdcml.errors import ConfigError, ProjectError
from cdcml.model.values import REDACTED

PASSPHRASE = "s3cret passphrase"


@pytest.fixture(scope="module")
def encrypted() -> tuple[str, str]:
    return encrypt_for_tests(PASSPHRASE, b"saltsalt", "hunter2", b"twelve bytes")


def project(tmp_path: Path, stack_yaml: str = "", extra: str = "") -> Path:
    (tmp_path / "Pulumi.yaml").write_text(f"name: demo\nruntime: python\n{extra}")
    (tmp_path / "__main__.py").write_text("")
    if stack_yaml:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    return tmp_path


def test_main_and_name_are_read(tmp_path):
    (tmp_path / "prog").mkdir()
    (tmp_path / "prog" / "__main__.py").write_text("")
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime:\n  name: python\nmain: prog/\n")
    p = load_project(tmp_path)
    assert p.name == "demo" and p.main == (tmp_path / "prog").resolve() and p.runtime == "python"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("runtime: python\n", "'name' is missing"),
        ("name: demo\n", "'runtime' is missing"),
        ("name: demo\nruntime: nodejs\n", "runtime is 'nodejs'; cdcml captures Python programs only"),
        ("name: demo\nruntime: python\nmain: nowhere/\n", "main 'nowhere/' does not exist"),
        ("name: [demo\n", "expected ',' or ']'"),
    ],
)
def test_a_malformed_pulumi_yaml_is_one_clear_line(tmp_path, yaml_text, message):
    (tmp_path / "Pulumi.yaml").write_text(yaml_text)
    with pytest.raises(ProjectError) as err:
        load_project(tmp_path)
    assert message in err.value.message and "\n" not in err.value.message


def test_a_directory_without_pulumi_yaml_is_refused(tmp_path):
    with pytest.raises(ProjectError, match=r"no Pulumi\.yaml"):
        load_project(tmp_path)


def test_plain_namespaced_structured_values_and_project_defaults(tmp_path):
    d = project(
        tmp_path,
        "config:\n  demo:count: 3\n  demo:flag: true\n  azure-native:location: westeurope\n"
        "  demo:tiers:\n    - hot\n    - cool\n",
        extra="config:\n  owner: platform\n  count:\n    type: integer\n    default: 1\n",
    )
    cfg = load_stack_config(load_project(d), "dev")
    assert dict(cfg.values) == {
        "demo:owner": "platform",
        "demo:count": "3",
        "demo:flag": "true",
        "azure-native:location": "westeurope",
        "demo:tiers": '["hot","cool"]',
    }
    assert cfg.secret_keys == ()


def test_overrides_win_and_get_the_project_namespace(tmp_path):
    d = project(tmp_path, "config:\n  demo:count: 3\n")
    cfg = load_stack_config(load_project(d), "dev", parse_config_overrides(["count=7", "aws:region=x"]))
    assert cfg.values["demo:count"] == "7" and cfg.values["aws:region"] == "x"


def test_an_override_without_equals_is_refused():
    with pytest.raises(ConfigError, match="expected key=value"):
        parse_config_overrides(["count"])


def test_un_namespaced_stack_keys_are_refused_with_the_fix(tmp_path):
    d = project(tmp_path, "config:\n  count: 3\n")
    with pytest.raises(ConfigError, match="'count' is not namespaced; write it as 'demo:count'"):
        load_stack_config(load_project(d), "dev")


def test_secure_values_are_decrypted_with_the_passphrase(tmp_path, encrypted):
    salt, ct = encrypted
    d = project(
        tmp_path,
        f"encryptionsalt: {salt}\nconfig:\n  demo:pw:\n    secure: {ct}\n"
        f"  demo:nested:\n    inner:\n      secure: {ct}\n",
    )
    cfg = load_stack_config(load_project(d), "dev", passphrase=PASSPHRASE)
    assert cfg.values["demo:pw"] == "hunter2"
    assert cfg.values["demo:nested"] == '{"inner":"hunter2"}'
    assert set(cfg.secret_keys) == {"demo:pw", "demo:nested"}


def test_the_passphrase_comes_from_the_environment(tmp_path, encrypted, monkeypatch):
    salt, ct = encrypted
    d = project(tmp_path, f"encryptionsalt: {salt}\nconfig:\n  demo:pw:\n    secure: {ct}\n")
    pfile = tmp_path / "pass.txt"
    pfile.write_text(PASSPHRASE + "\n")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(pfile))
    assert load_stack_config(load_project(d), "dev").values["demo:pw"] == "hunter2"


def test_a_wrong_passphrase_is_refused_without_showing_anything_secret(tmp_path, encrypted):
    salt, ct = encrypted
    d = project(tmp_path, f"encryptionsalt: {salt}\nconfig:\n  demo:pw:\n    secure: {ct}\n")
    with pytest.raises(ConfigError) as err:
        load_stack_config(load_project(d), "dev", passphrase="wrong")
    assert "incorrect passphrase" in err.value.message and ct not in err.value.message


def test_without_a_passphrase_secrets_are_redacted_and_listed(tmp_path, encrypted, monkeypatch):
    salt, ct = encrypted
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    d = project(tmp_path, f"encryptionsalt: {salt}\nconfig:\n  demo:pw:\n    secure: {ct}\n")
    cfg = load_stack_config(load_project(d), "dev")
    assert cfg.values["demo:pw"] == REDACTED and cfg.undecryptable == ("demo:pw",)


def test_esc_environments_are_refused_clearly(tmp_path):
    d = project(tmp_path, "environment:\n  - team/dev\n")
    with pytest.raises(ConfigError, match="Pulumi ESC"):
        load_stack_config(load_project(d), "dev")


def test_stacks_are_listed_from_their_files(tmp_path):
    d = project(tmp_path, "config: {}\n")
    (d / "Pulumi.prod.yaml").write_text("config: {}\n")
    assert load_project(d).stacks() == ["dev", "prod"]


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcd", "bcde", strict=True)
)


def test_an_alias_bomb_in_pulumi_yaml_or_a_stack_file_is_refused_at_its_line(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\nconfig:\n  " + BOMB.replace("\n", "\n  "))
    with pytest.raises(ProjectError) as e:
        load_project(tmp_path)
    assert e.value.message == f"{tmp_path / 'Pulumi.yaml'} line 8: aliases expand to more than 100,000 nodes"
    (tmp_path / "p").mkdir()
    p = load_project(project(tmp_path / "p", "config:\n  demo:x: 1\n" + BOMB))
    with pytest.raises(ConfigError) as e:
        load_stack_config(p, "dev")
    assert e.value.message.endswith("Pulumi.dev.yaml line 7: aliases expand to more than 100,000 nodes")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"config:\n  demo:x: \xff\n", "not UTF-8 text (invalid byte 0xff at line 2, column 11)"),
        (b"config:\n  demo:x: " + b"9" * 5000 + b"\n", "line 2: an integer of 5,000 digits is out of range"),
        (b"config:\n  demo:x:\n    n: -" + b"9" * 400 + b"\n", "line 3: an integer of 400 digits is out of range"),
        (b"config:\n  demo:x: " + b"[" * 150 + b"]" * 150 + b"\n", "line 2: nested more than 100 levels deep"),
        (b'config:\n  demo:x: "\\ud800"\n', "config.demo:x: the string has a lone surrogate"),
    ],
)
def test_a_stack_file_a_program_cannot_receive_is_one_line_naming_the_place(tmp_path, text, problem):
    p = load_project(project(tmp_path))
    (tmp_path / "Pulumi.dev.yaml").write_bytes(text)
    with pytest.raises(ConfigError) as e:
        load_stack_config(p, "dev")
    assert e.value.message.startswith(str(tmp_path / "Pulumi.dev.yaml")) and problem in e.value.message


def test_a_stack_file_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    import os

    p = load_project(project(tmp_path))
    os.mkfifo(tmp_path / "Pulumi.dev.yaml")
    with pytest.raises(ConfigError) as e:
        load_stack_config(p, "dev")
    assert e.value.message == f"{tmp_path / 'Pulumi.dev.yaml'}: a FIFO or pipe, not a regular file"


def test_the_passphrase_file_is_read_up_to_64_kib_even_from_a_device_or_a_pipe(tmp_path, encrypted, monkeypatch):
    import os

    salt, ciphertext = encrypted
    p = load_project(project(tmp_path, f"encryptionsalt: {salt}\nconfig:\n  demo:pw:\n    secure: {ciphertext}\n"))
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "/dev/zero")
    with pytest.raises(ConfigError) as e:
        load_stack_config(p, "dev")
    assert e.value.message == "PULUMI_CONFIG_PASSPHRASE_FILE /dev/zero: larger than 64 KiB, the limit for this input"
    fifo = tmp_path / "pw-fifo"
    os.mkfifo(fifo)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(fifo))
    with pytest.raises(ConfigError, match="incorrect passphrase"):  # nobody writes: an empty passphrase, no hang
        load_stack_config(p, "dev")
    (tmp_path / "pw").write_bytes(PASSPHRASE.encode() + b"\n")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(tmp_path / "pw"))
    assert load_stack_config(p, "dev").values["demo:pw"] == "hunter2"
    (tmp_path / "pw").write_bytes(b"\xff\n")
    with pytest.raises(ConfigError, match=r"PULUMI_CONFIG_PASSPHRASE_FILE .*/pw: not UTF-8 text \(invalid byte 0xff"):
        load_stack_config(p, "dev")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(tmp_path / "none"))
    with pytest.raises(ConfigError, match=r"PULUMI_CONFIG_PASSPHRASE_FILE .*/none can't be read"):
        load_stack_config(p, "dev")


def test_each_undecryptable_key_is_named_in_a_note_that_says_how_to_decrypt_it(tmp_path, encrypted, monkeypatch):
    """A run warns about every secure key the program saw as "[secret]": its name, the
    passphrase variables, that the verdict may differ — never its ciphertext."""
    salt, ct = encrypted
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    d = project(
        tmp_path,
        f"encryptionsalt: {salt}\nconfig:\n  demo:pw:\n    secure: {ct}\n  demo:obj:\n    inner:\n      secure: {ct}\n"
        "  demo:plain: 1\n",
    )
    cfg = load_stack_config(load_project(d), "dev")
    notes = cfg.undecryptable_notes()
    assert [n.split(" is secure")[0] for n in notes] == ["config key demo:pw", "config key demo:obj"]
    for note in notes:
        assert "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE" in note
        assert note.endswith('saw the placeholder "[secret]", so the verdict may differ')
        assert ct not in note and ct.split(":")[2] not in note
    overridden = load_stack_config(load_project(d), "dev", {"pw": "given-on-the-command-line"})
    assert overridden.undecryptable == ("demo:obj",) and len(overridden.undecryptable_notes()) == 1
    assert load_stack_config(load_project(d), "dev", passphrase=PASSPHRASE).undecryptable_notes() == []


def test_a_secrets_provider_cdcml_cannot_use_offline_is_named_instead_of_the_passphrase(tmp_path, encrypted):
    _, ct = encrypted
    d = project(
        tmp_path,
        "secretsprovider: azurekeyvault://kv-cdcml.vault.azure.net/keys/pulumi\n"
        f"encryptedkey: ZW5jcnlwdGVk\nconfig:\n  demo:pw:\n    secure: {ct}\n",
    )
    cfg = load_stack_config(load_project(d), "dev", passphrase=PASSPHRASE)
    (note,) = cfg.undecryptable_notes()
    assert "the stack's secrets provider is azurekeyvault; cdcml decrypts only passphrase-managed secrets" in note
    assert "kv-cdcml" not in note and "PULUMI_CONFIG_PASSPHRASE" not in note


# tests/roundtrip/roundtrip_test.go of github.com/pulumi/pulumi (Apache-2.0): a stack file the
# Pulumi CLI wrote, with the passphrase its test sets.
PULUMI_ROUNDTRIP_STACK = """\
encryptionsalt: v1:ThS5UPxP9qc=:v1:UZYAXF+ylaJ0rGhv:9OTvBnOEDFgxs7btjzSu+LZ470vLpg==
config:
  foo:a: some-value
  foo:d:
    secure: v1:T1ftqhY0hqr+EJK6:+jvd5PMecFx80tcavzuZY4tLatgIfoe/xR72GA== # comment on secret
"""


def test_a_stack_file_the_pulumi_cli_wrote_decrypts_with_its_passphrase(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: foo\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.test.yaml").write_text(PULUMI_ROUNDTRIP_STACK)
    cfg = load_stack_config(load_project(tmp_path), "test", passphrase="TestConfigRoundtripComments")
    assert cfg.values["foo:d"] == "secret-value" and cfg.secret_keys == ("foo:d",) and cfg.undecryptable == ()
    with pytest.raises(ConfigError, match=r"Pulumi\.test\.yaml: incorrect passphrase$"):
        load_stack_config(load_project(tmp_path), "test", passphrase="TestConfigRoundtripComment")
