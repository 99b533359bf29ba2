"""The engine's wire form and the marshaling it applies for analyzers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdcml.engine.wire import as_received, marshal_for_analyzer, resource_ids
from cdcml.model import Resource, freeze
from cdcml.model.values import (
    ARCHIVE_SIG,
    OUTPUT_VALUE_SIG,
    REDACTED,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    UNKNOWN_NUMBER,
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


def test_a_reference_to_a_resource_marshals_as_the_engine_makes_it():
    """Pinned against the engine, not the other evaluator (the in-process and gRPC paths share
    :func:`resource_ids`): ``MakeCustomResourceReference`` makes an empty id *computed*, so a
    custom resource not yet created is seen as unknown, never as its URN; a component's
    reference has a null id, which ``MarshalPropertyValue`` (``KeepResources: false``) sends
    as the URN; a custom resource's known id is sent as it is."""
    resources = [
        Resource("urn:new", "t:m:C", "new", True),  # id "": not created yet
        Resource("urn:unknown", "t:m:C", "unknown", True, id=UNKNOWN),
        Resource("urn:known", "t:m:C", "known", True, id="/subscriptions/s/rg"),
        Resource("urn:comp", "t:m:Comp", "comp", False),
    ]
    ref = lambda urn: {SIG_KEY: RESOURCE_REF_SIG, "urn": urn}  # noqa: E731
    out = marshal_for_analyzer({r.name: ref(r.urn) for r in resources}, resource_ids(resources).get)
    assert out == {"new": UNKNOWN, "unknown": UNKNOWN, "known": "/subscriptions/s/rg", "comp": "urn:comp"}


def test_a_reference_s_own_id_wins_and_without_a_resolver_the_urn_is_sent():
    """A reference that carries ``id`` is marshaled from it, with no lookup: a string as
    it is, an empty, unknown or ``null`` id as unknown (the engine refuses a ``null`` id
    from a program; only a state file can hold one, and cdcml reads it as unknown). Without
    ``id`` and without a resolver the URN is sent (a resolver that doesn't know the URN
    makes it unknown); a reference with no ``urn`` at all marshals to ``""``."""
    ref = {SIG_KEY: RESOURCE_REF_SIG, "urn": "urn:a"}
    never = lambda urn: pytest.fail(f"looked up {urn}")  # noqa: E731
    assert marshal_for_analyzer({"x": {**ref, "id": "own"}}, never) == {"x": "own"}
    for rid in (None, "", UNKNOWN, UNKNOWN_NUMBER):
        assert marshal_for_analyzer({"x": {**ref, "id": rid}}, never) == {"x": UNKNOWN}
    assert marshal_for_analyzer({"x": ref}) == {"x": "urn:a"}
    assert marshal_for_analyzer({"x": ref}, {}.get) == {"x": UNKNOWN}, "an unresolved URN is unknown"
    assert marshal_for_analyzer({"x": {SIG_KEY: RESOURCE_REF_SIG}}) == {"x": ""}


def test_unknowns_and_secrets_inside_lists_are_kept_in_place():
    props = {"l": [UNKNOWN, 1, secret("s"), [UNKNOWN, {"__x": 1, "y": UNKNOWN}]]}
    assert marshal_for_analyzer(props) == {"l": [UNKNOWN, 1, secret("s"), [UNKNOWN, {"y": UNKNOWN}]]}


def test_graph_secrets_are_secret_property_values_and_secret_config_values():
    """The plaintexts redacted from messages: secret inputs and outputs (of the resources
    given, else of every resource) and the values of secret config keys, not the others."""
    from cdcml.model import ResourceGraph, freeze
    from cdcml.model.values import graph_secrets

    a = Resource(
        "urn:a", "t:m:T", "a", True, inputs=freeze({"pw": secret("in-a")}), outputs=freeze({"k": secret("out-a")})
    )
    b = Resource("urn:b", "t:m:T", "b", True, inputs=freeze({"pw": secret("in-b"), "plain": "open"}))
    graph = ResourceGraph(
        project="p",
        stack="s",
        resources=(a, b),
        config=freeze({"p:dbPassword": "cfg-secret", "p:region": "westeurope", "p:empty": ""}),
        config_secret_keys=("p:dbPassword", "p:empty", "p:absent"),
    )
    assert graph_secrets(graph) == {"in-a", "out-a", "in-b", "cfg-secret"}
    assert graph_secrets(graph, [b]) == {"in-b", "cfg-secret"}
    assert graph_secrets(graph, []) == {"cfg-secret"}


def test_a_secret_of_three_characters_is_redacted_and_a_containing_one_goes_whole():
    assert redact_text("pin 4x2 here", ["4x2"]) == f"pin {REDACTED} here"
    assert redact_text("pin 42 here", ["42"]) == "pin 42 here"
    # "xyz" sorts after "axyzb": only ordering by length hides the longer one whole.
    assert redact_text("k=axyzb", ["xyz", "axyzb"]) == f"k={REDACTED}"
    assert redact_text(f"k={REDACTED}", [REDACTED]) == f"k={REDACTED}"


def test_secret_values_are_found_inside_lists_inside_secrets():
    assert secret_values({"a": secret(["p1", {"x": "p2"}]), "b": ["open"]}) == ["p1", "p2"]


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


def _received_or_error(fn: Any, props: Any) -> str:
    """``repr`` of *fn(props)* (order, types and signs of zero show in it), or the error."""
    try:
        return "ok " + repr(fn(props))
    except Exception as e:  # noqa: BLE001 - the comparison is of whatever is raised
        return f"{type(e).__name__}: {e}"


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**53) - 2, max_value=2**53 + 2)
    | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(["\ud800", "a\udfffb", "é", "\x00", -0.0, 2**63, 10**400])
)
_keys = st.text(max_size=6) | st.sampled_from(["\udc80", "k", "__internal"]) | st.integers(0, 3)
_wire_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_keys, inner, max_size=12)
    ),
    max_leaves=25,
)


