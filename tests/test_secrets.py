"""The run's secrets and the scrubber applied last to every output (src/cdcml/secrets.py)."""

from __future__ import annotations

import html
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdcml.secrets import REDACTED, SecretSet


@pytest.mark.parametrize(
    "shown",
    [
        lambda s: s,
        lambda s: json.dumps(s),
        lambda s: json.dumps(s, ensure_ascii=False),
        lambda s: repr(s),
        lambda s: ascii(s),
        lambda s: " ".join(s.split()),
        lambda s: html.escape(s),
        lambda s: html.escape(s, quote=False),
        lambda s: s.replace("|", "\\|"),
    ],
    ids=["raw", "json", "json-unicode", "repr", "ascii", "one-line", "xml", "xml-text", "markdown-cell"],
)
def test_every_usual_form_of_a_secret_is_scrubbed(shown):
    secret = 'pa"ss\\wörd |<&>\n  second line'
    s = SecretSet()
    s.add(secret)
    text = f"policy crashed on {shown(secret)} here"
    clean = s.scrub(text)
    assert "pa" + '"' + "ss" not in clean and "second line" not in clean, clean
    # the whole shown form goes as one: nothing of it is left around the marker
    assert clean == f"policy crashed on {shown(REDACTED)} here"


def test_each_line_of_a_multi_line_secret_is_scrubbed_alone():
    s = SecretSet()
    s.add("-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX\n-----END KEY-----")
    assert s.scrub("got MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX only") == f"got {REDACTED} only"


def test_leaves_of_a_secret_object_are_secrets_too():
    """A `secure:` object read whole (require_object) or a single leaf of it: both go."""
    s = SecretSet()
    s.add({"user": "svc-admin", "password": "s3cr3t-pw", "port": 5432})
    assert s.scrub("user svc-admin with s3cr3t-pw on 5432") == f"user {REDACTED} with {REDACTED} on {REDACTED}"
    assert REDACTED in s.scrub(
        json.dumps({"user": "svc-admin", "password": "s3cr3t-pw", "port": 5432}, separators=(",", ":"))
    )


def test_the_longest_secret_goes_first():
    s = SecretSet()
    s.update(["abc", "abcdef"])
    assert s.scrub("xabcdefx") == f"x{REDACTED}x"


def test_short_values_and_the_redaction_marker_are_not_secrets():
    s = SecretSet()
    s.update(["on", 1, True, None, REDACTED])
    assert not s
    assert s.scrub("on 1 True [secret]") == "on 1 True [secret]"


def test_clearing_forgets_every_secret():
    s = SecretSet()
    s.add("hunter22")
    s.clear()
    assert s.scrub("hunter22") == "hunter22"


@given(secret=st.text(min_size=3).filter(lambda t: t.strip() and len(" ".join(t.split())) >= 3), noise=st.text())
def test_no_secret_survives_in_raw_json_or_repr_form(secret, noise):
    """Whatever the secret's characters, its raw, JSON and repr forms embedded in any text
    are gone after scrubbing."""
    s = SecretSet()
    s.add(secret)
    for form in (secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]):
        assert form not in s.scrub(noise + form + noise) or form in REDACTED


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("azblob://c?sig=SUPERSECRET&sv=2020-08-04", "sv=2020-08-04"),
        ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=SUPERSECRET==;", "AccountName=acct"),
        ("http://svc:SUPERSECRET@127.0.0.1:9000/bucket", "http://svc:"),
        ("s3://b?token=SUPERSECRET", "s3://b?token="),
        ("password=SUPERSECRET retention=30", "retention=30"),
    ],
)
def test_credentials_in_urls_and_connection_strings_go_by_their_shape(text, kept):
    from cdcml.secrets import redact_credentials

    clean = redact_credentials(text)
    assert "SUPERSECRET" not in clean
    assert kept in clean and REDACTED in clean


def test_words_that_merely_end_like_a_credential_name_are_left_alone():
    from cdcml.secrets import redact_credentials

    assert redact_credentials("design=flat passport=x keysig=1") == "design=flat passport=x keysig=1"


def test_a_secret_string_holding_json_is_scrubbed_leaf_by_leaf():
    """A secure value read with ``require_object`` is JSON text; a program may show one leaf."""
    s = SecretSet()
    s.add('{"user": "admin-name", "password": "pw-leaf-77", "port": 5432, "hosts": ["h-one"]}')
    assert s.scrub("user admin-name pw pw-leaf-77 port 5432 host h-one") == (
        "user [secret] pw [secret] port [secret] host [secret]"
    )
    plain = SecretSet()
    plain.add("{not json")  # not JSON: the text alone
    assert plain.scrub("{not json and not") == "[secret] and not"


