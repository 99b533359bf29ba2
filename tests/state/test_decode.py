"""State loading: every Pulumi state fixture, every envelope version, the property-value
encodings, the options state records, and one-line errors for malformed input."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import math
import struct
from typing import Any

import jsonschema
import pytest
import referencing
import zstandard
from referencing.jsonschema import DRAFT202012

from cdcml.engine.wire import marshal_for_analyzer
from cdcml.errors import StateError
from cdcml.model import CustomTimeouts, Resource, ResourceGraph, ResourceOptions, freeze, thaw
from cdcml.model.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    REDACTED,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    is_secret,
    reveal,
)
from cdcml.state.decode import load_state, load_state_file, non_finite_numbers
from cdcml.state.document import SUPPORTED_FEATURES, read_document
from cdcml.state.export import dumps, export_stack, to_checkpoint
from cdcml.state.properties import BYTESTRING_SIG, COMPUTED_PLACEHOLDER, FLOAT_SIG
from cdcml.state.urns import parse_urn
from tests.fixtures.state.builders import PULUMI_STATE, plaintext_secrets_doc

COUNTDOWN = "urn:pulumi:foo::countdown::"
ROLE = COUNTDOWN + "aws:iam/role:Role::countDown_watcher-iamrole"
TOPIC = COUNTDOWN + "aws:sns/topic:Topic::countDown"
STACK_URN = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
PROVIDER = "urn:pulumi:dev::proj::pulumi:providers:azure-native::default_3_29_0"


def deployment(resources: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2025-01-01T00:00:00Z", "magic": "", "version": ""},
            "resources": resources,
        },
        **extra,
    }


def res(name: str, rtype: str = "azure-native:storage:StorageAccount", **fields: Any) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::proj::{rtype}::{name}",
        "custom": True,
        "id": f"id-{name}",
        "type": rtype,
        **fields,
    }


# --------------------------------------------------------------------------- the fixtures

LOADABLE = ["checkpoint-v0.json", "checkpoint-v1.json", "checkpoint-v3.json", "checkpoint-v4.json"]
HANDLED = {
    *LOADABLE,
    "checkpoint-secrets.json",
    "checkpoint-v4-unsupported-feature.json",
    "snapshot_test.json",
    "deployments.json",
    "resources.json",
    "property-values.json",
    "NOTICE.md",
}


def test_every_pulumi_state_fixture_is_covered_by_a_test():
    """A fixture added to tests/fixtures/state/pulumi without a test fails here."""
    assert {p.name for p in PULUMI_STATE.iterdir()} == HANDLED


@pytest.mark.parametrize("name", LOADABLE)
def test_checkpoints_of_every_version_load_as_the_same_stack(name):
    graph = load_state_file(PULUMI_STATE / name)
    reference = load_state_file(PULUMI_STATE / "checkpoint-v3.json")
    assert (graph.project, graph.stack, graph.source, graph.dry_run) == ("countdown", "foo", "state", True)
    assert len(graph) == 30
    assert [(r.urn, r.type, r.parent, r.custom, r.id) for r in graph] == [
        (r.urn, r.type, r.parent, r.custom, r.id) for r in reference
    ]
    topic = graph[TOPIC]
    assert topic.name == "countDown"
    assert topic.parent == COUNTDOWN + "cloud:topic:Topic::countDown"
    assert topic.outputs["name"] == "countDown-9d430501c4510322"


def test_version_1_checkpoint_drops_defaults_and_gets_property_dependencies_on_every_dependency():
    """migrate.UpToResourceV2 drops `defaults`; UpToResourceV3 makes every input depend on
    all of the resource's dependencies."""
    raw = json.loads((PULUMI_STATE / "checkpoint-v1.json").read_text())
    graph = load_state_file(PULUMI_STATE / "checkpoint-v1.json")
    with_defaults = 0
    for raw_res in raw["checkpoint"]["latest"]["resources"]:
        r = graph[raw_res["urn"]]
        assert thaw(r.inputs) == (raw_res.get("inputs") or {})
        if raw_res.get("defaults"):
            with_defaults += 1
        assert set(r.property_dependencies) == set(r.inputs)
        assert all(v == r.dependencies for v in r.property_dependencies.values())
    assert with_defaults > 5
    assert graph[TOPIC].inputs == {}