@settings(max_examples=500)
@given(st.dictionaries(_keys, _wire_values, max_size=12))
def test_as_received_is_the_struct_round_trip_with_its_key_order_and_errors(props: dict[Any, Any]) -> None:
    """``as_received(p)`` is ``from_struct(to_struct(p))``: the same values and types (numbers
    as floats), every dict's keys in the order the Struct map gives them, and the same error
    for what a Struct can't carry (NaN, infinity, lone surrogates, integers past a double)."""
    assert _received_or_error(as_received, props) == _received_or_error(lambda p: from_struct(to_struct(p)), props)


@pytest.mark.parametrize("depth", [1, 31, 32, 33, 60, 101, 150])
def test_as_received_agrees_with_the_struct_round_trip_at_any_depth(depth: int) -> None:
    """Past its own depth, and past the Struct's limit (an error), it is the Struct's answer."""
    value: Any = {"leaf": 1, "a": 2}
    for i in range(depth):
        value = {"k": value, "n": i} if i % 2 else [value, i]
    props = {"v": value}
    assert _received_or_error(as_received, props) == _received_or_error(lambda p: from_struct(to_struct(p)), props)


def test_as_received_takes_the_struct_road_for_types_it_does_not_know() -> None:
    """A frozen mapping, a str or int subclass, a set: the Struct decides (values or its error)."""
    from enum import IntEnum

    class Small(IntEnum):
        ONE = 1

    for props in (
        {"m": freeze({"b": 1, "a": [2]})},
        {"s": Small.ONE},
        {"x": {1, 2}},
        {"t": type("S", (str,), {})("v")},
    ):
        assert _received_or_error(as_received, props) == _received_or_error(lambda p: from_struct(to_struct(p)), props)


def _takes_struct_road(monkeypatch: pytest.MonkeyPatch, props: dict[str, Any]) -> bool:
    """Whether ``as_received(props)`` fell back to the Struct round trip (answers unchanged)."""
    import cdcml.engine.wire as wire

    calls: list[Any] = []

    def spy(value: Any) -> Any:
        calls.append(value)
        return to_struct(value)

    monkeypatch.setattr(wire, "to_struct", spy)
    expected = from_struct(to_struct(props))
    assert repr(as_received(props)) == repr(expected)
    return bool(calls)


def _alternating(depth: int) -> Any:
    value: Any = "leaf"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    "props",
    [
        {"s": "plain", "u": "é ünïcode", "b": True, "f": False, "n": None},
        {"f": 1.5, "neg": -2.25, "zero": 0.0, "negzero": -0.0, "i": 7, "ni": -7},
        {"edge": 2**53, "negedge": -(2**53)},
        {"list": [1, "a", None, [True]], "tuple": (1, 2)},
        {"one": {"é": 1}, "nested": {"a": {"b": {"c": [1, {"d": 2}]}}}},
        {"deep": _alternating(31)},
        {},
    ],
    ids=["scalars", "numbers", "exact-ints", "sequences", "dicts", "depth-31", "empty"],
)
def test_as_received_reads_plain_properties_without_building_a_struct(
    monkeypatch: pytest.MonkeyPatch, props: dict[str, Any]
) -> None:
    """The plain values properties are made of (ASCII and other encodable text, booleans,
    None, finite floats, integers a double holds exactly, lists, tuples and dicts up to its
    depth) never take the Struct road: the fast path is the one the evaluator runs."""
    assert not _takes_struct_road(monkeypatch, props)


@pytest.mark.parametrize(
    "props",
    [
        {"big": 2**53 + 1},
        {"small": -(2**53) - 1},
        {"nan": float("nan")},
        {"inf": float("-inf")},
        {"surrogate": "a\ud800"},
        {"\udc80": 1},
        {"deep": _alternating(40)},
        {"set": {1}},
    ],
    ids=["past-2^53", "below--2^53", "nan", "infinity", "lone-surrogate", "surrogate-key", "depth-40", "set"],
)
def test_as_received_leaves_what_a_double_or_utf8_cannot_carry_to_the_struct(
    monkeypatch: pytest.MonkeyPatch, props: dict[str, Any]
) -> None:
    """What the fast path can't answer exactly (integers past 2**53, non-finite floats, lone
    surrogates, deep nesting, unknown types) goes to the Struct, which answers or raises."""
    import cdcml.engine.wire as wire

    calls: list[Any] = []
    monkeypatch.setattr(wire, "to_struct", lambda value: calls.append(value) or to_struct(value))
    assert _received_or_error(as_received, props) == _received_or_error(lambda p: from_struct(to_struct(p)), props)
    assert calls


@pytest.mark.parametrize("kind", ["dict", "list"])
def test_as_received_answers_itself_to_its_depth_and_leaves_deeper_nesting_to_the_struct(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Properties nest up to ``_DEEP`` containers below the top level on the fast road
    (dicts and lists counted alike); one level more takes the Struct road with its limits."""
    from cdcml.engine.wire import _DEEP

    def nested(depth: int) -> dict[str, Any]:
        value: Any = "x"
        for _ in range(depth):
            value = {"k": value} if kind == "dict" else [value]
        return {"v": value}

    assert not _takes_struct_road(monkeypatch, nested(_DEEP))
    assert _takes_struct_road(monkeypatch, nested(_DEEP + 1))
