"""No behaviour change without a deliberate snapshot update: every policy's case outcomes,
generated probes and metadata equal the committed golden copy (``tests/policies/golden``).

After a deliberate change, regenerate with ``python -m tests.policies.snapshot --write``
and review the diff of the golden files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from cdcml.policies.catalogue import POLICIES
from tests.policies.probes import PROBES
from tests.policies.snapshot import generate, golden_path, render, snapshot_names


def differences(expected: Any, actual: Any, where: str = "") -> Iterator[str]:
    """Where *actual* departs from *expected*, one line per difference."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in dict.fromkeys([*expected, *actual]):
            if key not in actual:
                yield f"{where}/{key}: missing"
            elif key not in expected:
                yield f"{where}/{key}: unexpected {json.dumps(actual[key], ensure_ascii=False)[:300]}"
            else:
                yield from differences(expected[key], actual[key], f"{where}/{key}")
    elif expected != actual:
        yield (
            f"{where}: expected {json.dumps(expected, ensure_ascii=False)[:300]}, "
            f"got {json.dumps(actual, ensure_ascii=False)[:300]}"
        )


def by_probe(doc: Any) -> Any:
    """A snapshot with each policy's probe groups turned into probe → outcome, so a
    difference names the probes whose outcome changed."""
    if not isinstance(doc, dict):
        return doc
    out = {}
    for policy, entry in doc.items():
        if isinstance(entry, dict) and isinstance(entry.get("probes"), list):
            probes = {
                probe: {k: v for k, v in group.items() if k != "probes"}
                for group in entry["probes"]
                for probe in group["probes"]
            }
            entry = {**entry, "probes": probes}
        out[policy] = entry
    return out


@pytest.mark.parametrize("name", snapshot_names())
def test_policies_behave_exactly_as_the_committed_snapshot_records(name: str) -> None:
    """Issue 10: "every finding, message text, report byte … must stay exactly as it is"."""
    path = golden_path(name)
    assert path.exists(), f"{path} is missing; run python -m tests.policies.snapshot --write {name}"
    actual = generate(name)
    text = render(actual)
    if text != path.read_text(encoding="utf-8"):
        expected = json.loads(path.read_text(encoding="utf-8"))
        found = list(differences(by_probe(expected), by_probe(json.loads(text))))
        shown = "\n".join(found[:25]) or "(only the formatting differs)"
        pytest.fail(f"{name} differs from {path} in {len(found)} place(s):\n{shown}")


def test_the_snapshot_covers_every_policy_and_probes_only_known_policies() -> None:
    recorded = {}
    for name in snapshot_names()[:-1]:
        recorded.update(json.loads(golden_path(name).read_text(encoding="utf-8")))
    assert list(recorded) != [] and set(recorded) == {p.name for p in POLICIES}
    assert set(PROBES) <= set(recorded)
    for name in PROBES:
        assert recorded[name]["probes"], f"{name} has probes but no recorded outcome"


def test_differences_names_each_changed_place() -> None:
    before = {"p": {"cases": {"pass": {"findings": []}, "fail": {"findings": [["violation", "m"]]}}}}
    after = {"p": {"cases": {"pass": {"findings": [["violation", "x"]]}, "new": {}}}}
    assert list(differences(before, after)) == [
        '/p/cases/pass/findings: expected [], got [["violation", "x"]]',
        "/p/cases/fail: missing",
        "/p/cases/new: unexpected {}",
    ]