def test_version_4_checkpoint_with_a_known_feature_loads():
    assert "refreshBeforeUpdate" in SUPPORTED_FEATURES
    doc = read_document(json.loads((PULUMI_STATE / "checkpoint-v4.json").read_text()))
    assert (doc.kind, doc.version, doc.features) == ("checkpoint", 4, ("refreshBeforeUpdate",))


def test_version_4_checkpoint_with_an_unknown_feature_is_refused_with_a_clear_error():
    with pytest.raises(StateError) as e:
        load_state_file(PULUMI_STATE / "checkpoint-v4-unsupported-feature.json")
    assert "'unsupported-feature'" in e.value.message
    assert "does not support" in e.value.message
    assert "\n" not in e.value.message


def test_secrets_fixture_keeps_secrets_as_redacted_wire_secrets_and_never_decrypts():
    graph = load_state_file(PULUMI_STATE / "checkpoint-secrets.json")
    role = graph[ROLE]
    assert is_secret(role.inputs["assumeRolePolicy"])
    assert reveal(role.inputs["assumeRolePolicy"]) == REDACTED
    assert reveal(role.outputs["uniqueId"]) == REDACTED
    assert any("were not decrypted" in d and "'b64'" in d for d in graph.diagnostics)
    # The property dependency recorded as null is an empty list.
    assert role.property_dependencies["assumeRolePolicy"] == ()
    text = repr(thaw(list(graph.resources)))
    raw = json.loads((PULUMI_STATE / "checkpoint-secrets.json").read_text())
    cipher = raw["checkpoint"]["latest"]["resources"]
    ciphertexts = [
        v["ciphertext"]
        for r in cipher
        for v in list((r.get("inputs") or {}).values()) + list((r.get("outputs") or {}).values())
        if isinstance(v, dict) and v.get(SIG_KEY) == SECRET_SIG
    ]
    assert ciphertexts and not any(c in text for c in ciphertexts)
    assert "AROAJBQANPFEXFW2SEVJM" not in text  # the b64 plaintext of uniqueId


def test_show_secrets_export_keeps_plaintext_as_wire_secrets():
    graph = load_state(plaintext_secrets_doc(PULUMI_STATE / "checkpoint-secrets.json"), source="plain")
    role = graph[ROLE]
    assert is_secret(role.outputs["uniqueId"]) and reveal(role.outputs["uniqueId"]) == "AROAJBQANPFEXFW2SEVJM"
    assert not any("were not decrypted" in d for d in graph.diagnostics)


def test_secrets_fixture_assets_and_archives_keep_their_signature_objects():
    graph = load_state_file(PULUMI_STATE / "checkpoint-secrets.json")
    code = graph[COUNTDOWN + "aws:lambda/function:Function::countDown_watcher"].inputs["code"]
    assert code[SIG_KEY] == ARCHIVE_SIG
    assert code["assets"]["."][SIG_KEY] == ARCHIVE_SIG
    assert code["assets"]["__index.js"][SIG_KEY] == ASSET_SIG
    assert code["assets"]["__index.js"]["text"].startswith("exports.handler")


def _journal_documents() -> list[str]:
    """snapshot_test.json: the service's journal — a first deployment, then text edits
    (byte spans) each followed by the SHA-256 of the document it produces."""
    d = json.loads((PULUMI_STATE / "snapshot_test.json").read_text())
    doc = d["req1"]
    out = [doc]
    for key in ("req2", "req3", "req4"):
        for edit in json.loads(d[key]):
            start, end = edit["Span"]["start"]["offset"], edit["Span"]["end"]["offset"]
            doc = doc[:start] + edit["NewText"] + doc[end:]
        assert hashlib.sha256(doc.encode()).hexdigest() == d[f"{key}.hash"]
        out.append(doc)
    return out


def test_service_snapshot_journal_documents_are_read_and_their_invalid_urns_refused():
    """The journal's documents are real exports (v3, and v4 with a feature) whose URNs are
    placeholders; `pulumi policy analyze` rejects invalid URNs, and so does cdcml."""
    docs = _journal_documents()
    assert [json.loads(d)["version"] for d in docs] == [3, 3, 3, 4]
    assert read_document(json.loads(docs[-1])).features == ("refreshBeforeUpdate",)
    for d in docs:
        with pytest.raises(StateError, match=r"invalid URN 'urn-1'"):
            load_state(d.encode(), source="journal")


