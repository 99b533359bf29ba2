"""Each engine semantic cdcml reproduces, asserted on a pack written for it, and the whole
answer cross-checked against the SDK's own analyzer servicer driven like the engine."""

from __future__ import annotations

import pytest

from cdcml.engine.config import PolicyConfig, reconcile
from cdcml.engine.evaluate import evaluate
from cdcml.engine.reference import analyze_graph, in_process_session
from cdcml.errors import PackConfigError
from cdcml.model import EnforcementLevel, Finding, FindingKind, Findings, Severity
from contract_tests.agreement import assert_same_findings
from contract_tests.semantics_graph import GONE_URN, OTHER_URN, T1_URN, semantics_graph


def one(findings: Findings, policy: str, urn: str, kind: FindingKind = FindingKind.VIOLATION) -> Finding:
    hits = [f for f in findings.findings if f.policy == policy and f.urn == urn and f.kind is kind]
    assert len(hits) == 1, f"{policy} on {urn}: {hits}"
    return hits[0]


@pytest.fixture(scope="module")
def preview_findings(semantics_pack):
    return evaluate(semantics_graph(), [semantics_pack])


def test_analyze_runs_on_inputs_with_numbers_as_floats_and_secrets_as_plaintext(preview_findings):
    msg = one(preview_findings, "inputs-seen", T1_URN).message
    assert "count=float:32.0" in msg and "ratio=float:0.5" in msg and "nested=float:1.0" in msg
    assert "password-is-plaintext=True" in msg
    assert "has-internal=False" in msg, "internal (__) keys never reach analyzers"


def test_analyze_sees_options_provider_and_stack_tags(preview_findings):
    msg = one(preview_findings, "inputs-seen", T1_URN).message
    assert "protect=True" in msg
    assert "parent=urn:pulumi:dev::proj::test:index:Group::grp" in msg
    assert "provider=default_1_0_0" in msg, "the provider resource is passed with its URN name"
    assert "stack=data-platform" in msg


def test_violation_message_is_description_newline_message(preview_findings):
    f = one(preview_findings, "async-check", T1_URN)
    assert f.message == "An async validation.\ncount above 30 (async)"
    assert f.description == "An async validation."


def test_policy_without_level_takes_the_pack_level(preview_findings):
    assert one(preview_findings, "async-check", T1_URN).enforcement_level is EnforcementLevel.MANDATORY


def test_unknown_input_gives_the_advisory_cant_run_diagnostic(preview_findings):
    f = one(preview_findings, "needs-computed", T1_URN, FindingKind.UNKNOWN)
    assert f.enforcement_level is EnforcementLevel.ADVISORY
    assert f.message == (
        "can't run policy 'needs-computed' from policy pack 'semantics@v0.0.1' during preview: "
        "string value at .computed can't be known during preview"
    )
    assert f.severity is Severity.HIGH, "the engine fills a missing severity from the policy info"
    assert not [x for x in preview_findings.findings if x.policy == "needs-computed" and x.urn == OTHER_URN]


def test_stack_policies_see_outputs_with_linked_parents_and_dependencies(preview_findings):
    msg = one(preview_findings, "stack-links", T1_URN).message
    assert "t1: parent=grp deps=['other'] pdeps={'count': ['other']} out=float:7.0" in msg
    assert "other: parent=grp deps=[] pdeps={} out=float:1.0" in one(preview_findings, "stack-links", OTHER_URN).message


def test_each_policy_gets_its_own_props_and_the_sdk_types(preview_findings):
    """A policy that writes into (or replaces) its props changes nothing the next policy
    sees, and props are the SDK's own proxies on the SDK's argument class."""
    assert one(preview_findings, "mutates-props", T1_URN).message.endswith("after-assignment={'replaced': True}")
    msg = one(preview_findings, "sees-own-props", T1_URN).message
    assert "count=float:32.0 nested-mutated=False replaced=False" in msg
    assert "props=_DictProxy nested=_DictProxy sdk-args=True" in msg


def test_stack_policies_get_their_own_resource_objects(preview_findings):
    """stack-mutates runs first and unlinks and rewrites everything; stack-links (asserted
    above) still sees the parents, dependencies and outputs."""
    assert one(preview_findings, "stack-mutates", "").message.endswith("sdk-resources=True")
    assert "out=float:7.0" in one(preview_findings, "stack-links", T1_URN).message


