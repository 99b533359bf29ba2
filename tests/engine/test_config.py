"""The CLI's pack-config pipeline: parse, reconcile, validate."""

from __future__ import annotations

import json

import pytest
from pulumi_policy import EnforcementLevel as SdkLevel
from pulumi_policy import PolicyConfigSchema, ResourceValidationPolicy

from cdcml.engine.config import PolicyConfig, load_pack_config_file, parse_pack_config, reconcile
from cdcml.engine.pack import pack_from_policies
from cdcml.errors import PackConfigError
from cdcml.model import EnforcementLevel


def policy(name, level=None, schema=None):
    return ResourceValidationPolicy(
        name=name, description=f"{name}.", validate=lambda a, r: None, enforcement_level=level, config_schema=schema
    )


@pytest.fixture
def pack():
    return pack_from_policies(
        "p",
        [
            policy(
                "a",
                SdkLevel.MANDATORY,
                PolicyConfigSchema(
                    {
                        "limit": {"type": "integer", "default": 5},
                        "names": {"type": "array", "items": {"type": "string"}},
                    },
                    required=["limit"],
                ),
            ),
            policy("b"),
            policy("c", SdkLevel.DISABLED),
        ],
        enforcement_level=EnforcementLevel.ADVISORY,
    )


def test_parse_levels_and_objects():
    parsed = parse_pack_config({"all": "mandatory", "a": {"enforcementLevel": "advisory", "limit": 3}, "b": {}})
    assert parsed == {
        "all": PolicyConfig(EnforcementLevel.MANDATORY),
        "a": PolicyConfig(EnforcementLevel.ADVISORY, {"limit": 3}),
    }


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"a": "strict"}, '"strict" is not a valid enforcement level'),
        ({"a": {"enforcementLevel": 1}}, "must be a string"),
        ({"a": 3}, "is not a valid value; must be a string or object"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_parse_errors_are_one_line(doc, message):
    with pytest.raises(PackConfigError) as err:
        parse_pack_config(doc)
    assert message in err.value.message


def test_a_file_with_invalid_json_names_line_and_column(tmp_path):
    f = tmp_path / "cfg.json"
    f.write_text('{"a": }')
    with pytest.raises(PackConfigError, match=r"invalid JSON at line 1 column 7"):
        load_pack_config_file(f)


def test_an_empty_file_is_an_empty_config(tmp_path):
    f = tmp_path / "cfg.json"
    f.write_text("  \n")
    assert load_pack_config_file(f) == {}


def test_defaults_then_levels_from_policies_and_pack(pack):
    cfg = reconcile(pack)
    assert cfg.level("a") is EnforcementLevel.MANDATORY
    assert cfg.level("b") is EnforcementLevel.ADVISORY, "a policy without a level takes the pack's"
    assert cfg.level("c") is EnforcementLevel.DISABLED
    assert cfg.properties("a") == {"limit": 5.0}, "defaults reach the policy as floats, like every number"
    assert cfg.properties("b") is None


def test_all_applies_first_then_each_policy(pack):
    cfg = reconcile(
        pack,
        {
            "all": PolicyConfig(EnforcementLevel.ADVISORY),
            "c": PolicyConfig(EnforcementLevel.MANDATORY),
            "a": PolicyConfig(None, {"names": ["x"]}),
        },
    )
    assert cfg.level("a") is EnforcementLevel.ADVISORY and cfg.level("c") is EnforcementLevel.MANDATORY
    assert cfg.properties("a") == {"limit": 5.0, "names": ["x"]}


def test_properties_are_a_fresh_copy_each_time(pack):
    cfg = reconcile(pack)
    cfg.properties("a")["limit"] = 99
    assert cfg.properties("a") == {"limit": 5.0}


def test_validation_errors_name_the_policy_and_property(pack):
    with pytest.raises(PackConfigError) as err:
        reconcile(pack, {"a": PolicyConfig(None, {"limit": "ten", "names": [1]})})
    msg = err.value.message
    assert msg.startswith("validating policy config: p 0.0.1  a: ")
    assert "limit: 'ten' is not of type 'integer'" in msg and "names.0: 1 is not of type 'string'" in msg


def test_the_example_file_format_round_trips(tmp_path, pack):
    f = tmp_path / "cfg.json"
    f.write_text(json.dumps({"all": "mandatory", "a": {"limit": 2}}))
    cfg = reconcile(pack, load_pack_config_file(f))
    assert cfg.level("b") is EnforcementLevel.MANDATORY and cfg.properties("a") == {"limit": 2.0}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"a": {"limit": "\xff"}}', "not UTF-8 text (invalid byte 0xff at line 1, column 18)"),
        (b'{"a": {"limit": ' + b"9" * 400 + b"}}", "a.limit: an integer of 400 digits is out of range"),
        (b'{"a": {"limit": ' + b"9" * 5000 + b"}}", "a.limit: an integer of 5,000 digits is out of range"),
        (b'{"a": {"names": ' + b"[" * 200 + b"]" * 200 + b"}}", "a.names[0][0]"),
        (b'{"a": {"names": ["\\udfff"]}}', "a.names[0]: the string has a lone surrogate"),
        (b"[" * 100_000, "nested more than 100 levels deep"),
    ],
)
def test_a_config_file_a_pack_cannot_receive_is_one_line_naming_the_place(tmp_path, data, problem):
    f = tmp_path / "cfg.json"
    f.write_bytes(data)
    with pytest.raises(PackConfigError) as err:
        load_pack_config_file(f)
    assert err.value.message.startswith(f"policy pack config {f}: ") and problem in err.value.message
    assert len(err.value.message) < 300