def _registry() -> referencing.Registry:
    resources = []
    for name in ("deployments.json", "resources.json", "property-values.json"):
        schema = json.loads((PULUMI_STATE / name).read_text())
        resources.append((schema["$id"], DRAFT202012.create_resource(schema)))
    return referencing.Registry().with_resources(resources)


@pytest.fixture(scope="module")
def deployment_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((PULUMI_STATE / "deployments.json").read_text())
    return jsonschema.Draft202012Validator(schema, registry=_registry())


@pytest.fixture(scope="module")
def value_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((PULUMI_STATE / "property-values.json").read_text())
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def test_v1_checkpoint_deployment_validates_against_pulumis_deployment_schema(deployment_validator):
    raw = json.loads((PULUMI_STATE / "checkpoint-v1.json").read_text())
    deployment_validator.validate({"version": 1, "deployment": raw["checkpoint"]["latest"]})


def test_exported_reference_stack_validates_against_pulumis_deployment_schema(deployment_validator):
    from tests.fixtures.state.builders import seed_graph

    for secrets in ("plaintext", "b64"):
        deployment_validator.validate(export_stack(seed_graph(), secrets=secrets))


_VALID_SPECIAL = {
    "secret-ciphertext": {SIG_KEY: SECRET_SIG, "ciphertext": "djE6YWJj"},
    "secret-plaintext": {SIG_KEY: SECRET_SIG, "plaintext": '{"a":[1,"x"]}'},
    "asset-text": {SIG_KEY: ASSET_SIG, "hash": "h", "text": "hello"},
    "asset-path": {SIG_KEY: ASSET_SIG, "path": "./a.txt"},
    "asset-hash-only": {SIG_KEY: ASSET_SIG, "hash": "abc"},
    "archive-assets": {SIG_KEY: ARCHIVE_SIG, "assets": {"a": {SIG_KEY: ASSET_SIG, "text": "x"}}},
    "archive-uri": {SIG_KEY: ARCHIVE_SIG, "uri": "https://example.com/a.zip"},
    "resource-ref": {SIG_KEY: RESOURCE_REF_SIG, "urn": STACK_URN, "id": "abc", "packageVersion": "3.29.0"},
    "resource-ref-no-id": {SIG_KEY: RESOURCE_REF_SIG, "urn": STACK_URN, "packageVersion": ""},
    "float-nan": {SIG_KEY: FLOAT_SIG, "value": struct.pack(">d", math.nan).hex()},
    "float-inf": {SIG_KEY: FLOAT_SIG, "value": struct.pack(">d", math.inf).hex()},
    "byte-string": {SIG_KEY: BYTESTRING_SIG, "value": base64.b64encode(b"ok \xff").decode()},
    "computed": COMPUTED_PLACEHOLDER,
}
_INVALID_SPECIAL = {
    "secret-both": {SIG_KEY: SECRET_SIG, "ciphertext": "x", "plaintext": '"y"'},
    "secret-neither": {SIG_KEY: SECRET_SIG},
    "asset-two-sources": {SIG_KEY: ASSET_SIG, "text": "x", "path": "p"},
    "asset-nothing": {SIG_KEY: ASSET_SIG},
    "float-not-hex": {SIG_KEY: FLOAT_SIG, "value": "zz"},
    "float-no-value": {SIG_KEY: FLOAT_SIG},
    "byte-string-no-value": {SIG_KEY: BYTESTRING_SIG},
    "resource-ref-no-urn": {SIG_KEY: RESOURCE_REF_SIG, "id": "x"},
    "unknown-signature": {SIG_KEY: "0123456789abcdef0123456789abcdef", "value": 1},
}


@pytest.mark.parametrize("case", sorted(_VALID_SPECIAL))
def test_special_values_the_schema_accepts_are_decoded(case, value_validator):
    value = _VALID_SPECIAL[case]
    value_validator.validate(value)
    graph = load_state(deployment([res("a", inputs={"v": value})]))
    assert "v" in graph.resources[0].inputs


