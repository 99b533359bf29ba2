"""Property values: the encodings Pulumi's property-value schema allows (secrets, assets,
archives, resource references, byte strings, floats), decoded to the wire form, and the
ones it rejects refused with their path."""

from __future__ import annotations

import base64
import json
import math
import struct
import sys

import jsonschema
import pytest

from cdcml.engine.wire import marshal_for_analyzer
from cdcml.errors import StateError
from cdcml.model.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    REDACTED,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
)
from cdcml.state.decode import load_state, non_finite_numbers
from cdcml.state.properties import BYTESTRING_SIG, COMPUTED_PLACEHOLDER, FLOAT_SIG, PropertyDecoder
from tests.fixtures.state.builders import PULUMI_STATE
from tests.state.documents import STACK_URN, deployment, pulumi_schema_registry, res


@pytest.fixture(scope="module")
def value_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((PULUMI_STATE / "property-values.json").read_text())
    return jsonschema.Draft202012Validator(schema, registry=pulumi_schema_registry())


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


ONE_OF = "a secret must have exactly one of 'ciphertext' and 'plaintext'"


def decoder() -> PropertyDecoder:
    return PropertyDecoder("s.json", ())


@pytest.mark.parametrize(
    ("value", "path", "problem"),
    [
        ({SIG_KEY: SECRET_SIG, "ciphertext": "x", "plaintext": "1"}, "", ONE_OF),
        ({"b": [{SIG_KEY: SECRET_SIG}]}, ".b[0]", ONE_OF),
        ({SIG_KEY: SECRET_SIG, "ciphertext": 1}, "", "a secret's 'ciphertext' must be a string"),
        ({SIG_KEY: SECRET_SIG, "plaintext": 1}, "", "a secret's 'plaintext' must be a string of JSON"),
        ({SIG_KEY: SECRET_SIG, "plaintext": "{"}, "", "a secret's 'plaintext' is not valid JSON"),
        ({SIG_KEY: SECRET_SIG, "plaintext": json.dumps({SIG_KEY: "zz"})}, "", "unrecognized signature object"),
        ({SIG_KEY: ASSET_SIG, "text": "", "uri": "", "path": ""}, "", "an asset has more than one of text, path, uri"),
        ({SIG_KEY: ASSET_SIG}, "", "an asset needs a hash or its contents"),
        ({SIG_KEY: ASSET_SIG, "text": 1}, ".text", "an asset's 'text' must be a string"),
        ({SIG_KEY: ARCHIVE_SIG, "uri": 1}, ".uri", "an archive's 'uri' must be a string"),
        ({SIG_KEY: ARCHIVE_SIG, "assets": []}, "", "an archive's 'assets' must be an object"),
        ({SIG_KEY: ARCHIVE_SIG, "assets": {"m": 1}}, ".assets.m", "must be an asset or an archive"),
        (
            {SIG_KEY: ARCHIVE_SIG, "assets": {"m": {SIG_KEY: ASSET_SIG}}}, ".assets.m",
            "an asset needs a hash or its contents",
        ),
        ({SIG_KEY: RESOURCE_REF_SIG, "urn": "x"}, "", "a resource reference needs a valid 'urn'"),
        ({SIG_KEY: RESOURCE_REF_SIG, "urn": STACK_URN, "id": 1}, "", "a resource reference's 'id' must be a string"),
        (
            {SIG_KEY: RESOURCE_REF_SIG, "urn": STACK_URN, "packageVersion": 1}, "",
            "a resource reference's 'packageVersion' must be a string",
        ),
        ({SIG_KEY: BYTESTRING_SIG, "value": 1}, "", "a byte string needs a base64 'value'"),
        ({SIG_KEY: BYTESTRING_SIG, "value": "!!"}, "", "a byte string's 'value' is not base64"),
        ({SIG_KEY: FLOAT_SIG, "value": "7ff8"}, "", "a float needs 'value' as 16 hexadecimal digits"),
        ({SIG_KEY: "nope"}, "", "unrecognized signature object"),
    ],
)  # fmt: skip
def test_malformed_values_are_refused_with_their_exact_path(value, path, problem):
    with pytest.raises(StateError) as e:
        decoder().props({"a": value}, "urn:pulumi:s::p::t::n", "inputs")
    assert e.value.message == f"s.json: urn:pulumi:s::p::t::n.inputs.a{path}: {problem}"


def test_properties_must_be_an_object_and_may_be_null():
    assert decoder().props(None, "u", "outputs") == {}
    with pytest.raises(StateError) as e:
        decoder().props([1], "u", "outputs")
    assert e.value.message == "s.json: u.outputs: must be an object of properties"


