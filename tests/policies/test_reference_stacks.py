"""The guardrails on the repository's own stacks: the seed breaks them, prod passes them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from cdcml.model import FindingKind, Verdict
from cdcml.runs.preview import preview

ROOT = Path(__file__).resolve().parents[2]


@cache
def previewed(stack: str, outputs: str = "preview") -> Verdict:
    if not (ROOT / f"Pulumi.{stack}.yaml").exists():
        pytest.skip(f"no {stack} stack")
    return preview(ROOT, stack, mode=outputs)


def violations(result: Verdict) -> set[tuple[str, str]]:
    return {
        (f.policy, f.urn.rsplit("::", 1)[-1])
        for f in result.stacks[0].findings.findings
        if f.kind is FindingKind.VIOLATION
    }


def test_seed_is_flagged_for_recurrence_mode_tags_and_public_access_by_the_right_policies() -> None:
    result = previewed("seed")
    found = violations(result)
    assert ("cdc-enforce-recurrence-bounds", "orders-cdc") in found
    assert ("cdc-enforce-mode-allowlist", "orders-cdc") in found
    assert {("governance-require-tags", r) for r in ("cdc-factory", "cdc-events", "ml-workspace")} <= found
    assert ("network-disable-factory-public-access", "cdc-factory") in found
    assert ("network-disable-eventhub-public-access", "cdc-events") in found
    assert ("network-disable-workspace-public-access", "ml-workspace") in found
    messages = {f.policy: f.message for f in result.stacks[0].findings.findings if f.urn.endswith("::orders-cdc")}
    assert "runs every 1 minute" in messages["cdc-enforce-recurrence-bounds"]
    assert "not an allowed CDC mode" in messages["cdc-enforce-mode-allowlist"]


@pytest.mark.parametrize("outputs", ["preview", "resolved"])
def test_prod_has_no_mandatory_violation(outputs: str) -> None:
    result = previewed("prod", outputs)
    mandatory = [
        (f.policy, f.urn, f.message)
        for f in result.stacks[0].findings.findings
        if f.kind is FindingKind.VIOLATION and f.enforcement_level.value == "mandatory"
    ]
    assert not mandatory
