"""No secret in any output: a secret the run knows never reaches stdout, stderr or a report,
whatever quotes it — a program's exception or log message, a policy's message or crash
(in both engines), a ``print()`` before a worker dies — and in whatever form: raw,
multi-line, JSON-escaped, ``repr``, one leaf of a ``secure:`` object.

Each case runs the real command line (``tests.hostile.harness``) with every report
written, and greps every output and report for the secret's sentinel parts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdcml.capture.project import encrypt_for_tests
from tests.hostile.harness import Outcome, run_cdcml
from tests.hostile.projects import pack, preview_args, program

PASSPHRASE = "correct horse battery staple"
MULTI_LINE = 'line-one-SENTINEL\n  "quoted" \\ back-ŝlash\nline-three-SENTINEL'
SENTINELS = ("line-one-SENTINEL", "line-three-SENTINEL", "back-ŝlash", "back-\\u015dlash")
LEAF = "leaf-SENTINEL-8c1f"
LITERAL = "literal-SENTINEL-5e7d"
PROPERTY = 'prop-SENTINEL-"q"\\b-ü'
PROPERTY_SENTINELS = ("prop-SENTINEL",)
REPORTS = ("--sarif", "r.sarif", "--junit", "r.xml", "--markdown", "r.md")


def secure_config(prog: Path, values: dict[str, object]) -> None:
    """``Pulumi.dev.yaml`` of *prog* with *values* (a str is one secure value; a dict holds
    ``{"secure": plaintext}`` leaves) encrypted with :data:`PASSPHRASE`."""
    salt = ""
    lines = ["config:"]

    def encrypt(plain: str) -> str:
        nonlocal salt
        salt, ciphertext = encrypt_for_tests(PASSPHRASE, b"saltsalt", plain, b"twelve bytes")
        return ciphertext

    for key, value in values.items():
        if isinstance(value, str):
            lines.append(f"  hostile:{key}:\n    secure: {encrypt(value)}")
        else:
            assert isinstance(value, dict)
            lines.append(f"  hostile:{key}:")
            for k, v in value.items():
                if isinstance(v, dict):
                    lines.append(f"    {k}:\n      secure: {encrypt(v['secure'])}")
                else:
                    lines.append(f"    {k}: {json.dumps(v)}")
    (prog / "Pulumi.dev.yaml").write_text(f"encryptionsalt: {salt}\n" + "\n".join(lines) + "\n")


def run(scratch: Path, prog: Path, *packs: Path, extra: tuple[str, ...] = ()) -> Outcome:
    return run_cdcml(
        preview_args(prog, *(packs or (pack(scratch),)), extra=extra),
        cwd=scratch,
        env={"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE},
    )


def assert_clean(out: Outcome, *sentinels: str) -> None:
    out.assert_no_sentinel(*sentinels, PASSPHRASE)


# --------------------------------------------------------------------------- program: exceptions and logs

CONFIG_PROGRAM_LEAKS = {
    "exception": "raise RuntimeError('token is ' + pulumi.Config().require_secret('token').__class__.__name__ + "
    "pulumi.Config().require('token'))",
    "exception-repr": "raise ValueError(repr(pulumi.Config().require('token')))",
    "exception-json": "import json\nraise ValueError(json.dumps(pulumi.Config().require('token')))",
    "log-error": "pulumi.log.error('token: ' + pulumi.Config().require('token'))",
    "exception-in-apply": "def boom(v):\n    raise RuntimeError('in apply ' + v)\n"
    "pulumi.Config().require_secret('token').apply(boom)",
}


@pytest.mark.parametrize("case", sorted(CONFIG_PROGRAM_LEAKS))
@pytest.mark.parametrize("output", ["text", "json"])
def test_a_program_failure_quoting_a_multi_line_secure_value_prints_no_part_of_it(
    scratch: Path, case: str, output: str
) -> None:
    """A program that fails with a secure config value in its message — raw, ``repr``,
    JSON, logged as an error — fails with one line that holds no part of the value (the
    message is collapsed to one line: the scrubber knows that form too)."""
    prog = program(scratch, before=CONFIG_PROGRAM_LEAKS[case])
    secure_config(prog, {"token": MULTI_LINE})
    out = run(scratch, prog, extra=("--json",) if output == "json" else REPORTS)
    out.assert_input_error("[secret]")
    assert_clean(out, *SENTINELS)


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_program_warning_quoting_a_secret_reaches_the_report_scrubbed(scratch: Path, output: str) -> None:
    """``pulumi.log.warn`` with a secret: the warning is in the report, the secret is not."""
    prog = program(scratch, before="pulumi.log.warn('token=' + pulumi.Config().require('token') + ' end')")
    secure_config(prog, {"token": MULTI_LINE})
    out = run(scratch, prog, extra=("--json",) if output == "json" else REPORTS)
    assert out.code == 1, out.describe()
    assert "token=" in (out.stdout + out.stderr)
    assert_clean(out, *SENTINELS)


def test_one_leaf_of_a_secure_object_read_with_require_object_is_scrubbed(scratch: Path) -> None:
    """A ``secure:`` leaf inside a structured value: the program reads the object and
    quotes only the leaf; the leaf is scrubbed, the object's plain leaves are not."""
    prog = program(scratch, before="raise RuntimeError('db: ' + pulumi.Config().require_object('db')['password'])")
    secure_config(prog, {"db": {"host": "plain-host-name", "password": {"secure": LEAF}}})
    out = run(scratch, prog, extra=REPORTS)
    out.assert_input_error("program hostile", "db: [secret]")
    assert_clean(out, LEAF)