def test_a_set_included_for_a_block_is_known_to_scrub_only_inside_it():
    from cdcml import secrets

    secrets.forget_all()
    extra = SecretSet()
    with secrets.including(extra) as known:
        assert known is extra
        extra.add("capture-only-secret")
        assert secrets.scrub("x capture-only-secret y") == "x [secret] y"
    assert secrets.scrub("x capture-only-secret y") == "x capture-only-secret y"
    assert secrets.known() == 0


def test_the_scrubbing_writer_scrubs_what_it_passes_on():
    import io

    from cdcml import secrets

    secrets.forget_all()
    secrets.remember("written-secret")
    target = io.StringIO()
    w = secrets.ScrubbingWriter(target)  # type: ignore[arg-type]
    assert w.write("a written-secret b") == len("a written-secret b")
    assert target.getvalue() == "a [secret] b"
    assert w.writable() and not w.isatty() and w.encoding == "utf-8"
    secrets.forget_all()


def test_a_megabyte_of_words_is_scrubbed_whole_and_credentials_after_it_still_go():
    """The URL pattern has a bounded scheme: a long run of word characters before a URL is
    searched in linear time (an unbounded one made an 800 KB print hang a worker), and
    what follows it is still redacted."""
    from cdcml.secrets import redact_credentials

    text = "PRINTED-" * 125_000 + " https://user:pa55word@host.example/x"
    assert redact_credentials(text) == "PRINTED-" * 125_000 + " https://user:[secret]@host.example/x"
    assert redact_credentials("x" * 40 + "://u:p4ss@h") == "x" * 40 + "://u:p4ss@h"  # not a scheme


def test_a_secret_with_runs_of_whitespace_is_scrubbed_in_its_one_line_form():
    """An error message that collapses whitespace still loses a single-line secret."""
    s = SecretSet()
    s.add("correct  horse\tbattery   staple")
    assert s.scrub("bad passphrase: correct horse battery staple.") == f"bad passphrase: {REDACTED}."


def test_each_line_of_a_secret_split_by_carriage_returns_is_scrubbed_alone():
    s = SecretSet()
    s.add("first-line-part\rsecond-line-part")
    assert s.scrub("got second-line-part and first-line-part") == f"got {REDACTED} and {REDACTED}"


def test_a_set_with_a_secret_is_true_and_counts_its_forms():
    s = SecretSet()
    assert not s and len(s) == 0
    s.add("hunter22")
    assert s and len(s) >= 1


def test_the_longest_secret_goes_first_whatever_their_alphabetical_order():
    """``token-b`` sorts after ``a-token-b-long``; replacing it first would leave ``a-`` and
    ``-long`` of the longer secret shown."""
    s = SecretSet()
    s.update(["token-b", "a-token-b-long"])
    assert s.scrub("x a-token-b-long x token-b") == f"x {REDACTED} x {REDACTED}"


def test_a_secret_string_holding_a_json_list_is_scrubbed_leaf_by_leaf():
    s = SecretSet()
    s.add('["leaf-alpha", {"k": "leaf-beta"}]')
    assert s.scrub("leaf-alpha then leaf-beta") == f"{REDACTED} then {REDACTED}"


def test_a_json_secret_text_is_read_leaf_by_leaf_up_to_a_mebibyte():
    """Parsing a secret is bounded: up to 1 MiB of JSON text its leaves are secrets; a longer
    text is a secret whole, and is not parsed."""
    from cdcml.secrets import _MAX_JSON_TEXT

    def sized(n: int) -> str:
        head = '{"leaf": "deep-leaf-value", "pad": "'
        return head + "p" * (n - len(head) - 2) + '"}'

    at_limit, over = SecretSet(), SecretSet()
    at_limit.add(sized(_MAX_JSON_TEXT))
    over.add(sized(_MAX_JSON_TEXT + 1))
    assert at_limit.scrub("deep-leaf-value") == REDACTED
    assert over.scrub("deep-leaf-value") == "deep-leaf-value"
    assert over.scrub(sized(_MAX_JSON_TEXT + 1)) == REDACTED


def test_a_secret_string_of_deeply_nested_brackets_is_a_secret_whole():
    """A program may declare any text secret; one that is too deep to parse is kept as it is."""
    deep = "[" * 100_000 + "]" * 100_000
    s = SecretSet()
    s.add(deep)
    assert s.scrub(f"x {deep} y") == f"x {REDACTED} y"


def test_a_secret_object_is_scrubbed_whole_in_its_compact_json_in_key_order():
    """The object's own JSON text (as a program or policy most often prints it) goes as one,
    not as a skeleton of keys around redacted leaves."""
    value = {"user": "svc-admin", "password": "s3cr3t-pw", "port": 5432, "tags": ["blue-team"]}
    s = SecretSet()
    s.add(value)
    assert s.scrub("got " + json.dumps(value, separators=(",", ":"))) == f"got {REDACTED}"


