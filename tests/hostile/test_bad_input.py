"""Hostile input, named (issue 11, item 6): values a run can't use — nesting past 100 levels,
integers a float can't hold, invalid UTF-8, lone surrogates, wrong-shaped baselines, a 1 MB
URN — each a one-line ``cdcml: error:`` naming the file, the place in it and the problem
(never "internal error", never a megabyte of echoed input)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.conftest import PACK, SEED_STATE
from tests.hostile.harness import Outcome, run_cdcml

QUICK = 30.0
RG = "urn:pulumi:seed::cdcml::azure-native:resources:ResourceGroup::cdc-ml-rg"
OUT_OF_RANGE = "out of range (Pulumi numbers are 64-bit floats, at most ~1.8e308)"


def analyze(scratch: Path, *args: str) -> Outcome:
    out = run_cdcml(["policy", "analyze", *args, "--policy-pack", str(PACK)], cwd=scratch)
    assert out.seconds < QUICK, out.describe()
    return out


def seed() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SEED_STATE.read_text())
    return doc


def state_with(scratch: Path, value_json: str, *, key: str = "x") -> Path:
    """The seed's export with ``inputs.<key>`` of the resource group set to *value_json*."""
    doc = seed()
    resource = doc["deployment"]["resources"][2]
    assert resource["urn"] == RG
    resource["inputs"][key] = "@VALUE@"
    path = scratch / "state.json"
    path.write_text(json.dumps(doc).replace('"@VALUE@"', value_json))
    return path


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


# --------------------------------------------------------------------------- state


def test_a_property_nested_200_deep_in_state(scratch: Path) -> None:
    out = analyze(scratch, "--file", str(state_with(scratch, nested(200))))
    out.assert_input_error(f"state.json: {RG}.inputs.x.a.a.a", "nested more than 100 levels deep")


@pytest.mark.parametrize("digits", [400, 5000])
def test_a_huge_integer_in_state(scratch: Path, digits: int) -> None:
    out = analyze(scratch, "--file", str(state_with(scratch, "9" * digits)))
    where = f"{RG}.inputs.x" if digits < 4300 else "deployment.resources[2].inputs.x"
    out.assert_input_error(f"state.json: {where}: an integer of {digits:,} digits is {OUT_OF_RANGE}")


def test_a_lone_surrogate_in_state(scratch: Path) -> None:
    out = analyze(scratch, "--file", str(state_with(scratch, '"a\\ud800b"')))
    out.assert_input_error(
        "state.json: deployment.resources[2].inputs.x: the string has a lone surrogate (\\ud800-\\udfff)"
    )


def test_invalid_utf8_in_state(scratch: Path) -> None:
    path = state_with(scratch, '"AB"')
    path.write_bytes(path.read_bytes().replace(b'"AB"', b'"A\xffB"'))
    out = analyze(scratch, "--file", str(path))
    out.assert_input_error("state.json: not a state file (not UTF-8 text: invalid byte 0xff at line 1, column")


def test_a_1_mb_bad_urn_is_not_echoed_whole(scratch: Path) -> None:
    doc = seed()
    doc["deployment"]["resources"][2]["urn"] = "not-a-urn:" + "y" * 1_000_000
    (scratch / "state.json").write_text(json.dumps(doc))
    line = analyze(scratch, "--file", "state.json").assert_input_error(
        "state.json: resources[2] has an invalid URN 'not-a-urn:yyy", "(1,000,010 characters)"
    )
    assert len(line) < 300


# --------------------------------------------------------------------------- pack config


def pack_config(scratch: Path, data: bytes) -> Outcome:
    (scratch / "config.json").write_bytes(data)
    return analyze(scratch, "--file", str(SEED_STATE), "--policy-pack-config", "config.json")


def test_nesting_200_deep_in_a_pack_config(scratch: Path) -> None:
    out = pack_config(scratch, b'{"cdc-enforce-recurrence-bounds": {"x": ' + nested(200).encode() + b"}}")
    out.assert_input_error("policy pack config config.json: cdc-enforce-recurrence-bounds.x.a.a", "levels deep")


