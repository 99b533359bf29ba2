"""The report formats: SARIF 2.1.0 (schema-valid, located by stack and URN, one rule per
policy), JUnit (a test case per policy × resource), Markdown (a PR comment), and the JSON
report in both shapes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from cdcml.cli import run
from cdcml.model import Waiver
from cdcml.report import REPORT_SCHEMA
from cdcml.report.json_report import verdict_to_json
from cdcml.report.junit import verdict_to_junit
from cdcml.report.markdown import verdict_to_markdown
from cdcml.report.sarif import verdict_to_sarif
from tests.fixtures.state.builders import AUDIT_PACK, ROOT, SARIF_SCHEMA

CDC = "urn:pulumi:seed::cdcml::azure-native:datafactory:ChangeDataCapture::orders-cdc"
ACTIVE = Waiver("owner-tag", "*::cdc-ml-rg", "Owned by the landing zone.", "lz@contoso.com", dt.date(2027, 1, 1), 1)
EXPIRED = Waiver("owner-tag", "*::nothing", "Old.", "old@contoso.com", dt.date(2025, 1, 1), 2)


def validate_report(doc: dict) -> None:
    jsonschema.validate(doc, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)


# --------------------------------------------------------------------------- SARIF


def test_sarif_is_valid_and_has_one_rule_per_policy_with_its_metadata(make_audit, sarif_validator):
    log = verdict_to_sarif(make_audit(waivers=[ACTIVE, EXPIRED]))
    sarif_validator.validate(log)
    assert log["version"] == "2.1.0"
    (run_,) = log["runs"]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert list(rules) == ["cdc-recurrence", "owner-tag", "cdc-depends-on-factory"]
    rec = rules["cdc-recurrence"]
    assert rec["defaultConfiguration"] == {"enabled": True, "level": "error"}
    assert rec["properties"]["security-severity"] == "8.0"
    assert rec["properties"]["tags"][:2] == ["cdc", "cost"] and "security" in rec["properties"]["tags"]
    assert rec["helpUri"] == "https://example.com/policies/cdc-recurrence"
    assert "Set policy.recurrence to 15 minutes or more." in rec["help"]["text"]
    assert rules["owner-tag"]["defaultConfiguration"]["level"] == "warning"
    assert rules["owner-tag"]["properties"]["security-severity"] == "5.5"
    assert rules["cdc-depends-on-factory"]["properties"]["policyType"] == "stack"


def test_sarif_results_are_located_by_stack_and_urn(make_audit):
    audit = make_audit(waivers=[ACTIVE, EXPIRED])
    run_ = verdict_to_sarif(audit)["runs"][0]
    results = run_["results"]
    assert len(results) == 5  # seed: 1 mandatory + 4 advisory; prod: none
    rules = run_["tool"]["driver"]["rules"]
    logical = run_["logicalLocations"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        (loc,) = r["locations"]
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uri"] and phys["region"]["startLine"] >= 1  # what GitHub requires
        (ll,) = loc["logicalLocations"]
        assert logical[ll["index"]]["fullyQualifiedName"] == ll["fullyQualifiedName"] == r["properties"]["urn"]
        parent = logical[logical[ll["index"]]["parentIndex"]]
        assert parent == {**parent, "fullyQualifiedName": "organization/cdcml/seed", "kind": "namespace"}
        assert r["partialFingerprints"]["cdcmlFinding/v1"]
    cdc = next(r for r in results if r["ruleId"] == "cdc-recurrence")
    assert (cdc["level"], cdc["kind"]) == ("error", "fail")
    assert cdc["message"]["text"].startswith(
        "orders-cdc (azure-native:datafactory:ChangeDataCapture) in organization/cdcml/seed:"
    )
    waived = [r for r in results if "suppressions" in r]
    assert [r["properties"]["urn"].rsplit("::", 1)[-1] for r in waived] == ["cdc-ml-rg"]
    assert waived[0]["suppressions"][0] == {
        "kind": "external",
        "status": "accepted",
        "justification": "Owned by the landing zone.",
        "properties": {"owner": "lz@contoso.com", "expires": "2027-01-01", "waiver": 1},
    }
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert any(n["level"] == "error" and "waiver #2" in n["message"]["text"] for n in notes)
    assert run_["invocations"][0]["exitCode"] == 1  # the expired waiver


def test_a_single_stack_sarif_run_is_its_own_code_scanning_category(make_audit):
    """GitHub code scanning keeps one analysis per automationDetails category: a run of
    one stack names its project and stack, so runs of several stacks on one commit don't
    replace each other; a run over a backend's stacks is one category."""
    one = verdict_to_sarif(make_audit((("cdcml", "seed", False),)))["runs"][0]
    other = verdict_to_sarif(make_audit((("cdcml", "prod", True),)))["runs"][0]
    both = verdict_to_sarif(make_audit())["runs"][0]
    assert one["automationDetails"] == {"id": "cdcml/policy-analyze/cdcml/seed/"}
    assert other["automationDetails"] == {"id": "cdcml/policy-analyze/cdcml/prod/"}
    assert both["automationDetails"] == {"id": "cdcml/policy-analyze/"}