@pytest.mark.parametrize("case", sorted(_INVALID_SPECIAL))
def test_special_values_the_schema_rejects_are_refused_with_their_path(case, value_validator):
    value = _INVALID_SPECIAL[case]
    assert not value_validator.is_valid(value)
    with pytest.raises(StateError) as e:
        load_state(deployment([res("a", inputs={"outer": {"v": value}})]), source="s.json")
    assert e.value.message.startswith("s.json: urn:pulumi:dev::proj::")
    assert ".inputs.outer.v" in e.value.message


def test_special_values_decode_to_the_wire_form_the_evaluator_understands():
    graph = load_state(deployment([res("a", inputs={k: v for k, v in _VALID_SPECIAL.items()})]))
    v = graph.resources[0].inputs
    assert v["secret-ciphertext"] == {SIG_KEY: SECRET_SIG, "value": REDACTED}
    assert v["secret-plaintext"] == {SIG_KEY: SECRET_SIG, "value": {"a": (1, "x")}}
    assert math.isnan(v["float-nan"]) and v["float-inf"] == math.inf
    assert v["byte-string"] == "ok \ufffd"
    assert v["computed"] == UNKNOWN
    assert v["resource-ref"][SIG_KEY] == RESOURCE_REF_SIG
    marshaled = marshal_for_analyzer(v, {STACK_URN: ""}.get)
    assert marshaled["resource-ref"] == "abc"  # the referenced resource's ID
    assert marshaled["resource-ref-no-id"] == STACK_URN  # a component: its URN
    assert non_finite_numbers(graph) == [
        "urn:pulumi:dev::proj::azure-native:storage:StorageAccount::a inputs.float-nan",
        "urn:pulumi:dev::proj::azure-native:storage:StorageAccount::a inputs.float-inf",
    ]


def test_a_malformed_plaintext_secret_is_refused_without_echoing_it():
    secret = "hunter2-not-json"
    doc = deployment([res("a", inputs={"pw": {SIG_KEY: SECRET_SIG, "plaintext": secret}})])
    with pytest.raises(StateError) as e:
        load_state(doc)
    assert "not valid JSON" in e.value.message and secret not in e.value.message


def test_options_dependencies_and_providers_are_read():
    doc = deployment(
        [
            {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {"endpoint": "https://x"}},
            {
                "urn": PROVIDER,
                "custom": True,
                "id": "prov-id",
                "type": "pulumi:providers:azure-native",
                "inputs": {"location": "westeurope"},
            },
            res(
                "acct",
                parent=STACK_URN,
                provider=f"{PROVIDER}::prov-id",
                inputs={"name": "acct"},
                outputs={"name": "acct", "primaryKey": {SIG_KEY: SECRET_SIG, "ciphertext": "xyz"}},
                dependencies=[PROVIDER],
                propertyDependencies={"name": [PROVIDER], "other": None},
                protect=True,
                ignoreChanges=["tags"],
                aliases=["urn:pulumi:dev::proj::azure-native:storage/v20190601:StorageAccount::acct"],
                customTimeouts={"create": 300, "update": 0, "delete": 1.5},
                deleteBeforeReplace=True,
                additionalSecretOutputs=["primaryKey"],
                retainOnDelete=True,
                deletedWith=STACK_URN,
                importID="/subscriptions/x/acct",
                replaceOnChanges=["name"],
                external=False,
                pendingReplacement=True,
                taint=True,
                refreshBeforeUpdate=True,
            ),
            res("gone", delete=True),
            res("read", external=True),
        ]
    )
    graph = load_state(json.dumps(doc).encode())
    acct = graph["urn:pulumi:dev::proj::azure-native:storage:StorageAccount::acct"]
    assert acct.provider_urn == PROVIDER and graph.get(acct.provider_urn) is not None
    assert acct.parent == STACK_URN
    assert acct.dependencies == (PROVIDER,)
    assert acct.property_dependencies == {"name": (PROVIDER,), "other": ()}
    assert acct.options == ResourceOptions(
        protect=True,
        ignore_changes=("tags",),
        delete_before_replace=True,
        additional_secret_outputs=("primaryKey",),
        aliases=("urn:pulumi:dev::proj::azure-native:storage/v20190601:StorageAccount::acct",),
        custom_timeouts=CustomTimeouts(create=300.0, update=0.0, delete=1.5),
        retain_on_delete=True,
        deleted_with=STACK_URN,
        replace_on_changes=("name",),
        import_id="/subscriptions/x/acct",
    )
    assert acct.pending_replacement and not acct.external
    assert graph["urn:pulumi:dev::proj::azure-native:storage:StorageAccount::gone"].delete
    assert graph["urn:pulumi:dev::proj::azure-native:storage:StorageAccount::read"].external
    assert graph.outputs == {"endpoint": "https://x"}
    assert (graph.project, graph.stack) == ("proj", "dev")


