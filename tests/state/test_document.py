"""State documents: envelopes of every version, version-4 features, compression detected
from the bytes, and one-line errors for malformed documents."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from cdcml.errors import StateError
from cdcml.inputs import input_limit, load_json
from cdcml.state.decode import load_state, load_state_file
from cdcml.state.document import SUPPORTED_FEATURES, decompress, parse_json, read_document
from tests.fixtures.state.builders import PULUMI_STATE


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
    ("doc", "problem"),
    [
        ({"deployment": {}}, "'version' must be an integer"),
        ({"version": True, "deployment": {}}, "'version' must be an integer"),
        ({"version": 4, "features": "taint", "deployment": {}}, "'features' must be a list of strings"),
        ({"version": 4, "features": [1], "deployment": {}}, "'features' must be a list of strings"),
        (
            {"version": 4, "features": ["zz", "taint", "aa"], "deployment": {}},
            "the state needs feature(s) 'aa', 'zz', which cdcml does not support (supported: byteString, "
            "extensionParameterization, hooks, refreshBeforeUpdate, replaceWith, snippets-prototype, taint, views); "
            "it was written by a newer Pulumi",
        ),
        (
            {"version": 5, "deployment": {}},
            "deployment version 5 is newer than cdcml reads (1-4); "
            "upgrade cdcml or export with `pulumi stack export --version 3`",
        ),
        ({"version": 0, "deployment": {}}, "deployment version 0 is too old (cdcml reads 1-4)"),
        ({"version": 3, "deployment": []}, "'deployment' must be an object"),
        ({"version": 0, "checkpoint": {}}, "unsupported checkpoint version 0 (cdcml reads 0-4)"),
        ({"version": 3, "checkpoint": 1}, "'checkpoint' must be an object"),
        ({"version": 3, "checkpoint": {"stack": 1}}, "the checkpoint's 'stack' must be a string"),
        ({"version": 3, "checkpoint": {"config": [1]}}, "the checkpoint's 'config' must be an object"),
        ({"version": 3, "checkpoint": {"latest": []}}, "the checkpoint's 'latest' must be an object"),
        ({"version": 1, "deployment": {"resources": {}}}, "'resources' must be a list"),
        ({"version": 3}, "a 'version' but neither 'deployment' nor 'checkpoint': not a Pulumi state"),
        ({"hello": 1}, "not a Pulumi state (no 'deployment', 'checkpoint' or 'latest')"),
        ([1], "not a Pulumi state (expected a JSON object)"),
    ],
)
def test_envelope_errors_are_exact(doc, problem):
    with pytest.raises(StateError) as e:
        read_document(doc, "s.json")
    assert e.value.message == f"s.json: {problem}"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty, not a Pulumi state"),
        ("  \n", "the file is empty, not a Pulumi state"),
        (b'{"version": 3,', "not valid JSON (line 1, column 15: Expecting property name enclosed in double quotes)"),
        ("[" * 100_000, "JSON nested too deeply"),
        (b"\xff\xfe\x00", "not a state file (not UTF-8 text: invalid byte 0xff at line 1, column 1)"),
        (
            gzip.compress(b'{"a": 1}')[:-6],
            "corrupt gzip data (Compressed file ended before the end-of-stream marker was reached)",
        ),
        (b"\x28\xb5\x2f\xfd\x00\x00garbage", "corrupt zstd data (zstd decompressor error: Data corruption detected)"),
    ],
)  # fmt: skip
def test_bytes_that_are_not_a_json_document_are_exact(data, problem):
    with pytest.raises(StateError) as e:
        parse_json(data, "s.json")
    assert e.value.message == f"s.json: {problem}"


def test_a_byte_order_mark_and_compression_are_read_through():
    doc = b'\xef\xbb\xbf{"version": 3, "deployment": {}}'
    assert parse_json(doc, "s") == {"version": 3, "deployment": {}}
    assert parse_json(gzip.compress(doc), "s") == parse_json(zstandard.ZstdCompressor().compress(doc), "s")
    assert decompress(b"plain") == b"plain"


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        # Pulumi's CheckpointV1 has no 'target' field: the name comes from the URNs then.
        ({"target": "foo", "latest": {"resources": []}}, ("checkpoint", 0, "")),
        ({"stack": "o/p/s"}, ("checkpoint", 0, "o/p/s")),
        ({"version": 2, "checkpoint": {"stack": "s", "latest": {}}}, ("checkpoint", 2, "s")),
        ({"version": 4, "features": [], "deployment": {}}, ("export", 4, "")),
    ],
)
def test_envelopes_of_every_shape(doc, expected):
    state = read_document(doc)
    assert (state.kind, state.version, state.stack) == expected


def test_versions_1_and_2_are_migrated_as_pulumi_migrates_them():
    """``migrate.UpToResourceV3``: every input depends on all of the resource's dependencies
    (what a version-2 record says about property dependencies is not kept); version 1's
    ``defaults`` are dropped."""
    record = {"urn": "u", "defaults": {"a": 1}, "inputs": {"x": 1, "y": 2}, "dependencies": ["d"]}
    for version in (1, 2):
        doc = {"version": version, "deployment": {"resources": [{**record, "propertyDependencies": {"q": []}}, 5]}}
        state = read_document(doc)
        assert state.deployment is not None
        assert state.deployment["resources"] == [
            {
                "urn": "u",
                "inputs": {"x": 1, "y": 2},
                "dependencies": ["d"],
                "propertyDependencies": {"x": ["d"], "y": ["d"]},
            },
            5,
        ]
    assert read_document({"version": 3, "deployment": {"resources": [record]}}).deployment == {"resources": [record]}


def test_a_gzip_or_zstd_bomb_stops_at_the_input_size_limit():
    plain = b"{" + b" " * (4 * 1024 * 1024) + b"}"
    for data, how in (
        (gzip.compress(plain, compresslevel=9), "gunzipped"),
        (zstandard.ZstdCompressor(write_content_size=False).compress(plain), "zstd-decompressed"),
    ):
        assert len(data) < 100_000
        with input_limit(1024 * 1024), pytest.raises(StateError) as e:
            decompress(data, "s.json")
        assert e.value.message == (
            f"s.json ({how}): larger than 1 MiB, the input size limit "
            "(raise the limit with --max-input-size or CDCML_MAX_INPUT_SIZE)"
        )
        assert decompress(data, "s.json") == plain


def test_decompression_reads_what_it_read_before():
    doc = b'{"version": 3, "deployment": {}}'
    assert decompress(gzip.compress(doc) + gzip.compress(b" ")) == doc + b" "  # gzip members are concatenated
    two_frames = zstandard.ZstdCompressor().compress(doc) + zstandard.ZstdCompressor().compress(b"x")
    assert decompress(two_frames) == doc  # the first frame, as before
    big = bytes(range(256)) * 20_000
    assert decompress(zstandard.ZstdCompressor(write_content_size=False).compress(big)) == big


def test_invalid_utf8_is_placed_by_line_and_column():
    with pytest.raises(StateError) as e:
        parse_json(b'{\n  "a": "\xc3("\n}', "s.json")
    assert e.value.message == "s.json: not a state file (not UTF-8 text: invalid byte 0xc3 at line 2, column 9)"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '{"version": 3, "deployment": {"resources": [{"urn": "\\ud800"}]}}',
            "deployment.resources[0].urn: the string has a lone surrogate",
        ),
        ('{"version": 3, "deployment": {"x": {"\\udc00": 1}}}', "deployment.x: a key has a lone surrogate"),
        ('{"version": 3, "deployment": {"n": -' + "1" * 5000 + "}}", "deployment.n: an integer of 5,000 digits"),
        ('{"version": ' + "4" * 400 + ', "deployment": {}}', "version: an integer of 400 digits is out of range"),
    ],
)
def test_what_a_state_cannot_be_is_named_with_its_path(text, problem):
    with pytest.raises(StateError) as e:
        load_state(text.encode(), source="s.json")
    assert e.value.message.startswith(f"s.json: {problem}") and len(e.value.message) < 200


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


def _typed(value: object) -> object:
    """*value* with each scalar's type beside it (1 and 1.0 and True are different)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


