"""Hostile input, bounded (issue 11, item 5): inputs that never end, expand without bound,
block, or arrive a byte at a time. Each case ends within seconds with one ``cdcml: error:``
line naming the input, under the harness's 3 GiB memory cap."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest
import zstandard

from cdcml.capture.project import encrypt_for_tests
from tests.fixtures.state.emulators import hostile_s3, isolated_env
from tests.hostile.conftest import PACK, SEED_STATE
from tests.hostile.harness import Outcome, run_cdcml

QUICK = 30.0
"""Seconds a case may take (the harness's own limit is 120): each here takes one to a few."""

AWS = isolated_env({"AWS_ACCESS_KEY_ID": "hostile", "AWS_SECRET_ACCESS_KEY": "hostile", "AWS_REGION": "us-east-1"})


def analyze(scratch: Path, *args: str, env: dict[str, str] | None = None, stdin: int | None = None) -> Outcome:
    out = run_cdcml(["policy", "analyze", *args, "--policy-pack", str(PACK)], cwd=scratch, env=env, stdin=stdin)
    assert out.seconds < QUICK, out.describe()
    return out


def preview(scratch: Path, *args: str, env: dict[str, str] | None = None) -> Outcome:
    out = run_cdcml(["preview", str(scratch), *args, "--policy-pack", str(PACK)], cwd=scratch, env=env)
    assert out.seconds < QUICK, out.describe()
    return out


def program(root: Path, stack_yaml: str = "config: {}\n", project_yaml: str = "") -> Path:
    """A Pulumi project with an empty program and a ``dev`` stack."""
    (root / "Pulumi.yaml").write_text(project_yaml or "name: hostile\nruntime: python\n")
    (root / "__main__.py").write_text("")
    (root / "Pulumi.dev.yaml").write_text(stack_yaml)
    return root


def backend(root: Path) -> Path:
    """A project-layout file:// backend with the stack directory ``p`` and no stack yet."""
    (root / "backend" / ".pulumi" / "stacks" / "p").mkdir(parents=True)
    (root / "backend" / ".pulumi" / "meta.yaml").write_text("version: 1\n")
    return root / "backend"


BOMB = "lol: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
"""A billion laughs: 10 strings, then eight levels of ten aliases each (10^9 nodes expanded)."""


# --------------------------------------------------------------------------- files and standard input


def test_file_dev_zero(scratch: Path) -> None:
    analyze(scratch, "--file", "/dev/zero").assert_input_error(
        "state file /dev/zero", "a character device, not a regular file"
    )


def test_stdin_from_dev_zero(scratch: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        out = analyze(scratch, "--file", "-", stdin=zero.fileno())
    out.assert_input_error("<stdin>: larger than 1 GiB, the input size limit", "--max-input-size")


def test_a_fifo_as_file_does_not_block(scratch: Path) -> None:
    os.mkfifo(scratch / "state.json")
    analyze(scratch, "--file", "state.json").assert_input_error(
        "state file state.json: a FIFO or pipe, not a regular file", "use --file - for standard input"
    )


def test_a_backend_stack_file_linked_to_dev_zero(scratch: Path) -> None:
    root = backend(scratch)
    (root / ".pulumi/stacks/p/s.json").symlink_to("/dev/zero")
    out = analyze(scratch, "--backend", f"file://{root}", "--stack", "organization/p/s")
    out.assert_input_error(".pulumi/stacks/p/s.json: a character device, not a regular file")


def test_a_backend_stack_file_that_is_a_fifo(scratch: Path) -> None:
    root = backend(scratch)
    os.mkfifo(root / ".pulumi/stacks/p/s.json")
    out = analyze(scratch, "--backend", f"file://{root}", "--all")
    out.assert_input_error(".pulumi/stacks/p/s.json: a FIFO or pipe, not a regular file")


def test_passphrase_file_dev_zero(scratch: Path) -> None:
    salt, ciphertext = encrypt_for_tests("pw", b"saltsalt", "hunter2", b"twelve bytes")
    program(scratch, f"encryptionsalt: {salt}\nconfig:\n  hostile:token:\n    secure: {ciphertext}\n")
    out = preview(scratch, env={"PULUMI_CONFIG_PASSPHRASE_FILE": "/dev/zero"})
    out.assert_input_error("PULUMI_CONFIG_PASSPHRASE_FILE /dev/zero: larger than 64 KiB")


def test_a_2_mb_gzip_bomb(scratch: Path) -> None:
    # 32 members of 64 MiB of zeros each (a gzip file may hold several, read as one stream): 2 GiB.
    bomb = gzip.compress(b"0" * (64 * 1024**2), 9) * 32
    assert len(bomb) < 2.5 * 1024**2
    (scratch / "bomb.json.gz").write_bytes(bomb)
    analyze(scratch, "--file", "bomb.json.gz").assert_input_error(
        "bomb.json.gz (gunzipped): larger than 1 GiB, the input size limit"
    )


def zstd_bomb(blocks: int) -> bytes:
    """One zstd frame of *blocks* RLE blocks of 128 KiB each, without a content size (as
    the Go encoder writes frames): 4 bytes per block, 32,768 times as much once expanded."""
    header = b"\x28\xb5\x2f\xfd" + bytes([0x00, 0x38])  # no content size; window 128 KiB
    rle = ((128 * 1024) << 3) | (1 << 1)  # block header: size, type RLE
    return header + (rle.to_bytes(3, "little") + b"0") * (blocks - 1) + (rle | 1).to_bytes(3, "little") + b"0"


def test_a_2_mb_zstd_bomb(scratch: Path) -> None:
    bomb = zstd_bomb(500_000)  # 61 GiB once expanded
    assert len(bomb) < 2.5 * 1024**2
    assert zstandard.ZstdDecompressor().decompressobj().decompress(zstd_bomb(3)) == b"0" * 3 * 128 * 1024
    (scratch / "bomb.json.zst").write_bytes(bomb)
    analyze(scratch, "--file", "bomb.json.zst").assert_input_error(
        "bomb.json.zst (zstd-decompressed): larger than 1 GiB, the input size limit"
    )


def test_the_limit_is_raised_or_lowered_by_a_flag_or_the_environment(scratch: Path) -> None:
    state = Path(shutil.copy(SEED_STATE, scratch / "seed.json"))
    analyze(scratch, "--file", str(state), "--max-input-size", "1K").assert_input_error(
        "state file", "larger than 1 KiB, the input size limit"
    )
    out = analyze(scratch, "--file", str(state), env={"CDCML_MAX_INPUT_SIZE": "1M"})
    assert out.code == 1, out.describe()  # the seed's verdict: a mandatory violation
    analyze(scratch, "--file", str(state), env={"CDCML_MAX_INPUT_SIZE": "lots"}).assert_input_error(
        "--max-input-size", "'lots' is not a size"
    )


# --------------------------------------------------------------------------- S3


def s3(scratch: Path, port: int, *extra: str) -> Outcome:
    url = f"s3://b?endpoint=http://127.0.0.1:{port}&s3ForcePathStyle=true&region=us-east-1"
    return analyze(scratch, "--backend", url, "--stack", "organization/p/s", *extra, env=AWS)


def test_an_s3_object_that_never_ends(scratch: Path) -> None:
    with hostile_s3("endless") as port:
        out = s3(scratch, port, "--backend-timeout", "5")
    out.assert_input_error("s3://b/.pulumi/stacks/p/s.json: larger than 1 GiB, the input size limit")


def test_an_s3_object_announcing_10_gib_is_not_read(scratch: Path) -> None:
    with hostile_s3("huge") as port:
        out = s3(scratch, port)
    out.assert_input_error("s3://b/.pulumi/stacks/p/s.json: larger than 1 GiB")
    assert out.seconds < 10


def test_an_s3_server_trickling_a_byte_every_half_second(scratch: Path) -> None:
    with hostile_s3("trickle", interval=0.5) as port:
        out = s3(scratch, port, "--backend-timeout", "2")
    line = out.assert_input_error("read .pulumi/stacks/p/s.json timed out after 2.", "--backend-timeout 2s")
    assert f"(endpoint http://127.0.0.1:{port})" in line
    assert out.seconds < 10, "the 100-byte answer would take 50 s"


@pytest.mark.slow
def test_an_s3_server_trickling_its_headers(scratch: Path) -> None:
    """Even the response line and headers a byte at a time end: 10 x --backend-timeout + 5 s."""
    with hostile_s3("slow-headers", interval=0.2) as port:
        out = s3(scratch, port, "--backend-timeout", "0.5")
    out.assert_input_error("read .pulumi/stacks/p/s.json timed out after 10.")


# --------------------------------------------------------------------------- YAML alias bombs


def test_an_alias_bomb_in_pulumi_yaml(scratch: Path) -> None:
    program(scratch, project_yaml="name: hostile\nruntime: python\nconfig:\n  " + BOMB.replace("\n", "\n  "))
    preview(scratch).assert_input_error("Pulumi.yaml line 8: aliases expand to more than 100,000 nodes")


def test_an_alias_bomb_in_a_stack_config(scratch: Path) -> None:
    program(scratch, "config:\n  hostile:x: 1\n" + BOMB)
    preview(scratch).assert_input_error("Pulumi.dev.yaml line 7: aliases expand to more than 100,000 nodes")


def test_an_alias_bomb_in_a_waiver_file(scratch: Path, seed_state: Path) -> None:
    (scratch / "w.yaml").write_text(BOMB + "waivers: []\n")
    out = analyze(scratch, "--file", str(seed_state), "--waivers", "w.yaml")
    out.assert_input_error("waiver file w.yaml line 5: aliases expand to more than 100,000 nodes")