def test_an_old_copy_pending_deletion_is_dropped_and_a_real_duplicate_refused():
    doc = deployment([res("a", delete=True), res("a"), res("b")])
    graph = load_state(doc)
    assert [r.name for r in graph] == ["a", "b"] and not graph.resources[0].delete
    assert any("pending deletion" in d for d in graph.diagnostics)
    with pytest.raises(StateError, match="duplicate resource URN"):
        load_state(deployment([res("a"), res("a")]))


@pytest.mark.parametrize("compression", ["gz", "zst"])
def test_compressed_files_are_detected_from_their_bytes(tmp_path, compression):
    plain = (PULUMI_STATE / "checkpoint-v3.json").read_bytes()
    if compression == "gz":
        data = gzip.compress(plain)
    else:
        # The Go encoder writes frames without a content size.
        data = zstandard.ZstdCompressor(write_content_size=False).compress(plain)
    path = tmp_path / f"stack.json.{compression}"
    path.write_bytes(data)
    assert load_state_file(path).resources == load_state_file(PULUMI_STATE / "checkpoint-v3.json").resources


def test_export_then_load_is_lossless_for_everything_state_records():
    graph = ResourceGraph(
        project="proj",
        stack="dev",
        resources=(
            Resource(STACK_URN, "pulumi:pulumi:Stack", "proj-dev", False, outputs=freeze({"url": "x"})),
            Resource(
                "urn:pulumi:dev::proj::azure-native:storage:StorageAccount::acct",
                "azure-native:storage:StorageAccount",
                "acct",
                True,
                id="/subscriptions/s/acct",
                inputs=freeze(
                    {
                        "name": "acct",
                        "key": {SIG_KEY: SECRET_SIG, "value": {"nested": ["a", 1.5]}},
                        "ref": {SIG_KEY: RESOURCE_REF_SIG, "urn": STACK_URN, "packageVersion": ""},
                        "later": UNKNOWN,
                    }
                ),
                outputs=freeze({"name": "acct"}),
                parent=STACK_URN,
                dependencies=(STACK_URN,),
                property_dependencies=freeze({"name": (STACK_URN,)}),
                options=ResourceOptions(
                    protect=True,
                    ignore_changes=("tags",),
                    aliases=("urn:pulumi:dev::proj::x:y:Z::acct",),
                    custom_timeouts=CustomTimeouts(create=60.0),
                    additional_secret_outputs=("key",),
                    retain_on_delete=True,
                    deleted_with=STACK_URN,
                    replace_on_changes=("name",),
                    import_id="imp",
                ),
                pending_replacement=True,
            ),
        ),
        outputs=freeze({"url": "x"}),
    )
    for doc in (export_stack(graph), to_checkpoint(graph)):
        for compression in (None, "gz", "zst"):
            back = load_state(dumps(doc, compression))
            assert back.resources == graph.resources
            assert (back.project, back.stack, back.outputs) == ("proj", "dev", graph.outputs)
    encrypted = load_state(dumps(export_stack(graph, secrets="passphrase", passphrase="correct horse")))
    assert encrypted.resources[1].inputs["key"] == {SIG_KEY: SECRET_SIG, "value": REDACTED}
    text = dumps(export_stack(graph, secrets="passphrase", passphrase="correct horse")).decode()
    assert "nested" not in text and '"passphrase"' in text


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON (line 1"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"hello": 1}', "not a Pulumi state"),
        (b'{"version": 3}', "neither 'deployment' nor 'checkpoint'"),
        (b'{"version": 5, "deployment": {}}', "newer than cdcml reads"),
        (b'{"version": 0, "deployment": {}}', "too old"),
        (b'{"version": "3", "deployment": {}}', "'version' must be an integer"),
        (b'{"version": 3, "features": ["taint"], "deployment": {}}', "needs state version 4"),
        (b'{"version": 9, "checkpoint": {}}', "unsupported checkpoint version 9"),
        (b'{"version": 3, "deployment": {"resources": {}}}', "'resources' must be a list"),
        (b'{"version": 3, "deployment": {"resources": [{"type": "t"}]}}', "missing its 'urn'"),
        (b'{"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:a::b::t::n"}]}}', "missing its 'type'"),
        (b"\x1f\x8b\x08\x00garbage", "corrupt gzip"),
        (b"\x28\xb5\x2f\xfdgarbage", "corrupt zstd"),
    ],
)
def test_malformed_state_is_one_clear_line(data, problem):
    with pytest.raises(StateError) as e:
        load_state(data, source="bad.json")
    assert problem in e.value.message
    assert e.value.message.startswith("bad.json: ") and "\n" not in e.value.message


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("custom", "yes", "'custom' must be a boolean"),
        ("dependencies", "x", "'dependencies' must be a list"),
        ("dependencies", [1], "'dependencies' must be a list of strings"),
        ("protect", 1, "'protect' must be a boolean"),
        ("inputs", [], "must be an object of properties"),
        ("propertyDependencies", {"a": "x"}, "propertyDependencies.a must be a list of URNs"),
        ("customTimeouts", {"create": "5m"}, "customTimeouts.create must be a number"),
        ("provider", "not-a-reference", "invalid provider reference"),
        ("parent", "nope", "invalid parent URN"),
    ],
)
def test_wrongly_typed_resource_fields_are_refused(field, value, problem):
    with pytest.raises(StateError) as e:
        load_state(deployment([res("a", **{field: value})]))
    assert problem in e.value.message