@given(_JSON_VALUES, st.booleans())
def test_a_state_parses_to_what_the_json_module_gives_value_for_value_and_type_for_type(value, bom) -> None:
    """Invariant: the fast parser (orjson) never changes a value or its type: integers of
    any size stay integers, floats keep every bit, strings every character."""
    text = json.dumps({"v": value}, ensure_ascii=bool(bom))
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    assert _typed(parse_json(data, "s.json")) == _typed(json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"v": NaN}',
        '{"v": -Infinity}',
        '{"v": 1e400}',
        '{"v": -9223372036854775809}',
        '{"v": "\\ud800"}',
        '{"v": 123456789012345678901234567890}',
        '{"v": 1.7976931348623159e308}',
    ],
)
def test_what_orjson_refuses_or_reads_differently_is_parsed_as_the_json_module_parses_it(text: str) -> None:
    """The value, or the one-line error, of the json module's path (:func:`cdcml.inputs.load_json`)."""

    def outcome(parse: Callable[[], object]) -> object:
        try:
            return _typed(parse())
        except StateError as e:
            return e.message

    want = outcome(lambda: load_json(text, name="s.json", error=StateError, max_depth=None, walk=False))
    assert outcome(lambda: parse_json(text.encode(), "s.json")) == want


def test_a_syntax_error_is_worded_as_before() -> None:
    with pytest.raises(StateError, match=r"s\.json: not valid JSON \(line 2, column 1: Expecting value\)"):
        parse_json(b'{"a":\n}', "s.json")
