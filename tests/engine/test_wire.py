"""The engine's wire form and the marshaling it applies for analyzers."""

from __future__ import annotations

from cdcml.engine.wire import marshal_for_analyzer
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
