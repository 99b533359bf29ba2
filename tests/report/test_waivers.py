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