def test_an_output_secret_literal_logged_or_raised_by_the_program_is_scrubbed(scratch: Path) -> None:
    """A value the program itself marks secret (``pulumi.Output.secret("…")``) and then logs
    as a warning and raises: neither output shows it."""
    before = f"""\
        s = pulumi.Output.secret({LITERAL!r})
        s.apply(lambda v: pulumi.log.warn("literal " + v))
        Thing("b", {{"token": s}})
        """
    after = f"raise RuntimeError('the literal: ' + {LITERAL!r})\n"
    prog = program(scratch, before=before, after=after)
    out = run(scratch, prog, extra=REPORTS)
    out.assert_input_error("program hostile", "the literal: [secret]")
    assert_clean(out, LITERAL)


def test_a_secret_property_quoted_by_a_later_crash_in_json_and_repr_is_scrubbed(scratch: Path) -> None:
    """A secret input of one resource quoted, JSON-escaped and as ``repr``, by the program's
    crash after declaring it (quotes, a backslash and non-ASCII: each form differs)."""
    after = f"""\
        import json
        v = {PROPERTY!r}
        raise RuntimeError(json.dumps(v) + " " + repr(v) + " " + json.dumps(v, ensure_ascii=False))
        """
    prog = program(scratch, before=f'Thing("b", {{"token": pulumi.Output.secret({PROPERTY!r})}})', after=after)
    out = run(scratch, prog)
    out.assert_input_error("program hostile")
    assert_clean(out, *PROPERTY_SENTINELS)


# --------------------------------------------------------------------------- output of a worker that dies


def test_a_program_printing_a_secret_before_it_exits_shows_no_secret_in_the_death_line(scratch: Path) -> None:
    """The death line quotes the worker's last output line: it is scrubbed at the source
    (the worker's own streams) and again by cdcml."""
    before = f"""\
        import os, sys
        s = pulumi.Output.secret({LITERAL!r})
        print("config " + pulumi.Config().require("token"), flush=True)
        print("literal " + {LITERAL!r}, file=sys.stderr, flush=True)
        os._exit(0)
        """
    prog = program(scratch, before=before)
    secure_config(prog, {"token": MULTI_LINE})
    out = run(scratch, prog)
    out.assert_input_error("program hostile", "exited with code 0")
    assert_clean(out, LITERAL, *SENTINELS)


