"""State loading end to end: every Pulumi state fixture, export and checkpoint round trips,
the stack's names, config and diagnostics, and files and standard input."""

from __future__ import annotations

import hashlib
import json
import os

import jsonschema
import pytest

from cdcml.errors import StateError
from cdcml.inputs import input_limit
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
from cdcml.state.decode import load_state, load_state_file, read_state_input
from cdcml.state.document import read_document
from cdcml.state.export import dumps, export_stack, to_checkpoint
from cdcml.state.properties import BYTESTRING_SIG
from tests.fixtures.state.builders import PULUMI_STATE, plaintext_secrets_doc
from tests.state.documents import COUNTDOWN, ROLE, STACK_URN, TOPIC, deployment, pulumi_schema_registry, res

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


@pytest.fixture(scope="module")
def deployment_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((PULUMI_STATE / "deployments.json").read_text())
    return jsonschema.Draft202012Validator(schema, registry=pulumi_schema_registry())


def test_v1_checkpoint_deployment_validates_against_pulumis_deployment_schema(deployment_validator):
    raw = json.loads((PULUMI_STATE / "checkpoint-v1.json").read_text())
    deployment_validator.validate({"version": 1, "deployment": raw["checkpoint"]["latest"]})


def test_exported_reference_stack_validates_against_pulumis_deployment_schema(deployment_validator):
    from tests.fixtures.state.builders import seed_graph

    for secrets in ("plaintext", "b64"):
        deployment_validator.validate(export_stack(seed_graph(), secrets=secrets))


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


def test_state_file_from_stdin(monkeypatch):
    import io
    import sys

    data = (PULUMI_STATE / "checkpoint-v3.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert len(load_state_file("-")) == 30


def test_every_diagnostic_of_a_stack_in_order():
    doc = deployment(
        [
            res("a", initErrors=["boom"], inputs={"s": {SIG_KEY: SECRET_SIG, "ciphertext": "c"}}),
            res("a", delete=True),
            res("b", outputs={"raw": {SIG_KEY: BYTESTRING_SIG, "value": "aGk="}}),
        ],
        features=["byteString"],
    )
    doc["version"] = 4
    doc["deployment"]["pending_operations"] = [{"type": "updating"}, {"type": "creating"}, 1]
    graph = load_state(doc, project="p", stack="s")
    assert (graph.project, graph.stack, graph.organization) == ("proj", "dev", "organization")
    assert graph.diagnostics == (
        "1 old cop(ies) of replaced resources pending deletion were skipped",
        "the state's URNs name stack 'dev' of project 'proj', not p/s; policies see the names in the URNs",
        "1 secret value(s) are encrypted (secrets provider 'unknown') and were not decrypted: "
        'policies see "[secret]", as with `pulumi policy analyze`',
        "1 byte string value(s) decoded as UTF-8 text",
        "3 operation(s) (creating, updating) were pending when the state was saved: an update was interrupted, "
        "so the state may not match what is deployed",
        "1 resource(s) recorded initialization errors (partially created)",
    )


def test_names_come_from_the_caller_then_the_urns_then_the_checkpoint():
    empty = {"version": 3, "checkpoint": {"stack": "o/p/s"}}
    assert (load_state(empty).organization, load_state(empty).project, load_state(empty).stack) == ("o", "p", "s")
    graph = load_state(empty, organization="org", project="proj", stack="dev")
    assert (graph.organization, graph.project, graph.stack) == ("org", "proj", "dev")
    graph = load_state({"version": 3, "deployment": {}})
    assert (graph.organization, graph.project, graph.stack) == ("organization", "project", "stack")
    assert graph.diagnostics == ("the stack has no resources; nothing to analyze",)


def test_state_file_errors_are_exact(tmp_path):
    with pytest.raises(StateError) as e:
        load_state_file(tmp_path / "nope.json")
    assert e.value.message == f"state file {tmp_path}/nope.json does not exist"
    with pytest.raises(StateError) as e:
        load_state_file(tmp_path)
    assert (
        e.value.message
        == f"state file {tmp_path} is a directory; for a backend directory use --backend file://{tmp_path}"
    )


def test_a_state_file_that_is_not_a_regular_file_is_refused(tmp_path):
    os.mkfifo(tmp_path / "fifo.json")
    for path, kind in ((tmp_path / "fifo.json", "a FIFO or pipe"), ("/dev/zero", "a character device")):
        with pytest.raises(StateError) as e:
            load_state_file(path)
        assert e.value.message == f"state file {path}: {kind}, not a regular file; use --file - for standard input"


def test_standard_input_is_read_up_to_the_limit(monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b" " * 2000)))
    with input_limit(1000), pytest.raises(StateError) as e:
        load_state_file("-")
    assert e.value.message.startswith("<stdin>: larger than 1000 bytes, the input size limit")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 10)))
    assert read_state_input("-") == b"x" * 10


def test_checkpoint_config_is_checked_like_any_document():
    deep: object = "v"
    for _ in range(101):
        deep = [deep]
    for config, problem in (
        ({"p:k": deep}, "config.p:k[0][0]"),
        ({"p:k": {"n": 10**400}}, "config.p:k.n: an integer of 401 digits is out of range"),
    ):
        doc = {"version": 3, "checkpoint": {"stack": "o/p/s", "config": config, "latest": {"resources": []}}}
        with pytest.raises(StateError) as e:
            load_state(doc, source="c.json")
        assert e.value.message.startswith(f"c.json: {problem}")
