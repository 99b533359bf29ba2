"""The declarative form of "property must (not) be X" (``cdcml.policies.base``): what an
:class:`Expect` accepts, forbids and reports, in which order it reads, and what a
:class:`PropertyPolicy` does with a list of them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from cdcml.policies.base import (
    ITEMS,
    PRESENT,
    SET,
    TEXT,
    Expect,
    Has,
    PropertyPolicy,
    Settings,
    mcsb,
)
from cdcml.testing.harness import graph_from_spec, run_policy, run_stack_policy, unknown

TYPE = "azure-native:test:Thing"
OTHER = "azure-native:test:Other"


class Recording(Mapping[str, Any]):
    """Props that log the path of every value read from them."""

    def __init__(self, data: Mapping[str, Any], log: list[str], prefix: str = "") -> None:
        self._data, self._log, self._prefix = data, log, prefix

    def __getitem__(self, key: str) -> Any:
        value = self._data[key]
        self._log.append(self._prefix + key)
        return Recording(value, self._log, f"{self._prefix}{key}.") if isinstance(value, Mapping) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def reads(check: Expect, props: Mapping[str, Any], settings: Settings | None = None) -> tuple[Any, list[str]]:
    """(violation or "n/a", the leaf paths read, in order) of *check* on *props*."""
    log: list[str] = []
    recorded = Recording(props, log)
    s = settings or Settings({})
    result = check.violation(recorded, s) if check.applies(TYPE, recorded, s) else "n/a"
    leaves = [p for p in log if not any(q.startswith(p + ".") for q in log)]
    return result, leaves


# ---- values


def test_a_plain_check_says_what_the_value_is_and_must_be() -> None:
    check = Expect("tls", ("1.2", "1.3"), why="Older TLS is weak.", vocabulary=("1.0",))
    assert check.violation({"tls": "1.2"}) is None
    assert check.violation({"tls": "1.0"}) == 'tls is "1.0"; it must be one of "1.2", "1.3". Older TLS is weak.'
    assert check.violation({}) == (
        'tls is not set, and the service default is unsafe; it must be one of "1.2", "1.3". Older TLS is weak.'
    )
    assert Expect("tls", ("1.2",)).violation({"tls": None}) == (
        'tls is not set, and the service default is unsafe; it must be "1.2".'
    )
    assert Expect("tls", ("1.2",), missing="compliant").violation({}) is None


def test_a_value_outside_the_vocabulary_is_described_never_echoed() -> None:
    check = Expect("mode", ("Disabled",), vocabulary=("Enabled",))
    assert check.violation({"mode": "hunter2"}) == 'mode is a value outside the documented set; it must be "Disabled".'
    assert check.violation({"mode": "enabled"}) == 'mode is "enabled"; it must be "Disabled".'
    assert check.violation({"mode": 3}) == 'mode is 3; it must be "Disabled".'
    assert check.violation({"mode": ["Disabled"]}) == 'mode is a list; it must be "Disabled".'


def test_strings_compare_case_insensitively_trimmed_unless_trim_is_false() -> None:
    trimmed = Expect("a", ("Disabled",))
    exact = Expect("a", ("Disabled",), trim=False)
    for value in ("Disabled", "DISABLED", "disabled"):
        assert trimmed.violation({"a": value}) is None and exact.violation({"a": value}) is None
    assert trimmed.violation({"a": " disabled "}) is None
    assert exact.violation({"a": " disabled "}) is not None
    assert trimmed.violation({"a": "Disabledx"}) is not None


def test_booleans_also_match_their_strings_and_numbers_match_as_numbers() -> None:
    flag = Expect("f", (True,))
    assert flag.violation({"f": True}) is None and flag.violation({"f": " TRUE "}) is None
    assert flag.violation({"f": 1}) is not None and flag.violation({"f": "yes"}) is not None
    number = Expect("n", (3,))
    assert number.violation({"n": 3.0}) is None
    assert number.violation({"n": 4}) == "n is 4; it must be 3."
    assert number.violation({"n": "3"}) is not None and number.violation({"n": True}) is not None
    assert Expect("o", ({"k": 1},)).violation({"o": {"k": 1}}) is None


@pytest.mark.parametrize(
    ("kind", "matching", "not_matching"),
    [
        (SET, ["", 0, False, [], {}, "x"], [None]),
        (TEXT, ["x", " "], ["", 5, ["x"], None]),
        (ITEMS, [["x"], [None]], [[], "x", {"x": 1}, None]),
        (PRESENT, ["x", 0, False, ["x"], {"k": 1}], ["", [], {}, None]),
        ("Has", [["Listen", "manage"], ["MANAGE"], [5, "Send", "manage"]], [["Listen"], [" Manage"], "Manage", [5]]),
    ],
)
def test_a_kind_matches_a_kind_of_value(kind: Any, matching: list[Any], not_matching: list[Any]) -> None:
    if kind == "Has":
        kind = Has("Send", "Manage")
        assert repr(kind) == "Has('Send', 'Manage')"
        assert kind.test(["send"]) and not kind.test(None)
    allow = Expect("v", (kind,), message="{value}")
    forbid = Expect("v", forbidden=(kind,), message="{value}")
    for value in matching:
        assert allow.violation({"v": value}) is None, value
        assert forbid.violation({"v": value}) is not None, value
    for value in not_matching:
        assert allow.violation({"v": value}) is not None, value
        assert forbid.violation({"v": value}) is None, value
    assert repr(kind) in ("SET", "TEXT", "ITEMS", "PRESENT", "Has('Send', 'Manage')")


def test_an_unknown_value_is_present_for_a_presence_check_only() -> None:
    props = unknown_checking_proxy({"v": UNKNOWN_STRING_VALUE})
    assert Expect("v", (PRESENT,)).violation(props) is None
    assert Expect("v.deeper", (PRESENT,)).violation(props) is None
    with pytest.raises(UnknownValueError):
        Expect("v", (SET,), message="unset").violation(props)


def test_a_forbidden_value_fails_and_a_missing_one_never_does() -> None:
    check = Expect("sku", forbidden=("Basic", False), message="sku is {value}")
    assert check.violation({"sku": "basic"}) == "sku is a value outside the documented set"
    assert check.violation({"sku": "false"}) is not None
    assert check.violation({"sku": "Standard"}) is None
    assert check.violation({}) is None and check.violation({"sku": None}) is None


def test_at_least_fails_only_numbers_below_the_minimum() -> None:
    literal = Expect("days", at_least=3, message="days is {value}; at least {minimum}")
    assert literal.violation({"days": 2.5}) == "days is 2.5; at least 3"
    assert literal.violation({"days": 3}) is None
    for value in ("1", True, None, [1]):
        assert literal.violation({"days": value}) is None
    assert literal.violation({}) is None
    configured = Expect("days", at_least="minDays", message="{value} < {minimum}")
    settings = Settings({"minDays": 30}, {"minDays": 7})
    assert configured.violation({"days": 14}, settings) == "14 < 30"
    assert configured.violation({"days": 14}, Settings({}, {"minDays": 7})) is None
    assert configured.violation({"days": 6}, Settings({"minDays": "x"}, {"minDays": 7})) == "6 < 7"


def test_allowed_from_reads_a_configured_list_and_falls_back_to_its_default() -> None:
    check = Expect("kind", allowed_from="kinds", trim=False, message="kind is {value}")
    defaults = {"kinds": ["Sql"]}
    assert check.violation({"kind": "sql"}, Settings({}, defaults)) is None
    assert check.violation({"kind": "Ftp"}, Settings({"kinds": ["ftp"]}, defaults)) is None
    outside = "kind is a value outside the documented set"
    assert check.violation({"kind": "Sql"}, Settings({"kinds": ["Ftp"]}, defaults)) == outside
    echoed = Expect("kind", allowed_from="kinds", vocabulary=("Sql",), message="kind is {value}")
    assert echoed.violation({"kind": "sql"}, Settings({"kinds": ["Ftp"]}, defaults)) == 'kind is "sql"'
    assert check.violation({"kind": "Sql"}, Settings({"kinds": []}, defaults)) is None
    assert check.violation({}, Settings({}, defaults)) == "kind is not set"


def test_several_paths_are_each_checked_and_the_failing_ones_named() -> None:
    check = Expect(("a", "b"), (SET,), message="{paths} not set")
    assert check.violation({"a": 1, "b": ""}) is None
    assert check.violation({"a": 1}) == "b not set"
    assert check.violation({}) == "a and b not set"
    short = Expect(("a", "b"), at_least="min", message="{paths} too short")
    settings = Settings({"min": 5}, {"min": 1})
    assert short.violation({"a": 4, "b": 9}, settings) == "a too short"
    assert short.violation({"a": 4, "b": 9}, Settings({}, {"min": 1})) is None


# ---- when a check applies, and the order it reads in


def test_types_gates_when_and_unless_decide_whether_a_check_applies() -> None:
    check = Expect(
        "v",
        (True,),
        types=(TYPE,),
        only_if="strict",
        when=(("kind", ("A", "B")),),
        unless=(("off", (True,)),),
    )
    on = Settings({"strict": True})
    assert check.applies(TYPE, {"kind": "b"}, on)
    assert not check.applies(OTHER, {"kind": "A"}, on)
    assert not check.applies(TYPE, {"kind": "A"}, Settings({"strict": False}))
    assert not check.applies(TYPE, {"kind": "A"}, Settings({"strict": "yes"}))
    assert not check.applies(TYPE, {"kind": "C"}, on)
    assert not check.applies(TYPE, {"kind": "A", "off": "true"}, on)
    assert check.applies(TYPE, {"kind": "A", "off": False}, on)
    predicate = Expect("v", (True,), only_if=lambda props, config: props.get("k") == config.get("k"))
    assert predicate.applies(TYPE, {"k": 1}, Settings({"k": 1}))
    assert not predicate.applies(TYPE, {"k": 1}, Settings({"k": 2}))


def test_also_conditions_must_hold_once_the_value_passes() -> None:
    check = Expect("source", ("KeyVault",), also=(("key", (TEXT,)), ("uri", (TEXT,))), message="source {value}")
    assert check.violation({"source": "keyvault", "key": "k", "uri": "u"}) is None
    assert check.violation({"source": "keyvault", "key": "k"}) == 'source "keyvault"'
    assert check.violation({"source": "Storage", "key": "k", "uri": "u"}) == "source a value outside the documented set"


@pytest.mark.parametrize(
    ("props", "expected", "read"),
    [
        ({"gate": "A", "skip": False, "v": "bad", "x": "ok"}, "bad v", ["gate", "skip", "v"]),
        ({"gate": "B", "skip": False, "v": "bad", "x": "ok"}, "n/a", ["gate"]),
        ({"gate": "A", "skip": True, "v": "bad", "x": "ok"}, "n/a", ["gate", "skip"]),
        ({"gate": "A", "skip": False, "v": "good", "x": "ok"}, None, ["gate", "skip", "v", "x"]),
        ({"gate": "A", "skip": False, "v": "good", "x": "no"}, "bad v", ["gate", "skip", "v", "x"]),
    ],
)
def test_a_check_reads_when_unless_path_then_also_and_stops_as_soon_as_it_knows(
    props: dict[str, Any], expected: Any, read: list[str]
) -> None:
    check = Expect(
        "v",
        ("good",),
        when=(("gate", ("A",)),),
        unless=(("skip", (True,)),),
        also=(("x", ("ok",)),),
        message="bad v",
    )
    assert reads(check, props) == (expected, read)


def test_an_unknown_value_a_check_needs_reaches_the_caller() -> None:
    check = Expect("v", ("good",), when=(("gate", ("A",)),), also=(("x", ("ok",)),), message="bad")

    def run(props: Mapping[str, Any]) -> str | None:
        return check.violation(props) if check.applies(TYPE, props) else "n/a"

    for unknown_at in ("gate", "v", "x"):
        props = {"gate": "A", "v": "good", "x": "ok", unknown_at: UNKNOWN_STRING_VALUE}
        with pytest.raises(UnknownValueError):
            run(unknown_checking_proxy(props))
    # ... and one it doesn't need is never read
    known = unknown_checking_proxy({"gate": "B", "v": UNKNOWN_STRING_VALUE})
    assert not check.applies(TYPE, known)
    failed = unknown_checking_proxy({"gate": "A", "v": "bad", "x": UNKNOWN_STRING_VALUE})
    assert check.violation(failed) == "bad"


# ---- building checks


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, "say what the value must be"),
        ({"allowed": ("a",), "missing": "maybe"}, "missing must be 'violation' or 'compliant'"),
        ({"forbidden": ("a",)}, "this check needs a message"),
        ({"at_least": 1}, "this check needs a message"),
        ({"allowed": ("a",), "also": (("b", ("c",)),)}, "this check needs a message"),
        ({"allowed_from": "k"}, "this check needs a message"),
        ({"allowed": ("a",), "message": "{value} {minimum}"}, "the message can use only ['value'], not ['minimum']"),
        ({"at_least": 1, "message": "{paths}"}, "the message can use only ['minimum', 'value'], not ['paths']"),
        ({"allowed": ("a",), "message": "{"}, "the message is not a template (Single '{' encountered"),
    ],
)
def test_a_check_that_cant_say_what_it_checks_is_refused_when_built(kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=r"^Expect\('p'\): " + re.escape(error)):
        Expect("p", **kwargs)


def test_several_paths_need_their_paths_in_the_message_and_no_fix() -> None:
    with pytest.raises(ValueError, match="needs a message"):
        Expect(("a", "b"), (SET,))
    with pytest.raises(ValueError, match=r"can use only \['paths'\]"):
        Expect(("a", "b"), (SET,), message="{value}")
    with pytest.raises(ValueError, match="a fix needs a single path"):
        Expect(("a", "b"), (SET,), message="{paths}", fix=1)


# ---- PropertyPolicy


def policy(expects: list[Expect], **kwargs: Any) -> PropertyPolicy:
    return PropertyPolicy(
        name="test-enforce-thing",
        description="A thing must be configured safely.",
        resource_types=(TYPE,),
        expects=expects,
        rule="B-01",
        layer="platform",
        concern="network",
        severity=Severity.HIGH,
        enforcement_level=EnforcementLevel.MANDATORY,
        remediation_steps="Configure the thing safely, as the checks say.",
        url="https://learn.microsoft.com/azure/",
        framework=mcsb("NS-2"),
        **kwargs,
    )


CONFIG = {
    "strict": {"type": "boolean", "default": False, "description": "Check more."},
    "minDays": {"type": "number", "default": 7, "description": "Fewest days."},
}


def messages(p: PropertyPolicy, props: Mapping[str, Any], **kwargs: Any) -> list[tuple[str, str]]:
    found = run_policy(p, TYPE, props, **kwargs)
    return [(f.kind.value, f.message.split("\n", 1)[-1]) for f in found.findings]


def test_a_property_policy_reports_each_failing_check_in_order() -> None:
    p = policy(
        [
            Expect("b", (True,), message="b off"),
            Expect("a", (True,), message="a off"),
            Expect("days", at_least="minDays", message="{value} < {minimum}"),
            Expect("extra", (True,), only_if="strict", message="extra off"),
        ],
        config=CONFIG,
    )
    assert p.resource_types == (TYPE,)
    assert p.expects[0].path == "b"
    assert messages(p, {"a": True, "b": True, "days": 7}) == []
    assert messages(p, {"days": 3}) == [("violation", "b off"), ("violation", "a off"), ("violation", "3 < 7")]
    assert messages(p, {"a": True, "b": True, "days": 8}, config={"minDays": 9, "strict": True}) == [
        ("violation", "8 < 9"),
        ("violation", "extra off"),
    ]
    assert run_policy(p, OTHER, {}).findings == ()


def test_a_property_policy_hands_each_check_the_resource_type_props_and_config() -> None:
    p = policy(
        [
            Expect("a", (True,), types=(OTHER,), message="a off"),
            Expect("b", (True,), types=(TYPE,), when=(("kind", ("x",)),), message="b off"),
            Expect("c", allowed_from="kinds", message="c is {value}"),
        ],
        config={**CONFIG, "kinds": {"type": "array", "default": ["k"], "description": "Kinds."}},
    )
    assert messages(p, {"kind": "x", "c": "k"}) == [("violation", "b off")]
    assert messages(p, {"kind": "y", "c": "k"}) == []
    assert messages(p, {"kind": "y", "c": "k"}, config={"kinds": ["j"]}) == [
        ("violation", "c is a value outside the documented set")
    ]


def test_a_property_policy_gate_is_read_before_any_check() -> None:
    p = policy([Expect("a", (True,), message="a off")], only_if=lambda props, config: props.get("tag") == "on")
    assert messages(p, {"tag": "on"}) == [("violation", "a off")]
    assert messages(p, {"tag": "off"}) == []
    gated = policy([Expect("a", (True,), message="a off")], only_if="strict", config=CONFIG)
    assert messages(gated, {}) == []
    assert messages(gated, {}, config={"strict": True}) == [("violation", "a off")]
    found = run_policy(p, TYPE, {"tag": unknown(), "a": True}, preview=True)
    assert [f.kind.value for f in found.findings] == ["unknown"]


def test_a_property_policy_refuses_checks_that_read_config_it_doesnt_declare() -> None:
    with pytest.raises(ValueError, match=r"test-enforce-thing: .* \['maxDays', 'other'\]"):
        policy(
            [Expect("d", at_least="maxDays", message="{value}"), Expect("e", (True,), only_if="other")],
            config=CONFIG,
        )
    with pytest.raises(ValueError, match=r"\['kinds'\]"):
        policy([Expect("k", allowed_from="kinds", message="{value}")])
    with pytest.raises(ValueError, match=r"\['gate'\]"):
        policy([Expect("k", (True,))], only_if="gate", config=CONFIG)


def test_a_property_policy_remediates_only_failing_checks_with_a_fix() -> None:
    p = policy(
        [
            Expect("tls", ("1.2",), fix="1.2"),
            Expect("https", (True,), missing="compliant", fix=True),
            Expect("other", (True,)),
        ]
    )
    assert p.has_remediation()
    fixed = run_policy(p, TYPE, {"tls": "1.0", "https": True}, enforcement_level="remediate")
    assert [(r.changed, dict(r.properties)) for r in fixed.remediations] == [(("tls",), {"tls": "1.2", "https": True})]
    clean = run_policy(p, TYPE, {"tls": "1.2"}, enforcement_level="remediate")
    assert clean.remediations == ()
    assert run_policy(p, OTHER, {"tls": "1.0"}, enforcement_level="remediate").remediations == ()
    gated = policy([Expect("tls", ("1.2",), fix="1.2")], only_if="strict", config=CONFIG)
    assert run_policy(gated, TYPE, {"tls": "1.0"}, enforcement_level="remediate").remediations == ()
    conditional = policy(
        [
            Expect("a", (True,), types=(OTHER,), fix=True),
            Expect("b", (True,), types=(TYPE,), when=(("kind", ("x",)),), fix=True),
            Expect("days", at_least="minDays", only_if="strict", fix=30, message="{value}"),
        ],
        config=CONFIG,
    )
    remediated = run_policy(
        conditional,
        TYPE,
        {"kind": "x", "days": 8},
        config={"strict": True, "minDays": 9},
        enforcement_level="remediate",
    )
    assert [dict(r.properties) for r in remediated.remediations] == [{"kind": "x", "days": 30, "b": True}]
    untouched = run_policy(conditional, TYPE, {"kind": "y", "days": 8}, enforcement_level="remediate")
    assert untouched.remediations == ()
    assert not policy([Expect("tls", ("1.2",))]).has_remediation()


# ---- metadata on the policy object


def test_a_guardrail_carries_its_metadata_on_the_policy_object() -> None:
    config = {"limit": {"type": "number", "default": 3, "description": "A limit."}}
    p = policy([Expect("a", (True,))], config=config, required=["limit"])
    assert (p.name, p.description, p.rule, p.layer, p.concern) == (
        "test-enforce-thing",
        "A thing must be configured safely.",
        "B-01",
        "platform",
        "network",
    )
    assert p.tags == ["platform", "network"]
    assert p.severity is Severity.HIGH and p.enforcement_level is EnforcementLevel.MANDATORY
    assert p.remediation_steps == "Configure the thing safely, as the checks say."
    assert p.url == "https://learn.microsoft.com/azure/"
    framework = p.framework
    assert framework is not None
    assert (framework.name, framework.version, framework.reference, framework.specification) == (
        "MCSB",
        "v2",
        "NS-2",
        "https://learn.microsoft.com/security/benchmark/azure/overview",
    )
    schema = p.config_schema
    assert schema is not None and schema.properties == config and schema.required == ["limit"]
    assert policy([Expect("a", (True,))]).config_schema is None
    assert policy([Expect("a", (True,))], config=config).config_schema.required is None


def test_a_resource_guardrail_takes_its_types_from_its_validate_function() -> None:
    from cdcml.policies.base import GuardrailResourcePolicy
    from cdcml.policies.vocabulary import resource_types

    @resource_types(TYPE, OTHER)
    def validate(args: Any, report_violation: Any) -> None:
        report_violation("no")

    def remediate(args: Any) -> Any:
        return None

    p = GuardrailResourcePolicy(
        name="test-require-thing",
        description="A thing must exist in some form.",
        validate=validate,
        remediate=remediate,
        rule="C-01",
        layer="ml",
        concern="identity",
        severity=Severity.LOW,
        enforcement_level=EnforcementLevel.ADVISORY,
        remediation_steps="Make the thing exist in the form the policy asks for.",
        url="https://learn.microsoft.com/azure/",
        framework=mcsb("IM-1"),
    )
    assert p.resource_types == (OTHER, TYPE)
    assert p.has_remediation() and p.tags == ["ml", "identity"]
    everywhere = GuardrailResourcePolicy(
        name="test-require-anything",
        description="Anything must be checked by this policy.",
        validate=lambda args, report_violation: None,
        rule="F-05",
        layer="platform",
        concern="governance",
        severity=Severity.LOW,
        enforcement_level=EnforcementLevel.ADVISORY,
        remediation_steps="Nothing to do: this policy looks at every resource type.",
        url="https://learn.microsoft.com/azure/",
    )
    assert everywhere.resource_types == () and everywhere.framework is None
    assert p.framework is not None and p.framework.reference == "IM-1"
    assert p.config_schema is None


def test_a_stack_guardrail_carries_the_same_metadata() -> None:
    from cdcml.policies.base import GuardrailStackPolicy

    def validate(args: Any, report_violation: Any) -> None:
        report_violation("The things don't relate.", args.resources[0].urn)

    config = {"n": {"type": "number", "default": 1, "description": "N."}}
    p = GuardrailStackPolicy(
        name="crossresource-require-thing",
        description="Things must relate to each other.",
        validate=validate,
        rule="X-01",
        layer="eventing",
        concern="dataflow",
        severity=Severity.MEDIUM,
        enforcement_level=EnforcementLevel.MANDATORY,
        remediation_steps="Relate the things to each other as the policy asks.",
        url="https://learn.microsoft.com/azure/event-hubs/",
        framework=mcsb("AM-2"),
        resource_types=(TYPE, OTHER),
        config=config,
        required=["n"],
    )
    assert (p.name, p.description, p.rule, p.layer, p.concern) == (
        "crossresource-require-thing",
        "Things must relate to each other.",
        "X-01",
        "eventing",
        "dataflow",
    )
    assert p.resource_types == (OTHER, TYPE) and p.tags == ["eventing", "dataflow"]
    assert p.severity is Severity.MEDIUM and p.enforcement_level is EnforcementLevel.MANDATORY
    assert p.remediation_steps == "Relate the things to each other as the policy asks."
    assert p.url == "https://learn.microsoft.com/azure/event-hubs/"
    assert p.framework is not None and (p.framework.name, p.framework.reference) == ("MCSB", "AM-2")
    assert p.config_schema is not None and p.config_schema.properties == config
    assert p.config_schema.required == ["n"]
    graph = graph_from_spec({"thing": {"type": TYPE, "props": {}}})
    assert [f.message for f in run_stack_policy(p, graph).findings] == [
        "Things must relate to each other.\nThe things don't relate."
    ]


@pytest.mark.parametrize(
    ("layer", "concern", "error"),
    [
        ("lake", "network", r"^layer must be one of \('source', 'cdc'"),
        ("ml", "vibes", r"^concern must be one of \('cadence', 'network'"),
    ],
)
def test_a_guardrail_names_a_known_layer_and_concern(layer: str, concern: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        PropertyPolicy(
            name="test-enforce-thing",
            description="A thing must be configured safely.",
            resource_types=(TYPE,),
            expects=[Expect("a", (True,))],
            rule="B-01",
            layer=layer,
            concern=concern,
            severity=Severity.HIGH,
            enforcement_level=EnforcementLevel.MANDATORY,
            remediation_steps="Configure the thing safely, as the checks say.",
            url="https://learn.microsoft.com/azure/",
        )
