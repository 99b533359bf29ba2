"""What "the same answer" means when two evaluators are compared: equal findings field by
field (as a multiset: the order of findings is not part of the answer), equal
remediations in order, and the same resources and stack policies evaluated."""

from __future__ import annotations

from collections import Counter

from cdcml.model import Finding, Findings


def finding_key(f: Finding) -> tuple[str, ...]:
    """Every field of a finding, as strings."""
    return (
        str(f.kind),
        f.pack,
        f.pack_version,
        f.policy,
        f.policy_type,
        str(f.enforcement_level),
        str(f.severity),
        f.urn,
        f.resource_type,
        f.description,
        f.message,
    )


def assert_same_findings(ours: Findings, ref: Findings) -> None:
    assert Counter(map(finding_key, ours.findings)) == Counter(map(finding_key, ref.findings))
    assert [(r.pack, r.policy, r.urn, r.changed, r.properties) for r in ours.remediations] == [
        (r.pack, r.policy, r.urn, r.changed, r.properties) for r in ref.remediations
    ]
    assert ours.evaluated == ref.evaluated
    assert ours.stack_policies == ref.stack_policies