def test_a_secret_json_cannot_encode_is_known_by_its_text():
    value = {"token": b"raw-bytes-token"}
    s = SecretSet()
    s.add(value)
    assert s.scrub(f"value {value}") == f"value {REDACTED}"
    assert s.scrub("b'raw-bytes-token'") == REDACTED


def test_scrubbing_bytes_removes_the_runs_secrets_and_leaves_other_bytes_alone():
    from cdcml import secrets

    secrets.forget_all()
    try:
        secrets.remember("bytes-secret")
        assert secrets.scrub_bytes("é bytes-secret\n".encode()) == "é [secret]\n".encode()
        assert secrets.scrub_bytes(b"nothing here") == b"nothing here"
        not_utf8 = b"\xff bytes-secret"
        assert secrets.scrub_bytes(not_utf8) == not_utf8
    finally:
        secrets.forget_all()


def test_the_scrubbing_writer_passes_other_attributes_to_its_target():
    import io

    from cdcml import secrets

    target = io.StringIO()
    w = secrets.ScrubbingWriter(target)  # type: ignore[arg-type]
    w.write("plain text")
    assert w.getvalue() == "plain text"
    with pytest.raises(AttributeError):
        _ = w.no_such_attribute


def test_merging_a_set_knows_its_forms_and_remember_all_makes_them_the_runs():
    from cdcml import secrets

    secrets.forget_all()
    gathered = SecretSet()
    gathered.add('pa"ss-merged')
    target = SecretSet()
    target.add("other-secret")
    target.merge(gathered)
    assert target.scrub('x pa"ss-merged "pa\\"ss-merged" other-secret') == 'x [secret] "[secret]" [secret]'
    secrets.remember_all(gathered)
    assert secrets.scrub('y pa"ss-merged') == "y [secret]" and secrets.known() == len(gathered)
    secrets.forget_all()


# --------------------------------------------------------------------------- passphrase secrets

# Passphrase secrets-manager states written by the Pulumi CLI itself, with the passphrases
# its own tests use (github.com/pulumi/pulumi, Apache-2.0): pkg/secrets/passphrase/
# manager_test.go, pkg/backend/diy/backend_test.go, tests/roundtrip/roundtrip_test.go.
PULUMI_STATES = {
    "password": "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==",
    "abc123": "v1:4iF78gb0nF0=:v1:Co6IbTWYs/UdrjgY:FSrAWOFZnj9ealCUDdJL7LrUKXX9BA==",
    "123abc": "v1:C7H2a7/Ietk=:v1:yfAd1zOi6iY9DRIB:dumdsr+H89VpHIQWdB01XEFqYaYjAg==",
    "TestConfigRoundtripComments": "v1:ThS5UPxP9qc=:v1:UZYAXF+ylaJ0rGhv:9OTvBnOEDFgxs7btjzSu+LZ470vLpg==",
}
# The secure value of `foo:d` in that roundtrip test's Pulumi.test.yaml.
PULUMI_SECURE = ("TestConfigRoundtripComments", "v1:T1ftqhY0hqr+EJK6:+jvd5PMecFx80tcavzuZY4tLatgIfoe/xR72GA==")


@pytest.mark.parametrize("passphrase", PULUMI_STATES)
def test_states_the_pulumi_cli_wrote_open_with_their_passphrase_and_no_other(passphrase):
    from cdcml.secrets import IncorrectPassphraseError, PassphraseCrypter

    PassphraseCrypter.from_state(passphrase, PULUMI_STATES[passphrase])
    with pytest.raises(IncorrectPassphraseError, match=r"^incorrect passphrase$"):
        PassphraseCrypter.from_state(passphrase + "x", PULUMI_STATES[passphrase])


def test_a_value_the_pulumi_cli_encrypted_decrypts_to_its_plaintext():
    from cdcml.secrets import PassphraseCrypter

    passphrase, value = PULUMI_SECURE
    assert PassphraseCrypter.from_state(passphrase, PULUMI_STATES[passphrase]).decrypt(value) == "secret-value"


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        ("v1:fozI5u6B030=", "malformed state value"),
        ("v2:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==", "unknown state version"),
        ("v1:not*base64:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==", "the salt is not base64"),
    ],
)
def test_a_malformed_state_is_a_value_error_not_a_wrong_passphrase(state, problem):
    from cdcml.secrets import IncorrectPassphraseError, PassphraseCrypter

    with pytest.raises(ValueError, match=problem) as e:
        PassphraseCrypter.from_state("password", state)
    assert not isinstance(e.value, IncorrectPassphraseError)