def test_secrets_and_byte_strings_are_counted_for_the_diagnostics():
    d = decoder()
    props = d.props(
        {
            "a": {SIG_KEY: SECRET_SIG, "ciphertext": "x"},
            "b": [{SIG_KEY: SECRET_SIG, "ciphertext": "y"}, {SIG_KEY: SECRET_SIG, "plaintext": '"shown"'}],
            "c": {SIG_KEY: BYTESTRING_SIG, "value": base64.b64encode(b"\xffhi").decode()},
        },
        "u",
        "inputs",
    )
    assert (d.redacted, d.byte_strings) == (2, 1)
    assert props["a"] == {SIG_KEY: SECRET_SIG, "value": REDACTED}
    assert props["b"][1] == {SIG_KEY: SECRET_SIG, "value": "shown"}
    assert props["c"] == "\ufffdhi"


def _nested(depth: int, inner: object = 1) -> object:
    value = inner
    for _ in range(depth):
        value = {"a": value}
    return value


def test_values_nested_past_the_limit_are_refused_with_a_shortened_path():
    assert decoder().props({"x": _nested(100)}, "u", "inputs")["x"]["a"]["a"] is not None
    with pytest.raises(StateError) as e:
        decoder().props({"x": _nested(101)}, "u", "inputs")
    message = e.value.message
    assert message.startswith("s.json: u.inputs.x.a.a.a") and message.endswith(": nested more than 100 levels deep")
    assert len(message) < 250
    lists = [[[[1]]]]
    for _ in range(33):  # 103 levels
        lists = [[[lists]]]
    with pytest.raises(StateError, match=r"s\.json: u\.inputs\.x\[0\]\[0\].*: nested more than 100 levels deep"):
        decoder().props({"x": lists}, "u", "inputs")


def test_a_secret_or_an_archive_counts_as_the_level_it_is_at():
    inner = json.dumps(_nested(99))
    ok = decoder().props({"x": {"b": {SIG_KEY: SECRET_SIG, "plaintext": inner}}}, "u", "inputs")
    assert ok["x"]["b"][SIG_KEY] == SECRET_SIG
    with pytest.raises(StateError, match="nested more than 100 levels deep"):
        decoder().props({"x": {"b": {SIG_KEY: SECRET_SIG, "plaintext": json.dumps(_nested(100))}}}, "u", "inputs")
    archive: dict[str, object] = {SIG_KEY: ARCHIVE_SIG, "hash": "h"}
    for _ in range(60):
        archive = {SIG_KEY: ARCHIVE_SIG, "assets": {"m": archive}}
    with pytest.raises(StateError, match=r"u\.inputs\.x(\.assets\.m)+.*: nested more than 100 levels deep"):
        decoder().props({"x": archive}, "u", "inputs")


@pytest.mark.parametrize("digits", [309, 400])
def test_integers_a_float_cannot_hold_are_refused_with_their_path(digits):
    assert decoder().props({"n": int(sys.float_info.max), "m": -(2**64)}, "u", "inputs")["m"] == -(2**64)
    with pytest.raises(StateError) as e:
        decoder().props({"x": [1, {"n": -int("9" * digits)}]}, "urn:pulumi:s::p::t::n", "inputs")
    assert e.value.message == (
        f"s.json: urn:pulumi:s::p::t::n.inputs.x[1].n: an integer of {digits} digits is out of range "
        "(Pulumi numbers are 64-bit floats, at most ~1.8e308)"
    )


def test_a_secret_plaintext_with_an_integer_too_long_to_parse_is_refused_without_its_value():
    secret = '{"pin": ' + "7" * 5000 + "}"
    with pytest.raises(StateError) as e:
        decoder().props({"pw": {SIG_KEY: SECRET_SIG, "plaintext": secret}}, "u", "inputs")
    assert e.value.message.startswith("s.json: u.inputs.pw (a secret's plaintext): pin: an integer of 5,000 digits")
    assert "7777" not in e.value.message


def test_an_error_names_a_long_urn_and_path_shortened():
    urn = "urn:pulumi:s::p::t::" + "n" * 1_000_000
    with pytest.raises(StateError) as e:
        decoder().props({"k" * 10_000: {SIG_KEY: "nope"}}, urn, "inputs")
    assert len(e.value.message) < 400 and e.value.message.endswith(": unrecognized signature object")
    assert "(1,000,020 characters)" in e.value.message and "(10,007 characters)" in e.value.message
