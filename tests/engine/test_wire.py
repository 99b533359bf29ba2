"""The engine's wire form and the marshaling it applies for analyzers."""

from __future__ import annotations

import pytest

from cdcml.engine.wire import marshal_for_analyzer, resource_ids
from cdcml.model import Resource
from cdcml.model.values import (
    ARCHIVE_SIG,
    OUTPUT_VALUE_SIG,
    REDACTED,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    redact,
    redact_text,
    reveal,
    secret,
    secret_values,
)
from cdcml.structs import from_struct, to_struct


def test_internal_keys_are_dropped_at_every_level():
    props = {"__a": 1, "b": {"__c": 2, "d": [{"__e": 3, "f": 4}]}}
    assert marshal_for_analyzer(props) == {"b": {"d": [{"f": 4}]}}


def test_secrets_and_unknowns_are_kept():
    props = {"s": secret({"__x": 1, "y": UNKNOWN}), "u": UNKNOWN}
    assert marshal_for_analyzer(props) == {"s": {SIG_KEY: SECRET_SIG, "value": {"y": UNKNOWN}}, "u": UNKNOWN}


def test_resource_references_become_ids_or_urns():
    ids = {"urn:a": "id-a", "urn:comp": "", "urn:unknown": None}
    ref = lambda urn, **kw: {SIG_KEY: RESOURCE_REF_SIG, "urn": urn, **kw}  # noqa: E731
    out = marshal_for_analyzer(
        {
            "a": ref("urn:a"),
            "c": ref("urn:comp"),
            "u": ref("urn:unknown"),
            "explicit": ref("urn:z", id="given"),
            "empty": ref("urn:z", id=""),
        },
        ids.get,
    )
    assert out == {"a": "id-a", "c": "urn:comp", "u": UNKNOWN, "explicit": "given", "empty": UNKNOWN}


def test_output_values_become_their_value_or_unknown():
    out = marshal_for_analyzer(
        {
            "known": {SIG_KEY: OUTPUT_VALUE_SIG, "value": 3},
            "secret": {SIG_KEY: OUTPUT_VALUE_SIG, "value": "x", "secret": True},
            "unknown": {SIG_KEY: OUTPUT_VALUE_SIG},
        }
    )
    assert out == {"known": 3, "secret": secret("x"), "unknown": UNKNOWN}


def test_archives_keep_their_signature():
    archive = {SIG_KEY: ARCHIVE_SIG, "assets": {}}
    assert marshal_for_analyzer({"a": archive}) == {"a": archive}


def test_numbers_become_floats_on_the_wire():
    assert from_struct(to_struct({"n": 32, "b": True, "l": [1, "x", None]})) == {
        "n": 32.0,
        "b": True,
        "l": [1.0, "x", None],
    }
    assert isinstance(from_struct(to_struct({"n": 32}))["n"], float)


def test_redact_hides_secrets_and_marks_unknowns():
    assert redact({"a": secret("pw"), "b": [UNKNOWN, 1]}) == {"a": REDACTED, "b": ["<unknown>", 1]}


def test_secret_values_finds_every_plaintext_inside_secrets():
    props = {"a": secret({"user": "u1", "pw": "p1"}), "b": "public", "c": [secret(42)], "d": secret(REDACTED)}
    assert sorted(secret_values(props)) == ["42", "p1", "u1"]
    assert reveal(secret("x")) == "x" and reveal("y") == "y"


def test_a_nan_property_is_a_clear_error_not_a_crash():
    import pytest
    from pulumi_policy import ResourceValidationPolicy

    from cdcml.engine.evaluate import evaluate
    from cdcml.engine.pack import pack_from_policies
    from cdcml.errors import CdcmlError
    from cdcml.model import Resource, ResourceGraph, freeze

    pack = pack_from_policies("p", [ResourceValidationPolicy(name="x", description="X.", validate=lambda a, r: None)])
    graph = ResourceGraph(
        project="p",
        stack="s",
        resources=(
            Resource(
                urn="urn:pulumi:s::p::t:m:T::a",
                type="t:m:T",
                name="a",
                custom=True,
                inputs=freeze({"ratio": float("nan")}),
            ),
        ),
    )
    with pytest.raises(CdcmlError, match=r"urn:pulumi:s::p::t:m:T::a has a NaN or infinite number"):
        evaluate(graph, [pack])


def test_redact_text_replaces_the_longest_secret_first():
    """A secret containing a shorter one is hidden whole, never left half-shown."""
    text = "token=abc-SUPERSECRET-xyz and SUPERSECRET"
    assert redact_text(text, ["SUPERSECRET", "abc-SUPERSECRET-xyz"]) == f"token={REDACTED} and {REDACTED}"
    assert redact_text("id ab", ["ab"]) == "id ab", "values under 3 characters are too common to redact"