def test_a_component_with_an_id_is_refused_as_pulumi_refuses_it():
    with pytest.raises(StateError, match="'custom' is false but it has an ID"):
        load_state(deployment([res("a", custom=False)]))


def test_missing_file_and_directory_are_clear_errors(tmp_path):
    with pytest.raises(StateError, match="does not exist"):
        load_state_file(tmp_path / "nope.json")
    with pytest.raises(StateError, match="is a directory; for a backend directory use --backend"):
        load_state_file(tmp_path)


def test_empty_checkpoint_is_a_stack_with_nothing_to_analyze():
    graph = load_state({"version": 3, "checkpoint": {"stack": "organization/proj/dev"}})
    assert (graph.organization, graph.project, graph.stack, len(graph)) == ("organization", "proj", "dev", 0)
    assert "nothing to analyze" in graph.diagnostics[-1]


def test_checkpoint_config_is_passed_on_with_secure_values_redacted():
    graph = load_state(
        {
            "version": 3,
            "checkpoint": {
                "stack": "dev",
                "config": {"proj:size": 3, "proj:password": {"secure": "v1:abc:def"}},
                "latest": deployment([res("a")])["deployment"],
            },
        }
    )
    assert graph.config == {"proj:size": "3", "proj:password": REDACTED}
    assert graph.config_secret_keys == ("proj:password",)


def test_pending_operations_and_names_that_disagree_with_the_urns_are_noted():
    doc = deployment([res("a")])
    doc["deployment"]["pending_operations"] = [{"resource": res("b"), "type": "creating"}]
    graph = load_state(doc, project="other", stack="prod")
    assert (graph.project, graph.stack) == ("proj", "dev")
    assert any("pending" in d and "creating" in d for d in graph.diagnostics)
    assert any("the state's URNs name stack 'dev' of project 'proj'" in d for d in graph.diagnostics)


def test_parse_urn():
    assert parse_urn("urn:pulumi:dev::proj::a:b:C$d:e:F::name::with::colons") == (
        "dev",
        "proj",
        "a:b:C$d:e:F",
        "name::with::colons",
    )
    assert parse_urn("urn-1") is None
    assert parse_urn("urn:pulumi:dev::proj::") is None


def test_state_file_from_stdin(monkeypatch):
    import io
    import sys

    data = (PULUMI_STATE / "checkpoint-v3.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert len(load_state_file("-")) == 30