def test_a_config_file_must_be_a_regular_file(tmp_path):
    import os

    os.mkfifo(tmp_path / "cfg.json")
    with pytest.raises(PackConfigError) as err:
        load_pack_config_file(tmp_path / "cfg.json")
    assert err.value.message == f"policy pack config {tmp_path / 'cfg.json'}: a FIFO or pipe, not a regular file"


def test_long_values_are_echoed_shortened():
    for doc in ({"k" * 10_000: "x" * 10_000}, {"a": {"enforcementLevel": "x" * 10_000}}, {"a": ["y" * 10_000]}):
        with pytest.raises(PackConfigError) as err:
            parse_pack_config(doc)
        assert len(err.value.message) < 300 and "characters)" in err.value.message


def test_validation_errors_are_shortened_and_at_most_three_are_listed(pack):
    with pytest.raises(PackConfigError) as err:
        reconcile(pack, {"a": PolicyConfig(None, {"limit": "t" * 100_000, "names": [1, 2, 3, 4]})})
    msg = err.value.message
    assert "limit: 'ttt" in msg and "(100,027 characters)" in msg and msg.endswith("; and 2 more")
    assert len(msg) < 500


def test_an_unknown_policy_with_a_level_is_sent_and_ignored_in_either_form(pack):
    """The engine sends an entry for a name the pack has no policy for to the pack, which
    ignores it: the run goes on (the caller warns, :func:`unknown_policy_names`)."""
    from cdcml.engine.config import unknown_policy_names

    for doc in ({"nope": "mandatory"}, {"nope": {"enforcementLevel": "disabled", "x": 1}}):
        parsed = parse_pack_config(doc)
        cfg = reconcile(pack, parsed)
        assert [cfg.level(p) for p in "abc"] == [
            EnforcementLevel.MANDATORY,
            EnforcementLevel.ADVISORY,
            EnforcementLevel.DISABLED,
        ]
        assert unknown_policy_names(pack, parsed) == ["nope"]


def test_an_unknown_policy_with_properties_and_no_level_is_refused_naming_it(pack):
    """``Configure`` refuses an entry that ends with no level (``invalid enforcement level
    ""``); only a name the pack has no policy for, or ``all``, can end so. cdcml says which."""
    from cdcml.engine.config import config_problems

    refused = 'the Pulumi CLI refuses an entry with properties and no enforcementLevel (invalid enforcement level "")'
    with pytest.raises(PackConfigError) as err:
        reconcile(pack, parse_pack_config({"nope": {"x": 1}}), source="policy pack config f.json")
    assert err.value.message == f"policy pack config f.json: pack p has no policy 'nope'; {refused} for it"
    with pytest.raises(PackConfigError) as err:
        reconcile(pack, parse_pack_config({"all": {"x": 1}}))
    assert err.value.message == f"policy pack config: {refused} for 'all'"
    assert config_problems(pack, parse_pack_config({"all": {"x": 1}, "nope": {"y": 2}, "a": {"limit": "x"}})) == [
        ("a", "limit: 'x' is not of type 'integer'"),
        ("all", f"{refused} for 'all'"),
        ("nope", f"pack p has no policy 'nope'; {refused} for it"),
    ]


