"""`cdcml preview` never prints a secret, even when a policy echoes it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from cdcml.cli import run

PROGRAM = """\
import pulumi
from pulumi_azure_native import resources
cfg = pulumi.Config()
resources.ResourceGroup("rg", tags={"token": cfg.require_secret("token"), "note": pulumi.Output.secret("hush-hush")})
"""
LEAKY_PACK = """\
import pulumi
from pulumi_policy import PolicyPack, ResourceValidationPolicy

def echo(args, report_violation):
    if args.resource_type == "azure-native:resources:ResourceGroup":
        tags = args.props.get("tags") or {}
        report_violation(f"tags are {dict(tags)}; config token is {pulumi.Config('demo').get('token')}")

PolicyPack(name="leaky", policies=[ResourceValidationPolicy(name="echo", description="Echoes values.",
                                                            validate=echo)])
"""


def write(tmp_path: Path) -> tuple[Path, Path]:
    prog = tmp_path / "prog"
    prog.mkdir()
    (prog / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (prog / "Pulumi.dev.yaml").write_text("config: {}\n")
    (prog / "__main__.py").write_text(PROGRAM)
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(textwrap.dedent(LEAKY_PACK))
    return prog, pack


def test_secrets_a_policy_echoes_are_redacted_in_text_and_json(tmp_path, capsys):
    prog, pack = write(tmp_path)
    for fmt in ([], ["--json"]):
        code = run(["preview", str(prog), "--policy-pack", str(pack), "--config", "token=tok-12345", *fmt])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "hush-hush" not in out and "tok-12345" not in out and "[secret]" in out
        if fmt:
            messages = [f["message"] for f in json.loads(out)["findings"]]
            assert any("[secret]" in m for m in messages)


CRASH_PROGRAM = """\
import pulumi
from pulumi_azure_native import resources
value = "first-line-of-it\\nsecond-line-of-it"
resources.ResourceGroup("a", tags={"key": pulumi.Output.secret(value)})
resources.ResourceGroup("b", tags={"copy": value})
"""
CRASHING_PACK = """\
import json
from pulumi_policy import PolicyPack, ResourceValidationPolicy

def crash(args, report_violation):
    if args.name == "b":
        raise ValueError(f"bad tags {json.dumps(dict(args.props['tags']))} / {dict(args.props['tags'])!r}")

PolicyPack(name="crashy", policies=[ResourceValidationPolicy(name="crash", description="Crashes.", validate=crash)])
"""


def test_a_crash_quoting_another_resources_secret_in_any_form_prints_no_secret(tmp_path, capsys):
    """The secret is marked on resource a only; the policy crashes on b, which holds the
    same value unmarked, and quotes it as JSON and as repr; the message is collapsed to one
    line. The error line carries none of it (graph-wide, every form)."""
    prog, pack = write(tmp_path)
    (prog / "__main__.py").write_text(CRASH_PROGRAM)
    (pack / "__main__.py").write_text(CRASHING_PACK)
    code = run(["preview", str(prog), "--policy-pack", str(pack)])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert "policy crashy/crash raised" in err
    assert "first-line-of-it" not in out + err and "second-line-of-it" not in out + err, err
    assert "[secret]" in err


def test_an_undecryptable_secure_key_is_named_in_text_json_and_sarif_never_its_ciphertext(
    tmp_path, capsys, monkeypatch
):
    """No passphrase: the program and the leaky pack see "[secret]"; every output says which
    key could not be decrypted and that the verdict may differ."""
    from cdcml.capture.project import encrypt_for_tests

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    prog, pack = write(tmp_path)
    salt, ct = encrypt_for_tests("cli-passphrase", b"saltsalt", "tok-98765-secure", b"twelve bytes")
    (prog / "Pulumi.dev.yaml").write_text(f"encryptionsalt: {salt}\nconfig:\n  demo:token:\n    secure: {ct}\n")
    sarif = tmp_path / "r.sarif"
    code = run(["preview", str(prog), "--policy-pack", str(pack), "--sarif", str(sarif)])
    out, err = capsys.readouterr()
    assert code == 0, err
    warning = "warning: config key demo:token is secure and could not be decrypted (set PULUMI_CONFIG_PASSPHRASE"
    assert warning in err and "so the verdict may differ" in err
    notes = [
        n["message"]["text"]
        for n in json.loads(sarif.read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        if n["level"] == "warning"
    ]
    assert [n for n in notes if n.startswith("config key demo:token is secure")]
    code = run(["preview", str(prog), "--policy-pack", str(pack), "--json"])
    json_out, json_err = capsys.readouterr()
    assert [w for w in json.loads(json_out)["warnings"] if w.startswith("config key demo:token is secure")]
    everything = "\n".join([out, err, json_out, json_err, sarif.read_text()])
    assert ct not in everything and ct.split(":")[2] not in everything and "tok-98765-secure" not in everything
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "cli-passphrase")
    code = run(["preview", str(prog), "--policy-pack", str(pack), "--json"])
    json_out, json_err = capsys.readouterr()
    assert "demo:token" not in json_out + json_err and "tok-98765-secure" not in json_out + json_err
