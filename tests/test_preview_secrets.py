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
