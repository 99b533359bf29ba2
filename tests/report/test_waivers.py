"""Waivers and baselines: the checked-in file format, matching, expiry, and what they do
to verdicts and exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cdcml.cli import run
from cdcml.model import EnforcementLevel, Finding, FindingKind, Severity, Waiver
from cdcml.report.json_report import verdict_to_json
from cdcml.runs.baselines import load_baseline
from cdcml.runs.waivers import WaiverError, load_waivers, match_waivers
from tests.fixtures.state.builders import AUDIT_PACK, variant_doc
from tests.report.conftest import TODAY

CDC_URN = "urn:pulumi:seed::cdcml::azure-native:datafactory:ChangeDataCapture::orders-cdc"

WAIVER_YAML = """\
# Accepted risks of the CDC→ML stacks, reviewed quarterly.
version: 1
waivers:
  - policy: cdc-recurrence
    urn: "urn:pulumi:seed::cdcml::*::orders-cdc"
    reason: Scoring needs a 1-minute cadence until the Q3 migration.
    owner: data-platform@contoso.com
    expires: 2026-09-30
  - policy: audit-test/owner-tag
    urn: "*::cdc-ml-rg"
    reason: The resource group is owned by the landing-zone team.
    owner: landing-zone@contoso.com
    expires: 2026-01-31
