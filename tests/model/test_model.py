"""The ResourceGraph and Findings models."""

from __future__ import annotations

import json
import pickle

import pytest

from cdcml.model import (
    Artifact,
    EnforcementLevel,
    Finding,
    FindingKind,
    Findings,
    FrozenDict,
    PackRef,
    Resource,
    ResourceGraph,
    Severity,
    SourceLocation,
    SourcePosition,
    freeze,
    thaw,
)


def test_frozen_values_refuse_mutation_and_stay_json():
    v = freeze({"a": [1, {"b": 2}]})
    assert isinstance(v, dict) and isinstance(v["a"], tuple)
    with pytest.raises(TypeError):
        v["c"] = 1
    with pytest.raises(TypeError):
        v["a"][1]["b"] = 3
    assert json.loads(json.dumps(v)) == {"a": [1, {"b": 2}]}
    assert thaw(v) == {"a": [1, {"b": 2}]}
    assert pickle.loads(pickle.dumps(v)) == v
    assert hash(freeze({"x": [1]})) == hash(freeze({"x": [1]}))


def test_graph_indexes_by_urn_and_refuses_duplicates():
    r = Resource(urn="urn:pulumi:s::p::t:m:T::a", type="t:m:T", name="a", custom=True)
    g = ResourceGraph(project="p", stack="s", resources=(r,))
    assert g[r.urn] is r and r.urn in g and g.get("nope") is None and len(g) == 1
    assert g.types() == {"t:m:T": 1}
    with pytest.raises(ValueError, match="duplicate resource URN"):
        ResourceGraph(project="p", stack="s", resources=(r, r))


def test_provider_urn_is_the_reference_without_the_id():
    r = Resource(urn="u", type="t", name="n", custom=True, provider="urn:pulumi:s::p::pulumi:providers:x::d::id-1")
    assert r.provider_urn == "urn:pulumi:s::p::pulumi:providers:x::d"
    assert FrozenDict() == {}


def finding(kind, level):
    return Finding(
        kind=kind,
        pack="p",
        pack_version="1",
        policy="x",
        policy_type="resource",
        enforcement_level=level,
        severity=Severity.LOW,
        urn="u",
        resource_type="t",
        description="d",
        message="m",
    )


def test_exit_code_is_one_only_for_mandatory_violations():
    def findings(*items):
        return Findings(project="p", stack="s", source="preview", packs=(PackRef("p", "1"),), findings=items)

    assert findings(finding(FindingKind.VIOLATION, EnforcementLevel.ADVISORY)).exit_code == 0
    assert findings(finding(FindingKind.UNKNOWN, EnforcementLevel.ADVISORY)).exit_code == 0
    mandatory = findings(
        finding(FindingKind.VIOLATION, EnforcementLevel.MANDATORY),
        finding(FindingKind.NOT_APPLICABLE, EnforcementLevel.MANDATORY),
    )
    assert mandatory.exit_code == 1
    assert mandatory.counts() == {"mandatory": 1, "advisory": 0, "unknown": 0, "not-applicable": 1, "remediations": 0}


def test_a_source_position_has_the_engines_project_uri_form():
    """The engine records ``project:///<path>#<line>[,<column>]`` in state."""
    assert SourcePosition("lib/landing.py", 8).uri == "project:///lib/landing.py#8"
    assert SourcePosition("__main__.py", 8, 4).uri == "project:///__main__.py#8,4"


def test_a_source_location_reads_as_file_colon_line():
    inside = SourceLocation(Artifact("stacks/x.py", "%SRCROOT%", "file:///repo/"), 12)
    assert (inside.path, str(inside)) == ("stacks/x.py", "stacks/x.py:12")
    outside = SourceLocation(Artifact("file:///elsewhere/my%20lib/x.py"), 3, 7)
    assert str(outside) == "/elsewhere/my lib/x.py:3"


def test_the_resource_count_leaves_out_the_engines_default_providers_as_pulumi_preview_does() -> None:
    """``pulumi preview`` counts the stack and the program's resources, not the default
    providers the engine registers (IsDefaultProvider); an explicit provider counts."""
    from cdcml.model import Findings
    from cdcml.model.findings import EvaluatedResource

    def res(type_: str, name: str) -> EvaluatedResource:
        return EvaluatedResource(f"urn:pulumi:dev::p::{type_}::{name}", type_, name, ())

    evaluated = (
        res("pulumi:pulumi:Stack", "p-dev"),
        res("pulumi:providers:azure-native", "default_3_29_0"),
        res("pulumi:providers:azure-native", "westeu"),
        res("azure-native:resources:ResourceGroup", "default-rg"),
    )
    assert Findings("p", "dev", "preview", (), (), evaluated=evaluated).resource_count == 3
