"""Resource records: options, dependencies, providers and the flags state records, duplicate
URNs and old copies pending deletion, and wrongly typed fields."""

from __future__ import annotations

import json

import pytest

from cdcml.errors import StateError
from cdcml.model import CustomTimeouts, ResourceOptions
from cdcml.model.values import (
    SECRET_SIG,
    SIG_KEY,
)
from cdcml.state.decode import load_state
from cdcml.state.properties import PropertyDecoder
from cdcml.state.resources import decode_resource, dedupe_resources
from tests.state.documents import PROVIDER, STACK_URN, deployment, res


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


URN = "urn:pulumi:dev::proj::azure-native:storage:StorageAccount::a"


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (1, "resources[0] must be an object"),
        ({"type": "t"}, "resources[0] is missing its 'urn'"),
        ({"urn": "", "type": "t"}, "resources[0] is missing its 'urn'"),
        ({"urn": "urn:x", "type": "t"}, "resources[0] has an invalid URN 'urn:x'"),
        ({"urn": URN}, f"{URN}: missing its 'type'"),
        (res("a", id=5), f"{URN}: 'id' must be a string"),
        (res("a", custom=False), f"{URN}: 'custom' is false but it has an ID"),
        (res("a", parent="p"), f"{URN}: invalid parent URN 'p'"),
        (res("a", propertyDependencies=[]), f"{URN}: 'propertyDependencies' must be an object"),
        (res("a", provider=URN), f"{URN}: invalid provider reference (expected '<provider URN>::<provider ID>')"),
        (res("a", provider="x::y"), f"{URN}: invalid provider reference (expected '<provider URN>::<provider ID>')"),
        (res("a", deleteBeforeReplace="x"), f"{URN}: 'deleteBeforeReplace' must be a boolean"),
        (res("a", ignoreChanges=[1]), f"{URN}: 'ignoreChanges' must be a list of strings"),
        (res("a", aliases=[1]), f"{URN}: 'aliases' must be a list of URNs"),
        (res("a", customTimeouts=[]), f"{URN}: 'customTimeouts' must be an object"),
        (res("a", customTimeouts={"delete": True}), f"{URN}: customTimeouts.delete must be a number of seconds"),
        (res("a", retainOnDelete="x"), f"{URN}: 'retainOnDelete' must be a boolean"),
        (res("a", external="x"), f"{URN}: 'external' must be a boolean"),
        (res("a", delete="x"), f"{URN}: 'delete' must be a boolean"),
        (res("a", pendingReplacement=1), f"{URN}: 'pendingReplacement' must be a boolean"),
        (res("a", importID=1), f"{URN}: 'importID' must be a string"),
        (res("a", deletedWith=1), f"{URN}: 'deletedWith' must be a string"),
        (res("a", outputs="x"), f"{URN}.outputs: must be an object of properties"),
    ],
)
def test_malformed_records_are_refused_naming_the_resource_and_field(record, problem):
    with pytest.raises(StateError) as e:
        decode_resource(record, 0, PropertyDecoder("s.json", ()))
    assert e.value.message == f"s.json: {problem}"


def test_null_fields_are_their_zero_values_and_alias_specs_are_skipped():
    record = {k: None for k in ("custom", "id", "parent", "dependencies", "propertyDependencies", "provider")}
    r = decode_resource(
        {**res("a"), **record, "aliases": ["urn:pulumi:dev::proj::x:y:Z::a", {"name": "old"}], "customTimeouts": {}},
        3,
        PropertyDecoder("s.json", ()),
    )
    assert (r.custom, r.id, r.parent, r.dependencies, r.provider) == (False, "", "", (), "")
    assert r.options.aliases == ("urn:pulumi:dev::proj::x:y:Z::a",)
    assert r.options.custom_timeouts is None


def test_duplicates_are_refused_and_old_copies_pending_deletion_counted():
    decode = PropertyDecoder("s.json", ())
    live, old = (decode_resource(r, 0, decode) for r in (res("a"), res("a", delete=True)))
    assert dedupe_resources([old, live, old], "s.json") == (
        [live],
        ["2 old cop(ies) of replaced resources pending deletion were skipped"],
    )
    assert dedupe_resources([old, old], "s.json") == (
        [old],
        ["1 old cop(ies) of replaced resources pending deletion were skipped"],
    )
    with pytest.raises(StateError) as e:
        dedupe_resources([live, old, live], "s.json")
    assert e.value.message == f"s.json: duplicate resource URN {URN}"


def test_a_long_invalid_urn_is_echoed_shortened():
    bad = "not-a-urn" + "y" * 1_000_000
    with pytest.raises(StateError) as e:
        decode_resource({"urn": bad, "type": "t"}, 2, PropertyDecoder("s.json", ()))
    assert e.value.message.startswith("s.json: resources[2] has an invalid URN 'not-a-urnyyy")
    assert e.value.message.endswith("yyy (1,000,009 characters)'") and len(e.value.message) < 260


def test_a_long_valid_urn_is_shortened_where_an_error_names_the_resource():
    urn = "urn:pulumi:dev::proj::x:y:Z::" + "n" * 100_000
    with pytest.raises(StateError) as e:
        decode_resource({"urn": urn, "type": "x:y:Z", "custom": "yes"}, 0, PropertyDecoder("s.json", ()))
    assert e.value.message.endswith("nnn (100,029 characters): 'custom' must be a boolean")
    assert len(e.value.message) < 260


def test_a_custom_timeout_a_float_cannot_hold_is_refused():
    with pytest.raises(StateError, match=r"customTimeouts\.create must be a number of seconds"):
        decode_resource(res("a", customTimeouts={"create": 10**400}), 0, PropertyDecoder("s.json", ()))