@pytest.mark.parametrize("digits", [400, 5000])
def test_a_huge_integer_in_a_pack_config(scratch: Path, digits: int) -> None:
    out = pack_config(scratch, b'{"cdc-enforce-recurrence-bounds": {"minLatencyMinutes": ' + b"9" * digits + b"}}")
    out.assert_input_error(
        "policy pack config config.json: cdc-enforce-recurrence-bounds.minLatencyMinutes: "
        f"an integer of {digits:,} digits is {OUT_OF_RANGE}"
    )


def test_invalid_utf8_in_a_pack_config(scratch: Path) -> None:
    out = pack_config(scratch, b'{"all": "mandatory",\n "x": "\xc3("}')
    out.assert_input_error("policy pack config config.json: not UTF-8 text (invalid byte 0xc3 at line 2, column 8)")


# --------------------------------------------------------------------------- stack config


def test_invalid_utf8_in_a_stack_config(scratch: Path) -> None:
    (scratch / "Pulumi.yaml").write_text("name: hostile\nruntime: python\n")
    (scratch / "__main__.py").write_text("")
    (scratch / "Pulumi.dev.yaml").write_bytes(b"config:\n  hostile:name: caf\xe9\n")
    out = run_cdcml(["preview", str(scratch), "--policy-pack", str(PACK)], cwd=scratch)
    out.assert_input_error("Pulumi.dev.yaml: not UTF-8 text (invalid byte 0xe9 at line 2, column 20)")


# --------------------------------------------------------------------------- waivers and baselines


@pytest.mark.parametrize("digits", [400, 5000])
def test_a_huge_integer_in_a_waiver_file(scratch: Path, digits: int) -> None:
    (scratch / "w.yaml").write_text(f"version: {'1' * digits}\nwaivers: []\n")
    out = analyze(scratch, "--file", str(SEED_STATE), "--waivers", "w.yaml")
    out.assert_input_error(f"waiver file w.yaml line 1: an integer of {digits:,} digits is {OUT_OF_RANGE}")


def test_a_huge_integer_in_a_json_waiver_file(scratch: Path) -> None:
    (scratch / "w.json").write_text('{"version": 1, "waivers": [{"policy": ' + "7" * 5000 + "}]}")
    out = analyze(scratch, "--file", str(SEED_STATE), "--waivers", "w.json")
    out.assert_input_error(f"waiver file w.json: waivers[0].policy: an integer of 5,000 digits is {OUT_OF_RANGE}")


def test_deep_nesting_and_invalid_utf8_in_a_waiver_file(scratch: Path) -> None:
    (scratch / "w.yaml").write_text("waivers: " + "[" * 200 + "]" * 200 + "\n")
    analyze(scratch, "--file", str(SEED_STATE), "--waivers", "w.yaml").assert_input_error(
        "waiver file w.yaml line 1: nested more than 100 levels deep"
    )
    (scratch / "w.yaml").write_bytes(b"waivers:\n  - owner: \xff\n")
    analyze(scratch, "--file", str(SEED_STATE), "--waivers", "w.yaml").assert_input_error(
        "waiver file w.yaml: not UTF-8 text (invalid byte 0xff at line 2, column 12)"
    )


def test_a_baseline_whose_tool_is_a_string(scratch: Path) -> None:
    (scratch / "b.json").write_text('{"tool": "cdcml", "findings": []}')
    out = analyze(scratch, "--file", str(SEED_STATE), "--baseline", "b.json")
    out.assert_input_error("baseline b.json: not a cdcml JSON report ('tool' must be an object with name \"cdcml\")")


def test_deep_nesting_and_invalid_utf8_in_a_baseline(scratch: Path) -> None:
    (scratch / "b.json").write_text('{"tool": {"name": "cdcml"}, "stacks": ' + "[" * 100_000 + "]" * 100_000 + "}")
    analyze(scratch, "--file", str(SEED_STATE), "--baseline", "b.json").assert_input_error(
        "baseline b.json: nested more than 100 levels deep"
    )
    (scratch / "b.json").write_bytes(b'{"tool": {"name": "cdcml\xfe"}}')
    analyze(scratch, "--file", str(SEED_STATE), "--baseline", "b.json").assert_input_error(
        "baseline b.json: not UTF-8 text (invalid byte 0xfe at line 1, column 25)"
    )
