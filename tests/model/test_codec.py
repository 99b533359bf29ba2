"""The models as plain JSON data (what crosses into and out of a worker process): every
graph and finding survives the round trip exactly, and data of the wrong shape is refused
with the path of the bad field."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings

from cdcml.model import (
    CustomTimeouts,
    EnforcementLevel,
    Finding,
    FindingKind,
    Remediation,
    Resource,
    ResourceGraph,
    ResourceOptions,
    Severity,
    SourcePosition,
    freeze,
)
from cdcml.model.codec import (
    CodecError,
    finding_from_plain,
    finding_to_plain,
    graph_from_plain,
    graph_to_plain,
    remediation_from_plain,
    remediation_to_plain,
)
from cdcml.model.values import UNKNOWN, secret
from cdcml.testing.graphs import resource_graphs
from tests.fixtures.reference_stacks import STACK_PROFILES, reference_stack


def through_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def roundtrip(graph: ResourceGraph) -> ResourceGraph:
    return graph_from_plain(through_json(graph_to_plain(graph)))


def full_graph() -> ResourceGraph:
    """A graph with every field set to something other than its default."""
    options = ResourceOptions(
        protect=True,
        ignore_changes=("tags",),
        delete_before_replace=False,
        additional_secret_outputs=("key",),
        aliases=("urn:pulumi:s::p::t::old",),
        custom_timeouts=CustomTimeouts(1.5, 2.0, 3.0),
        retain_on_delete=True,
        deleted_with="urn:pulumi:s::p::t::other",
        replace_on_changes=("name",),
        import_id="imported",
    )
    r = Resource(
        urn="urn:pulumi:s::p::t::a",
        type="t",
        name="a",
        custom=True,
        id="id-a",
        inputs=freeze(
            {
                "n": 1,
                "f": 1.0,
                "neg": -0.0,
                "big": 10**30,
                "s": "\ud800 lone surrogate, ünïcode",
                "list": [1, [2, {"x": None}]],
                "secret": secret("hunter2"),
                "unknown": UNKNOWN,
                "true": True,
            }
        ),
        outputs=freeze({"nan": float("nan"), "inf": float("inf")}),
        parent="urn:pulumi:s::p::pulumi:pulumi:Stack::p-s",
        dependencies=("urn:pulumi:s::p::t::b",),
        property_dependencies=freeze({"x": ["urn:pulumi:s::p::t::b"], "empty": []}),
        provider="urn:pulumi:s::p::pulumi:providers:azure-native::default::id",
        options=options,
        external=True,
        delete=True,
        pending_replacement=True,
        source_position=SourcePosition("../lib/landing.py", 12, 5),
    )
    return ResourceGraph(
        project="p",
        stack="s",
        resources=(r,),
        outputs=freeze({"out": [1, "two"]}),
        organization="org",
        source="state",
        dry_run=False,
        config=freeze({"p:k": "v"}),
        config_secret_keys=("p:k",),
        tags=freeze({"pulumi:project": "p"}),
        diagnostics=("a note",),
    )


def test_every_field_of_a_graph_survives_the_round_trip() -> None:
    graph = full_graph()
    back = roundtrip(graph)
    assert back.resources[0].options == graph.resources[0].options
    r, b = graph.resources[0], back.resources[0]
    for f in dataclasses.fields(Resource):
        if f.name not in ("outputs",):
            assert getattr(b, f.name) == getattr(r, f.name), f.name
    assert b.outputs["inf"] == float("inf") and b.outputs["nan"] != b.outputs["nan"]
    assert type(b.inputs["n"]) is int and type(b.inputs["f"]) is float and str(b.inputs["neg"]) == "-0.0"
    for f in dataclasses.fields(ResourceGraph):
        if f.name not in ("resources", "_index"):
            assert getattr(back, f.name) == getattr(graph, f.name), f.name
    assert back.get(r.urn) is b


def test_a_resource_without_a_source_position_keeps_none() -> None:
    """State and hand-built graphs have no position; an older worker's graph omits the key."""
    plain = graph_to_plain(full_graph())
    plain["resources"][0]["sourcePosition"] = None
    assert graph_from_plain(plain).resources[0].source_position is None
    del plain["resources"][0]["sourcePosition"]
    assert graph_from_plain(plain).resources[0].source_position is None


def test_a_bad_source_position_is_named_by_its_path() -> None:
    plain = graph_to_plain(full_graph())
    plain["resources"][0]["sourcePosition"] = {"path": "a.py", "line": "12", "column": 0}
    with pytest.raises(CodecError, match=r"^graph\.resources\[0\]\.sourcePosition\.line: expected an integer$"):
        graph_from_plain(plain)