def test_an_initial_level_for_an_unknown_name_lets_file_properties_through():
    """The rule is on the merged config: the pack's ``initial_config`` gives the name a level,
    so the file's properties for it are sent (and ignored), as the engine does."""
    pack = pack_from_policies("p", [policy("a")], initial_config={"ghost": SdkLevel.MANDATORY})
    cfg = reconcile(pack, parse_pack_config({"ghost": {"x": 1}}))
    assert cfg.policies["ghost"] == PolicyConfig(EnforcementLevel.MANDATORY, {"x": 1.0})


def test_all_is_never_an_unknown_policy(pack):
    from cdcml.engine.config import unknown_policy_names

    assert unknown_policy_names(pack, parse_pack_config({"all": "advisory", "a": "mandatory", "zz": "advisory"})) == [
        "zz"
    ]
    cfg = reconcile(pack, parse_pack_config({"all": {"enforcementLevel": "disabled", "limit": 1}}))
    assert cfg.properties("a") == {"limit": 5.0}, "properties under all reach no policy"
    assert cfg.level("b") is EnforcementLevel.DISABLED


def test_initial_config_properties_are_applied_then_the_file(pack):
    """``initial_config`` sets properties over the schema defaults, the file over both; an
    initial entry with no level demotes the policy to advisory (the engine's level 0)."""
    initial = {"a": {"limit": 7, "names": ["i"]}, "c": {"enforcementLevel": SdkLevel.MANDATORY}}
    pack = pack_from_policies(
        "p",
        [
            policy(
                "a", SdkLevel.MANDATORY, PolicyConfigSchema({"limit": {"type": "integer", "default": 5}, "names": {}})
            ),
            policy("c", SdkLevel.DISABLED),
        ],
        initial_config=initial,
    )
    cfg = reconcile(pack)
    assert cfg.properties("a") == {"limit": 7.0, "names": ["i"]} and cfg.level("a") is EnforcementLevel.ADVISORY
    assert cfg.level("c") is EnforcementLevel.MANDATORY
    cfg = reconcile(pack, parse_pack_config({"a": {"limit": 9}}))
    assert cfg.properties("a") == {"limit": 9.0, "names": ["i"]}


def test_a_missing_required_property_is_refused_and_a_default_satisfies_it():
    schema = PolicyConfigSchema({"limit": {"type": "integer"}, "mode": {"type": "string", "default": "x"}}, ["limit"])
    pack = pack_from_policies("p", [policy("a", schema=schema)])
    with pytest.raises(PackConfigError) as err:
        reconcile(pack)
    assert err.value.message == "validating policy config: p 0.0.1  a: 'limit' is a required property"
    assert reconcile(pack, {"a": PolicyConfig(None, {"limit": 1})}).properties("a") == {"limit": 1.0, "mode": "x"}
    schema = PolicyConfigSchema({"limit": {"type": "integer", "default": 3}}, ["limit"])
    assert reconcile(pack_from_policies("p", [policy("a", schema=schema)])).properties("a") == {"limit": 3.0}


def test_an_invalid_schema_is_a_problem_of_its_policy_and_the_others_are_still_checked():
    from cdcml.engine.config import config_problems

    bad = PolicyConfigSchema({"n": {"type": "nonsense"}})
    good = PolicyConfigSchema({"m": {"type": "integer"}}, ["m"])
    pack = pack_from_policies("p", [policy("a", schema=bad), policy("b", schema=good)])
    problems = config_problems(pack, {"a": PolicyConfig(None, {"n": 1})})
    assert [p for p, _ in problems] == ["a", "b"]
    assert (
        problems[0][1].startswith("its config schema is invalid: ") and problems[1][1] == "'m' is a required property"
    )


def test_an_entry_that_ends_with_no_level_and_no_properties_is_dropped():
    assert parse_pack_config({"a": {}, "b": {"enforcementLevel": "advisory"}}) == {
        "b": PolicyConfig(EnforcementLevel.ADVISORY)
    }


