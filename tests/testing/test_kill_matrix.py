"""What policies read (cdcml.testing.reads) and the kill matrix built on it
(cdcml.testing.kill_matrix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from cdcml.capture import capture
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import DEFAULT_PACK, load_pack, pack_from_policies
from cdcml.model import FindingKind
from cdcml.model.values import UNKNOWN, secret
from cdcml.testing import GraphBuilder
from cdcml.testing.kill_matrix import apply, kill_matrix, weakenings
from cdcml.testing.reads import record_reads

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "azure-native:storage:StorageAccount"


def _https_only(args, report):
    if args.resource_type == ACCOUNT and args.props.get("enableHttpsTrafficOnly") is not True:
        report("HTTPS only")


def _min_days(args, report):
    if args.resource_type == ACCOUNT and args.props["retention"]["days"] < 7:
        report("keep a week")


def _reads_but_never_fires(args, report):
    if args.resource_type == ACCOUNT:
        _ = args.props.get("kind")


def _every_account_tagged(args, report):
    for r in args.resources:
        if r.resource_type == ACCOUNT and "owner" not in (r.props.get("tags") or {}):
            report("untagged account")


POLICIES = [
    ResourceValidationPolicy(name="https-only", description="HTTPS only.", validate=_https_only),
    ResourceValidationPolicy(name="min-days", description="A week.", validate=_min_days),
    ResourceValidationPolicy(name="reads-kind", description="Reads kind.", validate=_reads_but_never_fires),
    StackValidationPolicy(name="tagged", description="Tagged.", validate=_every_account_tagged),
]


def pack():
    return pack_from_policies("small", list(POLICIES), enforcement_level="mandatory")


def graph(**overrides):
    props = {
        "enableHttpsTrafficOnly": True,
        "retention": {"days": 30},
        "kind": "StorageV2",
        "tags": {"owner": "data"},
        "location": "westeurope",
    }
    props.update(overrides)
    g = GraphBuilder(echo_inputs=True)  # "retention" is made up: no SDK output has it
    g.add(ACCOUNT, "sa", props)
    g.add("azure-native:resources:ResourceGroup", "rg", {"location": "westeurope"})
    return g.build()


def test_each_policy_reads_exactly_the_paths_it_touches_resource_and_stack_policies_alike():
    reads, _ = record_reads(graph(), [pack()])
    by_name = {r.policy: r.paths for r in reads}
    assert by_name["https-only"] == {ACCOUNT: frozenset({("enableHttpsTrafficOnly",)})}
    assert by_name["min-days"] == {ACCOUNT: frozenset({("retention",), ("retention", "days")})}
    assert by_name["reads-kind"] == {ACCOUNT: frozenset({("kind",)})}
    assert by_name["tagged"] == {ACCOUNT: frozenset({("tags",), ("tags", "owner")})}
    assert all(("location",) not in paths for r in reads for paths in r.paths.values())


@pytest.mark.parametrize("stack", ["seed", "prod"])
def test_recording_reads_changes_no_finding_on_the_reference_stacks(stack):
    """The recording view hands policies exactly what the SDK's proxy does: the findings
    with and without it are equal, unknowns included."""
    g = capture(ROOT, stack)
    packs = [load_pack(DEFAULT_PACK)]
    _, recorded = record_reads(g, packs)
    assert recorded[0] == evaluate(g, packs)


def test_an_unknown_read_through_the_recording_view_is_still_an_unknown_finding():
    g = graph(enableHttpsTrafficOnly=UNKNOWN)
    _, (found,) = record_reads(g, [pack()])
    assert found == evaluate(g, [pack()])
    assert [f.policy for f in found.findings if f.kind is FindingKind.UNKNOWN] == ["https-only"]


def test_weakenings_change_only_read_properties_in_every_class_and_skip_unknowns_and_secrets():
    g = graph(kind=secret("StorageV2"))
    reads, _ = record_reads(g, [pack()])
    ws = weakenings(g, reads)
    described = {(w.path, w.kind, w.value) for w in ws}
    assert (("enableHttpsTrafficOnly",), "flipped", False) in described
    assert (("enableHttpsTrafficOnly",), "removed", None) in described
    assert (("retention", "days"), "boundary", 0) in described
    assert (("retention", "days"), "boundary", 29) in described
    assert (("tags",), "removed", None) in described
    assert all(w.path != ("location",) for w in ws)  # no policy reads it
    assert all(w.path != ("kind",) for w in ws)  # a secret is never weakened
    assert all(w.type == ACCOUNT for w in ws)


def test_applying_a_weakening_changes_that_resource_alone_in_inputs_and_outputs():
    g = graph()
    reads, _ = record_reads(g, [pack()])
    w = next(w for w in weakenings(g, reads) if w.path == ("retention", "days") and w.value == 0)
    changed = apply(g, w)
    account = changed.get(w.urn)
    assert account is not None
    assert account.inputs["retention"]["days"] == 0 and account.outputs["retention"]["days"] == 0
    assert [r for r in changed.resources if r.urn != w.urn] == [r for r in g.resources if r.urn != w.urn]
    removed = apply(g, next(x for x in weakenings(g, reads) if x.path == ("tags",) and x.kind == "removed"))
    assert "tags" not in removed.get(w.urn).inputs


def test_the_kill_matrix_names_what_each_policy_catches_and_what_nothing_notices():
    m = kill_matrix(graph(), [pack()])
    assert set(m.policies) == {"small/https-only", "small/min-days", "small/reads-kind", "small/tagged"}
    assert m.kills["small/https-only"] == {"flipped": 1, "removed": 1}
    assert m.kills["small/min-days"]["boundary"] == 3  # 0, 1 and -1 are under a week; 29, 31, 2**31-1 are not
    assert m.kills["small/tagged"]["removed"] == 2  # tags, tags.owner
    assert m.never_fire == ("small/reads-kind",)
    unnoticed = {(w.path, w.kind, w.value) for w in m.unnoticed}
    assert (("retention", "days"), "boundary", 31) in unnoticed
    assert (("kind",), "removed", None) in unnoticed
    # Removing what min-days reads makes it raise: a crash, not a pass.
    crashes = {(w.path, w.kind): message for w, message in m.crashed}
    assert set(crashes) == {(("retention",), "removed"), (("retention", "days"), "removed")}
    assert all("policy small/min-days raised" in message and "KeyError" in message for message in crashes.values())
    assert m.generated == len(weakenings(graph(), record_reads(graph(), [pack()])[0]))