def test_values_come_back_frozen() -> None:
    back = roundtrip(full_graph()).resources[0]
    with pytest.raises(TypeError):
        back.inputs["list"][1][1]["x"] = 1  # type: ignore[index]
    assert isinstance(back.inputs["list"], tuple)


@pytest.mark.parametrize("stack", STACK_PROFILES)
@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_the_reference_stacks_survive_the_round_trip(stack: str, mode: str) -> None:
    graph = reference_stack(stack, mode)
    assert roundtrip(graph) == graph


@settings(max_examples=50)
@given(graph=resource_graphs())
def test_generated_graphs_survive_the_round_trip(graph: ResourceGraph) -> None:
    assert roundtrip(graph) == graph


def test_findings_and_remediations_survive_the_round_trip() -> None:
    finding = Finding(
        FindingKind.UNKNOWN,
        "pack",
        "1.0.0",
        "policy",
        "stack",
        EnforcementLevel.ADVISORY,
        Severity.HIGH,
        "urn:x",
        "t",
        "Description.",
        "Description.\nmessage",
    )
    assert finding_from_plain(through_json(finding_to_plain(finding))) == finding
    remediation = Remediation("pack", "1", "policy", "urn:x", "t", "D.", freeze({"a": [1]}), ("a",))
    assert remediation_from_plain(through_json(remediation_to_plain(remediation))) == remediation


def _broken(path: list[Any], value: Any) -> dict[str, Any]:
    plain = through_json(graph_to_plain(full_graph()))
    target = plain
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return plain


R0 = ["resources", 0]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["project"], 1, "graph.project: expected a string"),
        (["dryRun"], "yes", "graph.dryRun: expected true or false"),
        (["resources"], {}, "graph.resources: expected a list"),
        ([*R0, "urn"], None, "graph.resources[0].urn: expected a string"),
        ([*R0, "custom"], 1, "graph.resources[0].custom: expected true or false"),
        ([*R0, "inputs"], [], "graph.resources[0].inputs: expected an object"),
        ([*R0, "dependencies"], "urn", "graph.resources[0].dependencies: expected a list"),
        ([*R0, "dependencies"], [1], "graph.resources[0].dependencies[0]: expected a string"),
        ([*R0, "propertyDependencies"], {"x": [2]}, "graph.resources[0].propertyDependencies.x[0]"),
        ([*R0, "options", "customTimeouts"], [1, 2], "customTimeouts: expected [create, update, delete]"),
        ([*R0, "options", "customTimeouts"], [1, 2, "3"], "customTimeouts: expected a number"),
        ([*R0, "options", "customTimeouts"], [1, 2, True], "customTimeouts: expected a number"),
        ([*R0, "options", "deleteBeforeReplace"], "no", "options.deleteBeforeReplace: expected true or false"),
        ([*R0, "options", "protect"], KeyError, "options.protect: expected true or false"),
        (["config"], {"k": 1}, "graph.config.k: expected a string"),
        (["tags"], [], "graph.tags: expected an object"),
        (["diagnostics"], [None], "graph.diagnostics[0]: expected a string"),
    ],
)
def test_a_graph_of_the_wrong_shape_is_refused_naming_the_field(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(CodecError, match=re.escape(message)):
        graph_from_plain(_broken(path, value))


def test_a_graph_that_is_not_an_object_or_repeats_a_urn_is_refused() -> None:
    with pytest.raises(CodecError, match=r"^graph: expected an object"):
        graph_from_plain([])
    plain = through_json(graph_to_plain(full_graph()))
    plain["resources"].append(plain["resources"][0])
    with pytest.raises(CodecError, match=r"^graph: duplicate resource URN"):
        graph_from_plain(plain)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("kind", "bad", "finding.kind: 'bad' is not a FindingKind"),
        ("kind", 3, "finding.kind: expected a string"),
        ("policyType", "other", "finding.policyType: expected resource or stack"),
        ("enforcementLevel", "sometimes", "not a EnforcementLevel"),
        ("severity", "dire", "not a Severity"),
        ("message", None, "finding.message: expected a string"),
    ],
)
def test_a_finding_of_the_wrong_shape_is_refused(key: str, value: Any, message: str) -> None:
    plain = finding_to_plain(
        Finding(
            FindingKind.VIOLATION,
            "p",
            "1",
            "x",
            "resource",
            EnforcementLevel.MANDATORY,
            Severity.LOW,
            "u",
            "t",
            "d",
            "m",
        )
    )
    plain[key] = value
    with pytest.raises(CodecError, match=message):
        finding_from_plain(plain)


