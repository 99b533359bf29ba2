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