def test_a_crashing_policy_does_not_leak_a_secret_in_its_error():
    """The crash message names the policy and exception with every secret replaced,
    including one that contains another secret of the same resource."""
    import pytest
    from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

    from cdcml.engine.evaluate import PolicyCrashError
    from cdcml.testing import run_policy
    from cdcml.testing import secret as secret_marker

    def leaky(args, report_violation):
        raise ValueError(f"bad password {args.props['password']} (short {args.props['pin']})")

    policy = ResourceValidationPolicy(
        name="leaky", description="Raises with a secret.", validate=leaky, enforcement_level=EnforcementLevel.MANDATORY
    )
    props = {"pin": secret_marker("4242"), "password": secret_marker("pin-4242-long")}
    with pytest.raises(PolicyCrashError) as err:
        run_policy(policy, "test:index:Thing", props)
    message = err.value.message
    assert "4242" not in message and "pin-" not in message
    assert f"bad password {REDACTED} (short {REDACTED})" in message


def test_resource_references_are_resolved_wherever_they_are_nested():
    """The engine downgrades a reference to its id inside secrets, output values, assets,
    objects and lists alike, not only at the top level."""
    ids = {"urn:a": "id-a"}
    ref = {SIG_KEY: RESOURCE_REF_SIG, "urn": "urn:a"}
    out = marshal_for_analyzer(
        {
            "secret": secret(ref),
            "output": {SIG_KEY: OUTPUT_VALUE_SIG, "value": ref},
            "archive": {SIG_KEY: ARCHIVE_SIG, "assets": {"f": ref}},
            "object": {"x": ref},
            "list": [ref, [ref]],
        },
        ids.get,
    )
    assert out == {
        "secret": {SIG_KEY: SECRET_SIG, "value": "id-a"},
        "output": "id-a",
        "archive": {SIG_KEY: ARCHIVE_SIG, "assets": {"f": "id-a"}},
        "object": {"x": "id-a"},
        "list": ["id-a", ["id-a"]],
    }


def test_resource_ids_resolve_custom_resources_components_and_unknown_ids():
    """A custom resource resolves to its id (``None`` while the id is unknown, which
    marshals as unknown); a component to ``""``, which marshals as its URN."""
    resources = [
        Resource("urn:custom", "t:m:C", "custom", True, id="id-1"),
        Resource("urn:pending", "t:m:C", "pending", True, id=UNKNOWN),
        Resource("urn:comp", "t:m:Comp", "comp", False, id="ignored"),
    ]
    ids = resource_ids(resources)
    assert ids == {"urn:custom": "id-1", "urn:pending": None, "urn:comp": ""}
    ref = lambda urn: {SIG_KEY: RESOURCE_REF_SIG, "urn": urn}  # noqa: E731
    out = marshal_for_analyzer({"c": ref("urn:custom"), "p": ref("urn:pending"), "k": ref("urn:comp")}, ids.get)
    assert out == {"c": "id-1", "p": UNKNOWN, "k": "urn:comp"}


def test_a_value_no_struct_can_carry_is_a_type_error_naming_its_type():
    with pytest.raises(TypeError, match=r"^value of type bytes can't be a resource property$"):
        to_struct({"blob": b"raw"})


def _nested(depth: int, inner: object = 1) -> object:
    value = inner
    for _ in range(depth):
        value = {"a": value}
    return value


def test_a_struct_refuses_nesting_past_the_limit_naming_the_path():
    from cdcml.structs import PropertyValueError, from_struct, to_struct

    assert from_struct(to_struct({"x": _nested(100)})) == {"x": _nested(100, 1.0)}
    with pytest.raises(PropertyValueError) as e:
        to_struct({"x": [_nested(100)]})
    assert e.value.message.startswith("property x[0].a.a") and e.value.message.endswith(
        ": nested more than 100 levels deep"
    )
    assert not isinstance(e.value, ValueError), "evaluate reads a ValueError as a NaN"


def test_a_struct_refuses_a_lone_surrogate_naming_the_path():
    from cdcml.structs import PropertyValueError, to_struct

    for props, path in (({"x": {"y": ["ok", "a\ud800"]}}, "x.y[1]: the string"), ({"x": {"\udc00": 1}}, "x: a key")):
        with pytest.raises(PropertyValueError) as e:
            to_struct(props)
        assert e.value.message.startswith(f"property {path} has a lone surrogate")


def test_a_struct_too_deep_to_read_is_named():
    from google.protobuf import struct_pb2

    from cdcml.structs import PropertyValueError, from_struct

    deep = struct_pb2.Struct()
    inner = deep
    for _ in range(400):
        inner = inner.get_or_create_struct("a")
    with pytest.raises(PropertyValueError, match="nested too deeply to be read"):
        from_struct(deep)