def test_unknown_output_in_a_stack_policy_is_advisory_and_about_the_stack(preview_findings):
    f = one(preview_findings, "stack-unknown", "", FindingKind.UNKNOWN)
    assert f.enforcement_level is EnforcementLevel.ADVISORY and f.policy_type == "stack"
    assert "string value at .computedOut can't be known during preview" in f.message


def test_not_applicable_is_reported_with_its_reason(preview_findings):
    hits = [f for f in preview_findings.of_kind(FindingKind.NOT_APPLICABLE) if f.policy == "only-for-things"]
    assert {f.message for f in hits} == {"only for things"}
    assert T1_URN not in {f.urn for f in hits}


def test_disabled_policies_never_run(preview_findings):
    assert not preview_findings.by_policy("never")
    assert all("semantics/never" not in r.policies for r in preview_findings.evaluated)


def test_deleted_resources_are_skipped(preview_findings):
    assert GONE_URN not in {r.urn for r in preview_findings.evaluated}


def test_remediations_run_in_order_each_seeing_the_previous_output(preview_findings):
    rems = [r for r in preview_findings.remediations if r.urn == T1_URN]
    assert [r.policy for r in rems] == ["add-a", "add-b"]
    assert rems[0].changed == ("tags",) and dict(rems[0].properties["tags"]) == {"a": "1"}
    assert dict(rems[1].properties["tags"]) == {"a": "1", "b": "saw-a"}


def test_preview_analyzes_the_remediated_inputs(preview_findings):
    assert not [f for f in preview_findings.by_policy("tags-checked") if f.kind is FindingKind.VIOLATION]


def test_state_audit_reports_remediations_without_applying_them(semantics_pack):
    found = evaluate(semantics_graph(source="state"), [semantics_pack])
    f = one(found, "tags-checked", T1_URN)
    assert f.enforcement_level is EnforcementLevel.MANDATORY, "remediate is reported as mandatory by Analyze"
    assert [r.policy for r in found.remediations if r.urn == T1_URN] == ["add-a", "add-b"]


def test_config_defaults_arrive_as_floats(preview_findings):
    msg = one(preview_findings, "configurable", T1_URN).message
    assert "('threshold', 'float:10.0')" in msg and "('mode', \"str:'strict'\")" in msg


def test_initial_config_without_enforcement_level_demotes_the_policy(preview_findings):
    assert one(preview_findings, "demoted-by-initial-config", T1_URN).enforcement_level is EnforcementLevel.ADVISORY


def test_config_file_overrides_levels_and_properties(semantics_pack):
    cfg = reconcile(
        semantics_pack,
        {
            "all": PolicyConfig(EnforcementLevel.MANDATORY),
            "configurable": PolicyConfig(None, {"threshold": 3, "names": ["x"]}),
            "inputs-seen": PolicyConfig(EnforcementLevel.DISABLED),
        },
    )
    found = evaluate(semantics_graph(), [semantics_pack], [cfg])
    f = one(found, "configurable", T1_URN)
    assert f.enforcement_level is EnforcementLevel.MANDATORY
    assert "('threshold', 'float:3.0')" in f.message and "('names', \"list:['x']\")" in f.message
    assert not found.by_policy("inputs-seen")
    assert one(found, "demoted-by-initial-config", T1_URN).enforcement_level is EnforcementLevel.MANDATORY


def test_invalid_config_is_one_line_naming_policy_and_property(semantics_pack):
    with pytest.raises(PackConfigError) as err:
        reconcile(semantics_pack, {"configurable": PolicyConfig(None, {"threshold": "high", "mode": "loose"})})
    text = err.value.message
    assert "\n" not in text
    assert text.startswith("validating policy config: semantics 2.3.4  configurable: ")
    assert "threshold: 'high' is not of type 'number'" in text and "mode: 'loose' is not one of" in text


def test_pack_version_comes_from_pulumi_policy_yaml(preview_findings):
    assert {f.pack_version for f in preview_findings.findings} == {"2.3.4"}


@pytest.mark.parametrize(("source", "apply"), [("preview", True), ("state", False)])
def test_in_process_findings_equal_the_sdk_servicer_driven_like_the_engine(semantics_pack, source, apply):
    """The evaluator and the SDK's own _PolicyAnalyzerServicer (fed engine-built protobuf
    requests) agree field by field, remediations included."""
    graph = semantics_graph(source=source)
    cfg = reconcile(semantics_pack)
    ours = evaluate(graph, [semantics_pack], [cfg], apply_remediations=apply)
    ref = analyze_graph(graph, [in_process_session(semantics_pack, cfg)], apply_remediations=apply)
    assert_same_findings(ours, ref)