def test_a_config_file_holding_null_is_an_empty_config(tmp_path, pack):
    f = tmp_path / "cfg.json"
    f.write_text("null")
    assert load_pack_config_file(f) == {}
    f.write_text('"all"')
    with pytest.raises(PackConfigError) as err:
        load_pack_config_file(f)
    assert err.value.message == f"policy pack config {f}: expected a JSON object of policy names"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"a": "strict"}, 'parsing enforcement level for "a": "strict" is not a valid enforcement level'),
        (
            {"a": {"enforcementLevel": "loud"}},
            'parsing enforcement level for "a": "loud" is not a valid enforcement level',
        ),
        (
            {"a": {"enforcementLevel": 1}},
            'parsing enforcement level for "a": 1 is not a valid enforcement level; must be a string',
        ),
        ({"a": 3}, 'parsing "a": 3 is not a valid value; must be a string or object'),
    ],
)
def test_parse_errors_say_what_the_cli_says_after_the_source(tmp_path, doc, message):
    from cdcml.engine.config import parse_pack_config_entries

    f = tmp_path / "cfg.json"
    f.write_text(json.dumps(doc))
    with pytest.raises(PackConfigError) as err:
        load_pack_config_file(f)
    assert err.value.message == f"policy pack config {f}: {message}"
    with pytest.raises(PackConfigError) as err:
        parse_pack_config(doc)
    assert err.value.message == f"policy pack config: {message}"
    assert parse_pack_config_entries(doc) == ({}, [("a", message.split(": ", 1)[1])])
    assert str(err.value) == err.value.message


def test_three_validation_errors_are_listed_without_a_tail():
    schema = PolicyConfigSchema({"x": {"type": "integer"}, "y": {"type": "integer"}, "z": {"type": "integer"}})
    pack = pack_from_policies("p", [policy("a", schema=schema)])
    with pytest.raises(PackConfigError) as err:
        reconcile(pack, {"a": PolicyConfig(None, {"x": "1", "y": "2", "z": "3"})})
    assert err.value.message == (
        "validating policy config: p 0.0.1  a: x: '1' is not of type 'integer'; "
        "a: y: '2' is not of type 'integer'; a: z: '3' is not of type 'integer'"
    )


def test_the_reconciled_config_names_its_pack_and_answers_for_unknown_policies(pack):
    cfg = reconcile(pack)
    assert cfg.pack == "p" and cfg.level("zz") is None and cfg.properties("zz") is None


def test_a_pack_in_its_own_process_reconciles_from_plain_data_as_from_the_protobuf():
    """A pack loaded in a worker sends :func:`analyzer_config` (plain data) instead of its
    ``GetAnalyzerInfo``; the config reconciled from either is the same, schema required
    lists, defaults, initial levels and properties included."""
    import dataclasses

    from cdcml.engine.config import analyzer_config, config_problems

    schema = PolicyConfigSchema({"limit": {"type": "integer", "default": 5}, "mode": {"type": "string"}}, ["mode"])
    sdk = pack_from_policies(
        "p",
        [policy("a", SdkLevel.MANDATORY, schema), policy("b"), policy("c", SdkLevel.REMEDIATE), policy("d")],
        enforcement_level=EnforcementLevel.DISABLED,
        initial_config={"a": {"mode": "x"}, "b": SdkLevel.MANDATORY, "c": {"enforcementLevel": SdkLevel.ADVISORY}},
    )
    plain = dataclasses.replace(sdk, analyzer_config=json.loads(json.dumps(analyzer_config(sdk))))
    file_config = parse_pack_config({"c": {"limit": 2}, "ghost": "advisory"})
    assert reconcile(plain, file_config) == reconcile(sdk, file_config)
    cfg = reconcile(plain, file_config)
    assert cfg.policies == {
        "a": PolicyConfig(EnforcementLevel.ADVISORY, {"limit": 5.0, "mode": "x"}),
        "b": PolicyConfig(EnforcementLevel.MANDATORY),
        "c": PolicyConfig(EnforcementLevel.ADVISORY, {"limit": 2.0}),
        "d": PolicyConfig(EnforcementLevel.DISABLED),
        "ghost": PolicyConfig(EnforcementLevel.ADVISORY),
    }
    missing = {"a": PolicyConfig(None, {"mode": 1})}
    assert (
        config_problems(plain, missing) == config_problems(sdk, missing) == [("a", "mode: 1 is not of type 'string'")]
    )


