"""`cdcml policy ls` / `cdcml policy docs` and the committed catalogue, docs/policies.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdcml.cli import run
from cdcml.policies import docs
from cdcml.policies.catalogue import POLICIES

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies" / "cdc-ml-guardrails"
COMMITTED = ROOT / "docs" / "policies.md"


def test_committed_docs_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/policies.md is rendered from the policies' metadata; regenerate it with
    `cdcml policy docs --output docs/policies.md` after changing a policy."""
    assert run(["policy", "docs"]) == 0
    assert COMMITTED.read_text(encoding="utf-8") == capsys.readouterr().out, (
        "run: cdcml policy docs -o docs/policies.md"
    )


def test_docs_check_flags_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "policies.md"
    assert run(["policy", "docs", "--output", str(target)]) == 0
    assert run(["policy", "docs", "--output", str(target), "--check"]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("mandatory", "advisory", 1), encoding="utf-8")
    assert run(["policy", "docs", "--output", str(target), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err


def test_docs_render_every_policy_with_its_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "docs"]) == 0
    text = capsys.readouterr().out
    for p in POLICIES:
        assert f"### `{p.name}`" in text
        for name in p.config_schema.properties if p.config_schema else ():
            assert f"| `{name}` |" in text
    assert "## A. CDC cadence and mode" in text and "## X. Cross-resource invariants" in text


def test_ls_json_lists_at_least_50_policies_covering_a_b_f_and_x01_to_x03(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "ls", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["pack"]["name"] == "cdc-ml-guardrails"
    policies = doc["policies"]
    assert len(policies) >= 50
    rules = {p["rule"] for p in policies}
    assert {r for r in rules if r[0] in "ABF"} >= {f"A-0{i}" for i in range(1, 10)} | {"F-01", "F-05"}
    assert {"B-01", "B-11"} <= rules
    stack_rules = {p["rule"] for p in policies if p["type"] == "stack"}
    assert {"X-01", "X-02", "X-03"} <= stack_rules
    first = policies[0]
    assert first["name"] == "cdc-enforce-mode-allowlist"
    assert first["enforcementLevel"] == "mandatory" and first["framework"] == "MCSB AM-2"
    assert first["config"] == [
        {
            "name": "allowedModes",
            "type": "array of string",
            "default": ["Microbatch"],
            "description": "CDC modes allowed in this environment (case-sensitive).",
        }
    ]


def test_ls_table_lists_every_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "ls"]) == 0
    out = capsys.readouterr().out
    assert all(p.name in out for p in POLICIES)
    assert "73 policies" in out or f"{len(POLICIES)} policies" in out


def test_ls_lists_any_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "ls", "--json", "--policy-pack", str(PACK)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["pack"] == {"name": "cdc-ml-guardrails", "version": "0.1.0"}
    assert [p["name"] for p in doc["policies"]] == [p.name for p in POLICIES]


def test_ls_of_a_missing_pack_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "ls", "--policy-pack", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_rows_of_a_plain_crossguard_policy() -> None:
    from pulumi_policy import ResourceValidationPolicy

    plain = ResourceValidationPolicy("plain-policy", "A plain policy without cdcml metadata.", lambda a, r: None)
    [row] = docs.rows([plain], "mandatory")
    assert (row.kind, row.enforcement_level, row.rule, row.group, row.severity) == (
        "resource",
        "mandatory",
        "",
        "",
        "unspecified",
    )
    assert "## Other policies" in docs.markdown("p", "1.0.0", [row])