def test_a_remediation_of_the_wrong_shape_is_refused() -> None:
    plain = remediation_to_plain(Remediation("p", "1", "x", "u", "t", "d", freeze({}), ()))
    plain["changed"] = "a"
    with pytest.raises(CodecError, match=r"remediation\.changed: expected a list"):
        remediation_from_plain(plain)
    with pytest.raises(CodecError, match="remediation: expected an object"):
        remediation_from_plain(None)


WRONG = 12345  # of the wrong type for every field: no field of the model is a bare integer


def _error(decode: Any, plain: Any, *args: Any) -> str:
    with pytest.raises(CodecError) as e:
        decode(plain, *args)
    return str(e.value)


@pytest.mark.parametrize("key", sorted(graph_to_plain(full_graph())))
def test_every_graph_field_of_the_wrong_type_is_named_by_its_path(key: str) -> None:
    plain = through_json(graph_to_plain(full_graph()))
    plain[key] = WRONG
    assert _error(graph_from_plain, plain).startswith(f"graph.{key}: expected ")


@pytest.mark.parametrize("key", sorted(graph_to_plain(full_graph())["resources"][0]))
def test_every_resource_field_of_the_wrong_type_is_named_by_its_path(key: str) -> None:
    plain = through_json(graph_to_plain(full_graph()))
    plain["resources"].insert(0, dict(plain["resources"][0], urn="urn:pulumi:s::p::t::first"))
    plain["resources"][1][key] = WRONG
    assert _error(graph_from_plain, plain).startswith(f"graph.resources[1].{key}: expected ")


@pytest.mark.parametrize("key", sorted(graph_to_plain(full_graph())["resources"][0]["options"]))
def test_every_option_of_the_wrong_type_is_named_by_its_path(key: str) -> None:
    plain = through_json(graph_to_plain(full_graph()))
    plain["resources"][0]["options"][key] = WRONG
    assert _error(graph_from_plain, plain).startswith(f"graph.resources[0].options.{key}: expected ")


def test_a_resource_that_is_not_an_object_is_named_by_its_index() -> None:
    plain = through_json(graph_to_plain(full_graph()))
    plain["resources"].append("urn:pulumi:s::p::t::b")
    assert _error(graph_from_plain, plain) == "graph.resources[1]: expected an object"
    plain = through_json(graph_to_plain(full_graph()))
    plain["resources"] = WRONG
    assert _error(graph_from_plain, plain) == "graph.resources: expected a list"


def _finding() -> Finding:
    return Finding(
        FindingKind.VIOLATION, "p", "1", "x", "resource", EnforcementLevel.MANDATORY, Severity.LOW, "u", "t", "d", "m"
    )


@pytest.mark.parametrize("key", sorted(finding_to_plain(_finding())))
def test_every_finding_field_of_the_wrong_type_is_named_under_the_callers_path(key: str) -> None:
    """A worker's reply decodes each finding under its own path (``findings[3]``)."""
    plain = finding_to_plain(_finding())
    plain[key] = WRONG
    assert _error(finding_from_plain, plain).startswith(f"finding.{key}: expected ")
    assert _error(finding_from_plain, plain, "findings[3]").startswith(f"findings[3].{key}: expected ")


def _remediation() -> Remediation:
    return Remediation("p", "1", "x", "u", "t", "d", freeze({"a": 1}), ("a",))


@pytest.mark.parametrize("key", sorted(remediation_to_plain(_remediation())))
def test_every_remediation_field_of_the_wrong_type_is_named_under_the_callers_path(key: str) -> None:
    plain = remediation_to_plain(_remediation())
    plain[key] = WRONG
    assert _error(remediation_from_plain, plain).startswith(f"remediation.{key}: expected ")
    assert _error(remediation_from_plain, plain, "remediations[0]").startswith(f"remediations[0].{key}: expected ")


def test_a_finding_or_remediation_that_is_not_an_object_is_named_by_the_callers_path() -> None:
    assert _error(finding_from_plain, [], "findings[2]") == "findings[2]: expected an object"
    assert _error(remediation_from_plain, "x", "remediations[5]") == "remediations[5]: expected an object"


def test_a_long_unknown_enum_value_is_cut_to_forty_characters_in_the_message() -> None:
    plain = finding_to_plain(_finding())
    plain["severity"] = "x" * 41 + "tail"
    assert _error(finding_from_plain, plain) == f"finding.severity: {'x' * 40!r} is not a Severity"
