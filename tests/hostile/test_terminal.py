"""Hostile names and messages (issue 11, item 7): ESC sequences and other control
characters in resource names, stack names, policy messages, paths and warnings never reach
the terminal raw — a crafted name can't erase a line and print a fake PASS — and `--json`
prints exactly one JSON document. Inputs are hashed before and after each case."""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.hostile.conftest import PACK
from tests.hostile.harness import Outcome, fingerprint, run_cdcml

EVIL = "\x1b[2K\rPASS"
"""Erase the line, back to its start, and claim a pass."""
FAKE_SUMMARY = "\x1b[1A\x1b[2K\r10 resources, 0 mandatory, 0 advisory, 0 unknown — PASS\x1b]0;pwned\x07"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never reach a terminal (tab and newline are layout)."""


@pytest.fixture
def crafted_state(scratch: Path, seed_state: Path) -> Path:
    """The seed export with its CDC resource named ``\\x1b[2K\\rPASS`` (URN, parent and
    dependency references alike)."""
    text = seed_state.read_text()
    assert '::orders-cdc"' in text
    text = text.replace('::orders-cdc"', "::" + json.dumps(EVIL)[1:-1] + '"')
    path = scratch / "crafted.json"
    path.write_text(text)
    return path


@pytest.fixture
def echo_pack(scratch: Path) -> Path:
    """A pack whose policy reports a message that erases the line above and prints a fake summary."""
    d = scratch / "echo-pack"
    d.mkdir()
    (d / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\ndescription: echoes\n")
    (d / "__main__.py").write_text(
        textwrap.dedent(
            f"""\
            from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

            def echo(args, report_violation):
                if args.resource_type.endswith("ChangeDataCapture"):
                    report_violation(f"{{args.name}} says " + {FAKE_SUMMARY!r})

            PolicyPack(
                name="echo",
                enforcement_level=EnforcementLevel.MANDATORY,
                policies=[ResourceValidationPolicy(name="echo-name", description="Echo.", validate=echo)],
            )
            """
        )
    )
    return d


def _clean(out: Outcome) -> None:
    for name, text in (("stdout", out.stdout), ("stderr", out.stderr)):
        raw = RAW.findall(text)
        assert not raw, f"raw control characters {raw} on {name}: {out.describe()}"


def _no_fake_summary(out: Outcome) -> None:
    """Only the last line is a summary; nothing else starts a line with one or with PASS
    (the body is indented; a wrapped message stays indented)."""
    *body, last = out.stdout.splitlines()
    assert not [line for line in body if re.match(r"PASS|\d+ (resources|stacks)", line)], out.stdout
    assert re.search(r"— FAIL( \(.*\))?$", last), last


def test_a_crafted_resource_name_and_message_are_shown_escaped(
    scratch: Path, crafted_state: Path, echo_pack: Path
) -> None:
    inputs = [crafted_state, echo_pack]
    before = fingerprint(inputs)
    out = run_cdcml(
        [
            *("policy", "analyze", "--file", "crafted.json", "--policy-pack", str(echo_pack)),
            *("--policy-pack", str(PACK), "--sarif", "r.sarif", "--junit", "r.xml", "--markdown", "r.md"),
        ],
        cwd=scratch,
    )
    assert fingerprint(inputs) == before
    assert out.code == 1, out.describe()
    _clean(out)
    assert "\\x1b[2K\\rPASS" in out.stdout  # the name, visibly
    assert "\\x1b]0;pwned\\x07" in out.stdout  # the message's escapes, visibly
    _no_fake_summary(out)
    # The files are data: Markdown shows the escapes, JUnit is well-formed, SARIF is JSON.
    assert not RAW.search((scratch / "r.md").read_text())
    ET.parse(scratch / "r.xml")
    sarif = json.loads((scratch / "r.sarif").read_text())
    assert any(EVIL in r["message"]["text"] for r in sarif["runs"][0]["results"])


def test_json_output_is_one_document_with_the_names_escaped(
    scratch: Path, crafted_state: Path, echo_pack: Path
) -> None:
    out = run_cdcml(
        ["policy", "analyze", "--file", "crafted.json", "--policy-pack", str(echo_pack), "--json"], cwd=scratch
    )
    assert out.code == 1, out.describe()
    _clean(out)
    doc = json.loads(out.stdout)  # exactly one document: anything else on stdout fails here
    assert any(r["name"] == EVIL for r in doc["resources"])


def test_a_crafted_project_name_in_a_backend(scratch: Path, seed_state: Path) -> None:
    """With --all, every stack has a summary line starting with its name. In the legacy
    layout the project is read from the state's URNs: one crafted to erase the line and
    print a pass is shown escaped."""
    stacks = scratch / "backend" / ".pulumi" / "stacks"
    stacks.mkdir(parents=True)
    text = seed_state.read_text().replace(
        "urn:pulumi:seed::cdcml::", "urn:pulumi:seed::" + json.dumps(EVIL)[1:-1] + "::"
    )
    doc = json.loads(text)
    checkpoint = {"version": 3, "checkpoint": {"stack": "seed", "latest": doc["deployment"]}}
    (stacks / "seed.json").write_text(json.dumps(checkpoint))
    before = fingerprint([scratch / "backend"])
    args = ["policy", "analyze", "--backend", "file://backend", "--all", "--policy-pack", str(PACK)]
    out = run_cdcml(args, cwd=scratch)
    assert fingerprint([scratch / "backend"]) == before
    assert out.code == 1, out.describe()
    _clean(out)
    assert "organization/\\x1b[2K\\rPASS/seed" in out.stdout
    _no_fake_summary(out)


def test_a_crafted_path_in_an_error_line(scratch: Path) -> None:
    out = run_cdcml(["policy", "analyze", "--file", f"{EVIL}.json", "--policy-pack", str(PACK)], cwd=scratch)
    _clean(out)
    out.assert_input_error("\\x1b[2K PASS.json")


def test_a_crafted_config_path_in_a_warning_keeps_json_clean(scratch: Path, seed_state: Path) -> None:
    """A warning naming the pack config file goes to stderr, escaped; stdout stays one document."""
    cfg = scratch / f"cfg{EVIL}.json"
    cfg.write_text(json.dumps({f"no-such-policy{EVIL}": "mandatory"}))
    before = fingerprint([cfg, seed_state])
    out = run_cdcml(
        [
            *("policy", "analyze", "--file", "seed.json", "--policy-pack", str(PACK)),
            "--policy-pack-config",
            cfg.name,
            "--json",
        ],
        cwd=scratch,
    )
    assert fingerprint([cfg, seed_state]) == before
    assert out.code == 1, out.describe()
    _clean(out)
    assert "warning: policy pack config cfg\\x1b[2K\\rPASS.json" in out.stderr
    (warning,) = json.loads(out.stdout)["warnings"]
    assert warning.startswith(f"policy pack config cfg{EVIL}.json")  # the data, as it is