"""


def finding(policy: str = "cdc-recurrence", urn: str = CDC_URN, kind: FindingKind = FindingKind.VIOLATION) -> Finding:
    return Finding(
        kind=kind,
        pack="audit-test",
        pack_version="1.0.0",
        policy=policy,
        policy_type="resource",
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        urn=urn,
        resource_type="azure-native:datafactory:ChangeDataCapture",
        description="d",
        message="d\nm",
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yaml_and_json_waiver_files(tmp_path):
    waivers = load_waivers(write(tmp_path, "waivers.yaml", WAIVER_YAML))
    assert [(w.index, w.policy, w.owner, w.expires) for w in waivers] == [
        (1, "cdc-recurrence", "data-platform@contoso.com", dt.date(2026, 9, 30)),
        (2, "audit-test/owner-tag", "landing-zone@contoso.com", dt.date(2026, 1, 31)),
    ]
    as_json = [w.to_json() for w in waivers]
    assert load_waivers(write(tmp_path, "waivers.json", json.dumps({"waivers": as_json}))) == tuple(
        Waiver(**{**w.__dict__, "source": str(tmp_path / "waivers.json")}) for w in waivers
    )
    assert load_waivers(write(tmp_path, "list.yaml", json.dumps(as_json))) == tuple(
        Waiver(**{**w.__dict__, "source": str(tmp_path / "list.yaml")}) for w in waivers
    )
    assert load_waivers(write(tmp_path, "empty.yaml", "")) == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("waivers: [{policy: p, urn: u, reason: r, owner: o}]", "waiver #1: 'expires' is missing"),
        ("waivers: [{policy: p, urn: u, reason: r, owner: o, expires: soon}]", "waiver #1 expires: must be a date"),
        ("waivers: [{policy: p, urn: u, reason: ' ', owner: o, expires: 2026-01-01}]", "reason: must not be empty"),
        ("waivers: [{policy: p, urn: u, reason: r, owner: o, expires: 2026-02-30}]", "is not a date"),
        ("waivers: [{policy: p, urn: u, reason: r, owner: o, expires: 2026-01-01, extra: 1}]", "unknown key(s)"),
        ("version: 2\nwaivers: []", "version must be 1"),
        ("waivers: [1", "not valid YAML"),
    ],
)
def test_malformed_waiver_files_name_the_entry_and_field(tmp_path, text, problem):
    with pytest.raises(WaiverError) as e:
        load_waivers(write(tmp_path, "w.yaml", text))
    assert problem in e.value.message and "\n" not in e.value.message


def test_missing_waiver_file(tmp_path):
    with pytest.raises(WaiverError, match="does not exist"):
        load_waivers(tmp_path / "nope.yaml")


def test_matching_prefers_an_active_waiver_and_never_waives_other_kinds(tmp_path):
    old = Waiver("cdc-*", "*", "r", "o", dt.date(2026, 1, 1), 1)
    current = Waiver("audit-test/cdc-recurrence", "*orders-cdc", "r", "o", dt.date(2026, 12, 31), 2)
    other = Waiver("cdc-recurrence", "*::something-else", "r", "o", dt.date(2027, 1, 1), 3)
    findings = [finding(), finding(kind=FindingKind.UNKNOWN), finding(policy="owner-tag")]
    matches = match_waivers(findings, [old, current, other], TODAY)
    assert set(matches) == {0}
    assert matches[0].waiver is current and matches[0].active
    only_old = match_waivers(findings, [old], TODAY)
    assert only_old[0].waiver is old and not only_old[0].active and only_old[0].status == "expired"
    assert Waiver("p", "u", "r", "o", TODAY, 1).expired(TODAY) is False  # valid through the expiry day
    assert Waiver("p", "u", "r", "o", TODAY, 1).expired(TODAY + dt.timedelta(days=1)) is True


def test_waived_findings_are_shown_not_counted(make_audit, tmp_path):
    waivers = load_waivers(write(tmp_path, "w.yaml", WAIVER_YAML.replace("2026-01-31", "2026-12-31")))
    audit = make_audit(waivers=waivers)
    seed = audit.stacks[0]
    assert seed.mandatory == () and seed.exit_code == 0 and audit.exit_code == 0
    counts = seed.counts()
    assert (counts["mandatory"], counts["advisory"], counts["waived"]) == (0, 3, 2)
    doc = verdict_to_json(audit)
    waived = [f for s in doc["stacks"] for f in s["findings"] if "waiver" in f]
    assert {(f["policy"], f["waiver"]["status"], f["waiver"]["owner"]) for f in waived} == {
        ("cdc-recurrence", "active", "data-platform@contoso.com"),
        ("owner-tag", "active", "landing-zone@contoso.com"),
    }
    assert doc["summary"]["waived"] == 2 and doc["summary"]["exitCode"] == 0


def test_an_expired_waiver_fails_the_run(make_audit, tmp_path):
    waivers = load_waivers(write(tmp_path, "w.yaml", WAIVER_YAML))  # #2 expired on 2026-01-31
    audit = make_audit(waivers=waivers)
    assert [w.index for w in audit.expired_waivers] == [2]
    assert audit.stacks[0].exit_code == 0  # the mandatory violation is waived by #1 ...
    assert audit.exit_code == 1  # ... but the expired waiver fails the run
    rg = [f for f in verdict_to_json(audit)["stacks"][0]["findings"] if f["urn"].endswith("::cdc-ml-rg")]
    assert rg[0]["waiver"]["status"] == "expired"
    assert verdict_to_json(audit)["expiredWaivers"][0]["owner"] == "landing-zone@contoso.com"


def state_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(variant_doc("cdcml", "seed", compliant=False), indent=4))
    return path


def test_cli_waivers_and_expiry(tmp_path, capsys):
    path = state_file(tmp_path)
    far = WAIVER_YAML.replace("2026-09-30", "2999-01-01").replace("2026-01-31", "2999-01-01")
    code = run(["policy", "analyze", "--file", str(path), "--policy-pack", str(AUDIT_PACK), "--waivers",
                str(write(tmp_path, "far.yaml", far))])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "◌ waived" in out and "waived by data-platform@contoso.com until 2999-01-01" in out
    assert out.splitlines()[-1].endswith("PASS") and "2 waived" in out.splitlines()[-1]
    past = WAIVER_YAML.replace("2026-01-31", "2020-01-01").replace("2026-09-30", "2999-01-01")
    code = run(["policy", "analyze", "--file", str(path), "--policy-pack", str(AUDIT_PACK), "--waivers",
                str(write(tmp_path, "past.yaml", past))])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "✖ expired waiver #2 (audit-test/owner-tag on *::cdc-ml-rg, owner landing-zone@contoso.com)" in out
    assert out.splitlines()[-1].endswith("FAIL (expired waivers)")
    code = run(["policy", "analyze", "--file", str(path), "--policy-pack", str(AUDIT_PACK), "--waivers",
                str(write(tmp_path, "bad.yaml", "waivers: [{policy: p}]"))])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "waiver #1: 'urn' is missing" in err


def test_cli_baseline_reports_only_new_findings(tmp_path, capsys):
    path = state_file(tmp_path)
    args = ["policy", "analyze", "--file", str(path), "--policy-pack", str(AUDIT_PACK), "--json"]
    assert run(args) == 1
    first = json.loads(capsys.readouterr().out)
    baseline = write(tmp_path, "baseline.json", json.dumps(first))
    assert run([*args, "--baseline", str(baseline)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["findings"] == [] and again["summary"]["baselined"] == len(first["findings"]) == 5
    # A new violation on top of the baseline is reported, and only it.
    doc = json.loads(path.read_text())
    for r in doc["deployment"]["resources"]:
        if r["type"] == "azure-native:eventhub:ConsumerGroup":
            r["type"] = "azure-native:resources:ResourceGroup"
    path.write_text(json.dumps(doc))
    assert run([*args, "--baseline", str(baseline)]) == 0
    new = json.loads(capsys.readouterr().out)
    assert [(f["policy"], f["urn"].rsplit("::", 1)[-1]) for f in new["findings"]] == [("owner-tag", "ml-training")]


def test_baseline_matches_by_stack_policy_and_resource_messages_first(tmp_path):
    report = {
        "tool": {"name": "cdcml"},
        "project": "cdcml",
        "stack": "seed",
        "findings": [
            {"pack": "audit-test", "policy": "cdc-recurrence", "policyType": "resource", "urn": CDC_URN,
             "kind": "violation", "message": "d\nold wording"},
        ],
    }  # fmt: skip
    base = load_baseline(write(tmp_path, "b.json", json.dumps({"tool": {"name": "cdcml"}, "stacks": [report]})))
    from cdcml.model import Findings

    findings = Findings("cdcml", "seed", "state", (), (finding(), finding(urn=CDC_URN + "-2")))
    kept, removed = base.split(findings)
    assert removed == 1 and [f.urn for f in kept.findings] == [CDC_URN + "-2"]
    other_stack = Findings("cdcml", "prod", "state", (), (finding(),))
    assert base.split(other_stack) == (other_stack, 0)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not valid JSON"),
        ('{"tool": {"name": "other"}}', "not a cdcml JSON report"),
        ('{"tool": {"name": "cdcml"}, "stacks": {}}', "'stacks' must be a list"),
        ('{"tool": {"name": "cdcml"}, "project": "p", "stack": "s", "findings": [{"policy": 1}]}', "malformed finding"),
    ],
)
def test_malformed_baselines(tmp_path, text, problem):
    with pytest.raises(WaiverError) as e:
        load_baseline(write(tmp_path, "b.json", text))
    assert problem in e.value.message


WAIVER_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcd", "bcde", strict=True)
)


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("w.yaml", WAIVER_BOMB.encode(), "line 5: aliases expand to more than 100,000 nodes"),
        ("w.yaml", b"waivers: &w [*w]\n", "line 1: alias *w refers to the node that contains it"),
        ("w.yaml", b"version: 1\nwaivers:\n  - policy: \xfe\n", "not UTF-8 text (invalid byte 0xfe at line 3, column"),
        ("w.yaml", b"version: " + b"1" * 5000 + b"\nwaivers: []\n", "line 1: an integer of 5,000 digits is out of"),
        ("w.yaml", b"version: " + b"1" * 400 + b"\nwaivers: []\n", "line 1: an integer of 400 digits is out of range"),
        ("w.yaml", b"waivers: " + b"[" * 200 + b"]" * 200 + b"\n", "line 1: nested more than 100 levels deep"),
        ("w.json", b'{"version": ' + b"1" * 5000 + b', "waivers": []}', "version: an integer of 5,000 digits"),
        ("w.json", b'{"waivers": ' + b"[" * 200 + b"]" * 200 + b"}", "waivers[0][0][0][0]"),
        ("w.json", b'{"waivers": [{"policy": "\\ud800"}]}', "waivers[0].policy: the string has a lone surrogate"),
    ],
)  # fmt: skip
def test_waiver_files_a_run_cannot_use_are_one_line_naming_the_place(tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(WaiverError) as e:
        load_waivers(path)
    assert e.value.message.startswith(f"waiver file {path}") and problem in e.value.message
    assert len(e.value.message) < 300


def test_a_waiver_file_must_be_a_regular_file(tmp_path):
    import os

    os.mkfifo(tmp_path / "w.yaml")
    with pytest.raises(WaiverError) as e:
        load_waivers(tmp_path / "w.yaml")
    assert e.value.message == f"waiver file {tmp_path / 'w.yaml'}: a FIFO or pipe, not a regular file"


def test_an_unknown_waiver_key_is_echoed_shortened(tmp_path):
    key = "k" * 100_000
    path = write(tmp_path, "w.json", json.dumps({"waivers": [], key: 1}))
    with pytest.raises(WaiverError) as e:
        load_waivers(path)
    assert e.value.message.startswith(f"waiver file {path}: unknown key(s): 'kkk") and len(e.value.message) < 350


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"tool": "cdcml"}', "not a cdcml JSON report ('tool' must be an object with name \"cdcml\")"),
        (b'{"tool": ["cdcml"]}', "not a cdcml JSON report ('tool' must be an object with name \"cdcml\")"),
        (b'{"stacks": []}', "not a cdcml JSON report"),
        (b'{"tool": {"name": "cdcml"}, "x": ' + b"[" * 200 + b"]" * 200 + b"}", "x[0][0]"),
        (b'{"tool": {"name": "cdcml"}, "n": ' + b"7" * 5000 + b"}", "n: an integer of 5,000 digits"),
        (b'{"tool": {"name": "\xff"}}', "not UTF-8 text (invalid byte 0xff at line 1, column 20)"),
        (b"[" * 100_000, "nested more than 100 levels deep"),
    ],
)
def test_baselines_of_the_wrong_shape_or_content_are_one_line(tmp_path, data, problem):
    path = tmp_path / "b.json"
    path.write_bytes(data)
    with pytest.raises(WaiverError) as e:
        load_baseline(path)
    assert e.value.message.startswith(f"baseline {path}: ") and problem in e.value.message
    assert e.value.message.endswith(problem) or "levels deep" in e.value.message or "digits" in e.value.message


def test_a_malformed_finding_names_its_stack_shortened(tmp_path):
    doc = {"tool": {"name": "cdcml"}, "project": "p" * 10_000, "stack": "s", "findings": [1]}
    with pytest.raises(WaiverError) as e:
        load_baseline(write(tmp_path, "b.json", json.dumps(doc)))
    assert "(malformed finding in ppp" in e.value.message and len(e.value.message) < 250