def test_a_tampered_or_malformed_value_fails_without_quoting_it():
    from cdcml.secrets import PassphraseCrypter

    state, crypter = PassphraseCrypter.new_state("pw", b"saltsalt")
    value = crypter.encrypt("hunter2-tampered", bytes(12))
    _, nonce, sealed = value.split(":")
    flipped = ("A" if sealed[0] != "A" else "B") + sealed[1:]
    bad = [f"v1:{nonce}:{flipped}", f"v2:{nonce}:{sealed}", f"v1:{nonce}", "v1:AAAA:" + sealed, f"v1:{nonce}:**"]
    for v in bad:
        with pytest.raises(ValueError, match=r"^(bad value|unknown value version|message authentication failed)") as e:
            crypter.decrypt(v)
        assert "hunter2" not in str(e.value) and sealed not in str(e.value) and v not in str(e.value)
    assert PassphraseCrypter.from_state("pw", state).decrypt(value) == "hunter2-tampered"
    assert "pw" not in repr(crypter) and "salt" not in repr(crypter)


@given(plaintext=st.text())
def test_every_text_survives_encryption_under_a_fresh_nonce(plaintext):
    """A value encrypted as Pulumi's passphrase manager does decrypts to itself, and two
    encryptions of it differ (a random nonce each time)."""
    from cdcml.secrets import PassphraseCrypter

    _, crypter = PassphraseCrypter.new_state("property passphrase", b"12345678")
    first, second = crypter.encrypt(plaintext), crypter.encrypt(plaintext)
    assert first != second and first.startswith("v1:")
    assert crypter.decrypt(first) == plaintext == crypter.decrypt(second)


@pytest.fixture
def no_passphrase(monkeypatch):
    """No passphrase in the environment; the passphrases a test reads are forgotten after
    it (they are remembered as secrets of the run, and scrubbed from later output)."""
    from cdcml import secrets

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    yield monkeypatch
    secrets.forget_all()


def test_the_passphrase_comes_from_the_environment_as_the_pulumi_cli_reads_it(tmp_path, no_passphrase):
    from cdcml.errors import ConfigError
    from cdcml.secrets import passphrase_from_env, scrub

    assert passphrase_from_env() is None
    pfile = tmp_path / "pass.txt"
    pfile.write_text("  passphrase-from-the-file \n")
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(pfile))
    assert passphrase_from_env() == "passphrase-from-the-file"  # trimmed, as strings.TrimSpace does
    assert scrub("it is passphrase-from-the-file") == f"it is {REDACTED}"  # a secret of the run from now on
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE", "")
    assert passphrase_from_env() == ""  # set, even empty, wins over the file
    no_passphrase.delenv("PULUMI_CONFIG_PASSPHRASE")
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=r"^PULUMI_CONFIG_PASSPHRASE_FILE .*missing can't be read$"):
        passphrase_from_env(ConfigError)


def test_a_passphrase_source_reads_the_environment_once_and_only_when_asked(tmp_path, no_passphrase):
    from cdcml.secrets import PassphraseSource

    pfile = tmp_path / "pass.txt"
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(pfile))
    source = PassphraseSource()  # the file doesn't exist yet: nothing is read here
    pfile.write_text("first-passphrase\n")
    assert source.get() == "first-passphrase"
    pfile.write_text("second-passphrase\n")
    assert source.get() == "first-passphrase"
    assert PassphraseSource("given-passphrase").get() == "given-passphrase"
    assert PassphraseSource(env=False).get() is None


_PARAM_PIECES = st.sampled_from(
    [
        "sig",
        "SIG",
        "signature",
        "AccountKey",
        "sas_token",
        "token",
        "secret_access_key",
        "pwd",
        "ſig",
        "K",
        "x",
        "_",
        "9",
        "=",
        "==",
        "&",
        ";",
        " ",
        "\n",
        "'",
        '"',
        "é",
        "?",
        "/",
        "abc",
        "key",
    ]
)


@given(st.lists(_PARAM_PIECES, max_size=30).map("".join))
def test_redacting_parameters_from_each_equals_sign_matches_the_reference_pattern_everywhere(text):
    """Invariant: the `=`-anchored search redacts exactly what `_CREDENTIAL_PARAM.sub` does
    (same keys, same values, same non-overlapping matches), on any text."""
    from cdcml.secrets import _CREDENTIAL_PARAM, _redact_params

    assert _redact_params(text) == _CREDENTIAL_PARAM.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


def test_a_large_report_with_few_equals_signs_is_redacted_where_the_credentials_are():
    from cdcml.secrets import redact_credentials

    text = "finding " * 500_000 + "x=1&sig=abc; token=t0k " + "more " * 200_000
    clean = redact_credentials(text)
    assert clean == "finding " * 500_000 + f"x=1&sig={REDACTED}; token={REDACTED} " + "more " * 200_000