@pytest.mark.parametrize("engine", ["inprocess", "grpc"])
def test_a_policy_printing_a_secret_property_before_its_pack_dies_shows_no_secret(scratch: Path, engine: str) -> None:
    """A policy prints the secret property it reads, then ends its pack's process."""
    p = pack(scratch, validate='print("got " + str(args.props.get("token")), flush=True)\nos._exit(0)')
    prog = program(scratch, after=f'Thing("b", {{"public": True, "token": pulumi.Output.secret({LITERAL!r})}})')
    out = run(scratch, prog, p, extra=("--engine", engine))
    assert out.code == 2, out.describe()
    assert_clean(out, LITERAL)


@pytest.mark.parametrize("engine", ["inprocess", "grpc"])
def test_a_policy_crash_quoting_a_secret_property_is_scrubbed_in_both_engines(scratch: Path, engine: str) -> None:
    """A policy raising with the secret it read (the gRPC servicer's crash message too)."""
    p = pack(scratch, validate='raise ValueError("token " + json.dumps(args.props.get("token", "")))\n')
    (p / "__main__.py").write_text("import json\n" + (p / "__main__.py").read_text())
    prog = program(scratch, after=f'Thing("b", {{"public": True, "token": pulumi.Output.secret({PROPERTY!r})}})')
    out = run(scratch, prog, p, extra=("--engine", engine, *REPORTS))
    assert out.code in (1, 2), out.describe()
    assert "Traceback" not in out.stderr
    assert_clean(out, *PROPERTY_SENTINELS)


def test_the_passphrase_never_appears_even_when_the_program_prints_its_environment(scratch: Path) -> None:
    """The passphrase reaches the program's environment, as under the CLI; a program that
    raises with it shows nothing of it."""
    prog = program(scratch, before="import os\nraise RuntimeError(os.environ['PULUMI_CONFIG_PASSPHRASE'])")
    secure_config(prog, {"token": "some-secret-value"})
    out = run(scratch, prog)
    out.assert_input_error("program hostile")
    assert_clean(out, "some-secret-value")


# --------------------------------------------------------------------------- credentials of the run's own connections

BACKEND_CREDENTIALS = {
    "sas-in-url": (
        "azblob://state?domain=127.0.0.1:9&protocol=http&storage_account=acct&sig=SIG-SENTINEL-1",
        {},
        "SIG-SENTINEL-1",
    ),
    "sas-token-env": (
        "azblob://state?domain=127.0.0.1:9&protocol=http",
        {"AZURE_STORAGE_ACCOUNT": "acct", "AZURE_STORAGE_SAS_TOKEN": "sv=2020&sig=SIG-SENTINEL-2"},
        "SIG-SENTINEL-2",
    ),
    "account-key": (
        "azblob://state",
        {
            "AZURE_STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=http;AccountName=a;"
            "AccountKey=KEY-SENTINEL-3==;BlobEndpoint=http://127.0.0.1:9/a;"
        },
        "KEY-SENTINEL-3",
    ),
    "password-in-endpoint": (
        "s3://bucket?endpoint=http://user:PASS-SENTINEL-4@127.0.0.1:9&region=us-east-1",
        {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "AWS-SENTINEL-5"},
        "PASS-SENTINEL-4",
    ),
}


@pytest.mark.parametrize("case", sorted(BACKEND_CREDENTIALS))
def test_a_backend_error_shows_no_credential_of_the_connection(scratch: Path, case: str) -> None:
    """A backend that can't be reached (or a URL that is wrong) is one line naming it —
    without the SAS signature, account key, or password the URL or environment carried."""
    url, env, sentinel = BACKEND_CREDENTIALS[case]
    out = run_cdcml(
        ["policy", "analyze", "--policy-pack", str(pack(scratch)), "--backend", url, "--all", "--backend-timeout", "1"],
        cwd=scratch,
        env=env,
    )
    out.assert_input_error(url.split("?")[0])
    out.assert_no_sentinel(sentinel, "AWS-SENTINEL-5")
