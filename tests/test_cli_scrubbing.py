"""Everything a command writes to stdout and stderr passes the run's scrubber, and each
command run starts with no secret remembered from an earlier one."""

from __future__ import annotations

import io
import sys

from cdcml import secrets
from cdcml.cli.scrubbing import ScrubbingWriter, scrubbed_output


def test_writes_lose_the_runs_secrets_whoever_prints_them(capsys):
    with scrubbed_output():
        secrets.remember("s3cr3t-token")
        print("token is s3cr3t-token")
        print("quoted: 's3cr3t-token'", file=sys.stderr)
    out, err = capsys.readouterr()
    assert out == "token is [secret]\n"
    assert err == "quoted: '[secret]'\n"


def test_a_new_command_forgets_the_secrets_of_the_last(capsys):
    with scrubbed_output():
        secrets.remember("old-secret-value")
    with scrubbed_output():
        print("old-secret-value")
    assert capsys.readouterr().out == "old-secret-value\n"
    assert secrets.known() == 0


def test_the_writer_passes_through_what_a_console_asks_of_its_stream():
    target = io.StringIO()
    w = ScrubbingWriter(target)
    assert w.write("abc") == 3
    assert w.writable() and not w.isatty()
    assert w.encoding == "utf-8"
    assert target.getvalue() == "abc"