def test_parse_pack_config_entries_keeps_what_the_cli_accepts_and_lists_the_rest():
    from cdcml.engine.config import parse_pack_config_entries

    entries, problems = parse_pack_config_entries({"a": "mandatory", "b": {}, "c": "loud", "d": {"limit": 1}, "e": 3})
    assert entries == {"a": PolicyConfig(EnforcementLevel.MANDATORY), "d": PolicyConfig(None, {"limit": 1})}
    assert problems == [
        ("c", '"loud" is not a valid enforcement level'),
        ("e", "3 is not a valid value; must be a string or object"),
    ]
    with pytest.raises(PackConfigError) as err:
        parse_pack_config_entries([1])
    assert err.value.message == "policy pack config: expected a JSON object of policy names"


def test_a_config_path_that_is_a_directory_is_one_line(tmp_path):
    with pytest.raises(PackConfigError) as err:
        load_pack_config_file(tmp_path)
    assert err.value.message == f"policy pack config {tmp_path}: Is a directory"


def test_a_problem_s_path_is_cut_past_120_characters_and_its_message_past_160():
    schema = PolicyConfigSchema({"m": {"type": "object", "additionalProperties": {"type": "integer"}}, "n": {}})
    pack = pack_from_policies("p", [policy("a", schema=schema)])
    from cdcml.engine.config import config_problems

    def problem(props):
        ((_, text),) = config_problems(pack, {"a": PolicyConfig(None, props)})
        return text

    assert problem({"m": {"k" * 118: "x"}}) == f"m.{'k' * 118}: 'x' is not of type 'integer'"
    cut = problem({"m": {"k" * 119: "x"}})
    assert cut.startswith("m.kkk") and cut.endswith("(121 characters): 'x' is not of type 'integer'")
    assert problem({"m": {"k": "v" * 133}}) == f"m.k: '{'v' * 133}' is not of type 'integer'"  # 160 characters
    assert problem({"m": {"k": "v" * 134}}).endswith("(161 characters)")


def test_policy_infos_list_every_policy_in_pack_order_with_its_configured_level():
    """Each policy's metadata as reports show it; the level is the reconciled config's when a
    config is given for its pack, else the policy's own, else the pack's."""
    from pulumi_policy import PolicyComplianceFramework, Severity

    from cdcml.engine.config import policy_infos
    from cdcml.model import PolicyInfo
    from cdcml.model import Severity as CdcmlSeverity

    rich = ResourceValidationPolicy(
        name="r",
        description="R.",
        validate=lambda a, r: None,
        enforcement_level=SdkLevel.MANDATORY,
        severity=Severity.HIGH,
        framework=PolicyComplianceFramework(name="cis", version="2"),
        tags=["network"],
        remediation_steps="Fix it.",
        url="https://example.com/r",
    )
    first = pack_from_policies("one", [rich, policy("plain")], enforcement_level=EnforcementLevel.ADVISORY)
    from cdcml.policies import types
    from cdcml.policies.identity.identity_enable_keyvault_rbac import identity_enable_keyvault_rbac

    second = pack_from_policies(
        "two", [policy("other"), identity_enable_keyvault_rbac], enforcement_level=EnforcementLevel.DISABLED
    )
    configured = reconcile(first, parse_pack_config({"all": "remediate"}))
    infos = policy_infos([first, second], [configured])
    assert [(i.pack, i.name, i.level) for i in infos] == [
        ("one", "r", EnforcementLevel.REMEDIATE),
        ("one", "plain", EnforcementLevel.REMEDIATE),
        ("two", "other", EnforcementLevel.DISABLED),
        ("two", "identity-enable-keyvault-rbac", EnforcementLevel.ADVISORY),  # its own level
    ]
    assert infos[3].resource_types == (types.KEY_VAULT,)
    assert infos[0] == PolicyInfo(
        pack="one",
        pack_version="0.0.1",
        name="r",
        policy_type="resource",
        description="R.",
        level=EnforcementLevel.REMEDIATE,
        severity=CdcmlSeverity.HIGH,
        tags=("network",),
        remediation_steps="Fix it.",
        url="https://example.com/r",
        framework={"name": "cis", "version": "2"},
        resource_types=(),
    )
    assert infos[2].severity is CdcmlSeverity.UNSPECIFIED and infos[2].framework is None
    assert [i.level for i in policy_infos([first])] == [EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY]