def test_sarif_fingerprints_are_stable_across_runs_and_messages(make_audit):
    a = verdict_to_sarif(make_audit())["runs"][0]["results"]
    b = verdict_to_sarif(make_audit())["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in a] == [r["partialFingerprints"] for r in b]
    assert len({json.dumps(r["partialFingerprints"]) for r in a}) == len(a)


def test_sarif_of_a_state_file_points_at_the_resource_line(tmp_path, capsys, monkeypatch, sarif_validator):
    from tests.fixtures.state.builders import variant_doc

    monkeypatch.chdir(tmp_path)
    (tmp_path / "state").mkdir()
    path = tmp_path / "state" / "seed.json"
    path.write_text(json.dumps(variant_doc("cdcml", "seed", compliant=False), indent=4))
    code = run(
        ["policy", "analyze", "--file", "state/seed.json", "--policy-pack", str(AUDIT_PACK), "--sarif", "r.sarif"]
    )
    capsys.readouterr()
    assert code == 1
    log = json.loads((tmp_path / "r.sarif").read_text())
    sarif_validator.validate(log)
    run_ = log["runs"][0]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    cdc = next(r for r in run_["results"] if r["ruleId"] == "cdc-recurrence")
    phys = cdc["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "state/seed.json", "uriBaseId": "%SRCROOT%"}
    line = path.read_text().splitlines()[phys["region"]["startLine"] - 1]
    assert CDC in line


# --------------------------------------------------------------------------- JUnit


def test_junit_has_a_test_case_per_policy_and_resource(make_audit):
    root = ET.fromstring(verdict_to_junit(make_audit(waivers=[ACTIVE])))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["organization/cdcml/seed", "organization/cdcml/prod"]
    seed = suites["organization/cdcml/seed"]
    cases = {(c.get("classname"), c.get("name")): c for c in seed.findall("testcase")}
    # The pack's policies declare no resource types: both resource policies on each of the
    # 10 resources, and the stack policy once.
    assert len(cases) == 2 * 10 + 1
    cdc = cases[("organization/cdcml/seed.orders-cdc", "audit-test/cdc-recurrence")]
    failure = cdc.find("failure")
    assert failure is not None and failure.get("type") == "mandatory"
    assert "at least 15 are required" in (failure.text or "") and CDC in (failure.text or "")
    rg = cases[("organization/cdcml/seed.cdc-ml-rg", "audit-test/owner-tag")]
    skipped = rg.find("skipped")
    assert skipped is not None and "waived by lz@contoso.com" in (skipped.get("message") or "")
    workspace = cases[("organization/cdcml/seed.ml-workspace", "audit-test/owner-tag")]
    assert workspace.find("failure").get("type") == "advisory"
    assert ("organization/cdcml/seed", "audit-test/cdc-depends-on-factory") in cases
    failures = sum(1 for c in cases.values() if c.find("failure") is not None)
    assert seed.get("failures") == str(failures) == "4"
    assert seed.get("skipped") == "1" and seed.get("tests") == str(len(cases))
    prod = suites["organization/cdcml/prod"]
    assert prod.get("failures") == "0" and int(prod.get("tests")) == len(prod.findall("testcase")) > 0
    assert root.get("failures") == "4"


def test_junit_lists_expired_waivers_as_errors_and_strips_invalid_xml(make_audit):
    # Characters XML 1.0 can't hold (NUL, ESC, BEL) in the waiver's reason and owner.
    audit = make_audit(waivers=[dataclasses.replace(EXPIRED, reason="Old\x00 and\x1b odd.", owner="o\x07@x")])
    root = ET.fromstring(verdict_to_junit(audit))  # well-formed despite them
    waivers = [s for s in root.findall("testsuite") if s.get("name") == "waivers"]
    assert waivers and waivers[0].find("testcase/error").get("type") == "expired-waiver"
    assert root.get("errors") == "1"
    error = waivers[0].find("testcase/error")
    assert error.text.startswith("Old\ufffd and\ufffd odd.\n")
    assert "owner o\ufffd@x" in error.get("message")


# --------------------------------------------------------------------------- Markdown


def test_markdown_summarises_for_a_pull_request(make_audit):
    md = verdict_to_markdown(make_audit(waivers=[ACTIVE]))
    assert md.startswith("### cdcml policy analyze: ❌ FAIL")
    # 10 resources each, less the default provider (counted as `pulumi preview` counts them)
    assert "| `organization/cdcml/seed` | 9 | 1 | 3 | 0 | 1 | ❌ fail |" in md
    assert "| `organization/cdcml/prod` | 9 | 0 | 0 | 0 | 0 | ✅ pass |" in md
    assert "| ❌ mandatory | `cdc-recurrence` | `orders-cdc`" in md
    assert "| ◌ waived | `owner-tag` | `cdc-ml-rg`" in md and "_waived by lz@contoso.com until 2027-01-01" in md
    assert md.index("❌ mandatory") < md.index("⚠️ advisory") < md.index("◌ waived")


def test_markdown_escapes_cells_and_stays_under_the_comment_limit(make_audit):
    audit = make_audit([("cdcml", f"s{i}", False) for i in range(12)])
    md = verdict_to_markdown(audit, limit=6000)
    assert len(md) <= 6000
    omitted = re.search(r"_(\d+) stack section\(s\) omitted to fit a comment", md)
    assert omitted and int(omitted.group(1)) + md.count("<details") == 12, "every stack is shown or counted"
    from cdcml.report.markdown import _cell

    assert _cell("a|b\nc <x>") == "a\\|b c &lt;x&gt;"


# --------------------------------------------------------------------------- JSON


def test_json_reports_validate_in_both_shapes(make_audit):
    one = make_audit([("cdcml", "seed", False)])
    doc = verdict_to_json(one)
    validate_report(doc)
    assert doc["stack"] == "seed" and "stacks" not in doc
    many = make_audit()
    doc = verdict_to_json(many)
    validate_report(doc)
    assert [s["stack"] for s in doc["stacks"]] == ["seed", "prod"]
    assert doc["summary"] == {
        "stacks": 2,
        "locked": 0,
        "resources": 18,  # 10 evaluated per stack, less its default provider, as `pulumi preview` counts
        "mandatory": 1,
        "advisory": 4,
        "unknown": 0,
        "notApplicable": 0,
        "remediations": 0,
        "waived": 0,
        "baselined": 0,
        "exitCode": 1,
    }


def test_the_report_schema_rejects_what_it_should():
    with pytest.raises(jsonschema.ValidationError):
        validate_report({"version": 1, "stacks": []})
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)


# --------------------------------------------------------------------------- preview


def test_preview_writes_sarif_junit_and_markdown(tmp_path, capsys, sarif_validator, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = run(
        ["preview", "--stack", "seed", "--sarif", str(tmp_path / "p.sarif"), "--junit", str(tmp_path / "p.xml"),
         "--markdown", str(tmp_path / "p.md")]
    )  # fmt: skip
    capsys.readouterr()
    assert code == 1
    log = json.loads((tmp_path / "p.sarif").read_text())
    sarif_validator.validate(log)
    run_log = log["runs"][0]
    results = run_log["results"]
    on_resources = [r for r in results if r["properties"]["urn"]]
    assert on_resources and all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]
        == {"uri": "src/cdcml/stacks/seed.py", "uriBaseId": "%SRCROOT%"}
        and declares(SEED, r["locations"][0]["physicalLocation"]["region"]["startLine"], r["properties"]["urn"])
        for r in on_resources
    )
    assert all(
        r["locations"][0]["physicalLocation"]
        == {"artifactLocation": {"uri": "Pulumi.seed.yaml", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}
        for r in results
        if not r["properties"]["urn"]
    ), "a stack policy's result stays on the stack's file"
    assert run_log["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ROOT.resolve().as_uri() + "/"}}
    assert {"cdc-enforce-mode-allowlist", "cdc-enforce-recurrence-bounds"} <= {
        r["ruleId"] for r in results if r["level"] == "error"
    }
    assert ET.parse(tmp_path / "p.xml").getroot().get("name") == "cdcml preview"
    assert (tmp_path / "p.md").read_text().startswith("### cdcml preview: ❌ FAIL")


SEED = ROOT / "src" / "cdcml" / "stacks" / "seed.py"


def declares(path, line: int, urn: str) -> bool:
    """Whether *path*'s call at *line* (the call's first line or the next) names *urn*'s resource."""
    lines = path.read_text().splitlines()
    return f'"{urn.rsplit("::", 1)[-1]}"' in "\n".join(lines[line - 1 : line + 1])


def test_preview_json_and_text_show_the_line_that_declared_each_resource(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert run(["preview", "--stack", "seed", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    validate_report(doc)
    with_urn = [f for f in doc["findings"] if f["urn"]]
    assert with_urn and all(
        f["sourcePosition"]["path"] == "src/cdcml/stacks/seed.py"
        and set(f["sourcePosition"]) == {"path", "line"}
        and declares(SEED, f["sourcePosition"]["line"], f["urn"])
        for f in with_urn
    )
    assert all("sourcePosition" not in f for f in doc["findings"] if not f["urn"])
    for bad in ({"path": "a.py", "line": 0}, {"path": "", "line": 1}, {"path": "a.py", "line": 1, "uri": "x"}):
        with_urn[0]["sourcePosition"] = bad
        with pytest.raises(jsonschema.ValidationError):
            validate_report(doc)
    assert run(["preview", "--stack", "seed"]) == 1
    out = capsys.readouterr().out.splitlines()
    header = out.index("orders-cdc  azure-native:datafactory:ChangeDataCapture")
    line = next(f["sourcePosition"]["line"] for f in with_urn if f["urn"].endswith("::orders-cdc"))
    assert out[header + 1] == f"  declared at src/cdcml/stacks/seed.py:{line}"


def test_preview_refuses_an_unwritable_report_path_before_running(tmp_path, capsys):
    code = run(["preview", str(ROOT), "--stack", "seed", "--sarif", str(tmp_path / "missing" / "p.sarif")])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "directory" in err and "does not exist" in err


def test_sarif_schema_fixture_is_the_oasis_schema():
    assert json.loads(SARIF_SCHEMA.read_text())["id"].endswith("sarif-schema-2.1.0.json")
