"""cdcml.inputs: bounded, strict reading of untrusted input — sizes, non-regular files,
UTF-8, and JSON and YAML whose nesting, numbers, strings and aliases are checked."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
import yaml

from cdcml import inputs
from cdcml.errors import CdcmlError, StateError
from cdcml.inputs import (
    DEFAULT_MAX_INPUT_SIZE,
    LARGEST_NUMBER,
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    SafeLoader,
    decode_text,
    find_problem,
    format_size,
    input_limit,
    load_json,
    load_yaml,
    max_input_size,
    parse_size,
    read_file,
    read_stream,
    shorten,
    too_large,
    value_problem,
)

HINT = "(raise the limit with --max-input-size or CDCML_MAX_INPUT_SIZE)"


def message(call: object) -> str:
    assert callable(call)
    with pytest.raises(CdcmlError) as e:
        call()
    return e.value.message


def nested(depth: int, inner: object = 1) -> object:
    value = inner
    for _ in range(depth):
        value = {"a": value}
    return value


# --------------------------------------------------------------------------- sizes


def test_the_default_limit_is_a_gibibyte_and_a_block_changes_it_then_restores_it():
    assert DEFAULT_MAX_INPUT_SIZE == 1024**3 == max_input_size()
    with input_limit(10):
        assert max_input_size() == 10
        with input_limit(None):
            assert max_input_size() == DEFAULT_MAX_INPUT_SIZE
        assert max_input_size() == 10
    assert max_input_size() == DEFAULT_MAX_INPUT_SIZE
    with pytest.raises(RuntimeError), input_limit(5):
        raise RuntimeError
    assert max_input_size() == DEFAULT_MAX_INPUT_SIZE


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1073741824", 1024**3),
        ("0", 0),
        ("512M", 512 * 1024**2),
        ("512m", 512 * 1024**2),
        ("2G", 2 * 1024**3),
        ("2GiB", 2 * 1024**3),
        ("2gb", 2 * 1024**3),
        (" 64k ", 64 * 1024),
        ("1T", 1024**4),
        ("100B", 100),
        ("999999999999999999", 999999999999999999),
    ],
)
def test_sizes_are_bytes_with_binary_units(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "1.5G", "-1", "1 000", "1X", "1KK", "0x10", "9999999999999999999", "1e9"])
def test_anything_else_is_not_a_size(text):
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1536 * 1024, "1.5 MiB"),
        (1024**2, "1 MiB"),
        (1024**3, "1 GiB"),
        (3 * 1024**4, "3 TiB"),
        (1024**3 - 1, "1024 MiB"),
    ],
)
def test_sizes_are_shown_in_binary_units(size, text):
    assert format_size(size) == text


def test_too_large_names_the_input_and_the_flag_only_for_the_input_limit():
    assert too_large("f.json", StateError).message == f"f.json: larger than 1 GiB, the input size limit {HINT}"
    assert too_large("pw", StateError, 64).message == "pw: larger than 64 bytes, the limit for this input"
    assert isinstance(too_large("x", StateError), StateError)


def test_shorten_keeps_short_values_and_cuts_long_ones_keeping_both_ends():
    assert shorten("x" * 80) == "x" * 80
    long = "a" * 60 + "MIDDLE" + "z" * 1_000_000
    cut = shorten(long)
    assert len(cut) <= 80 and cut.startswith("aaaa") and cut.endswith("z (1,000,066 characters)")
    assert "…" in cut and "MIDDLE" not in cut
    assert len(shorten("b" * 10_000, 200)) <= 200
    tail = shorten("urn:" + "x" * 500 + "::the-name", 120)
    assert tail.endswith("::the-name (514 characters)")


# --------------------------------------------------------------------------- streams


class Trickle(io.RawIOBase):
    """A stream that returns at most *step* bytes per read, forever or up to *total*."""

    def __init__(self, step: int, total: int | None = None) -> None:
        self.step, self.total, self.sent, self.asked = step, total, 0, []

    def read(self, size: int = -1, /) -> bytes:
        self.asked.append(size)
        n = min(self.step, size)
        if self.total is not None:
            n = min(n, self.total - self.sent)
        self.sent += n
        return b"x" * n


def test_a_stream_is_read_to_its_end_within_the_limit():
    assert read_stream(io.BytesIO(b"abc"), name="s", error=CdcmlError) == b"abc"
    assert read_stream(io.BytesIO(b""), name="s", error=CdcmlError) == b""
    assert read_stream(Trickle(3, total=10), name="s", error=CdcmlError, limit=10) == b"x" * 10


# Before the endless streams below: a count that doesn't add up fails here instead of hanging.
def test_a_stream_arriving_in_small_pieces_is_joined_and_bounded_by_its_total():
    assert read_stream(Trickle(5, total=10), name="s", error=CdcmlError, limit=10) == b"x" * 10
    pieces = Trickle(4, total=25)
    assert message(lambda: read_stream(pieces, name="<stdin>", error=CdcmlError, limit=10)) == (
        "<stdin>: larger than 10 bytes, the limit for this input"
    )
    assert pieces.sent == 11


def test_a_stream_over_the_limit_stops_one_byte_past_it():
    endless = Trickle(4096)
    assert message(lambda: read_stream(endless, name="<stdin>", error=CdcmlError, limit=10_000)) == (
        "<stdin>: larger than 9.8 KiB, the limit for this input"
    )
    assert endless.sent == 10_001
    with input_limit(100):
        assert message(lambda: read_stream(Trickle(7), name="<stdin>", error=CdcmlError)).endswith(
            f"larger than 100 bytes, the input size limit {HINT}"
        )


def test_reads_ask_for_the_first_size_then_a_mebibyte_never_past_the_limit_and_report_progress():
    stream, seen = Trickle(10**9, total=3 * 1024**2), []
    read_stream(stream, name="s", error=CdcmlError, limit=5 * 1024**2, first=10, progress=seen.append)
    assert stream.asked[:3] == [10, 1024**2, 1024**2]
    assert seen[:3] == [10, 10 + 1024**2, 10 + 2 * 1024**2]
    small = Trickle(10**9, total=50)
    with pytest.raises(CdcmlError):
        read_stream(small, name="s", error=CdcmlError, limit=20, first=1000)
    assert small.asked == [21]


# --------------------------------------------------------------------------- files


def test_a_regular_file_is_read_whole(tmp_path: Path):
    f = tmp_path / "f.json"
    f.write_bytes(b"{}" * 1000)
    assert read_file(f, name="f", error=CdcmlError) == b"{}" * 1000
    (tmp_path / "empty").write_bytes(b"")
    assert read_file(tmp_path / "empty", name="f", error=CdcmlError) == b""


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path, monkeypatch):
    f = tmp_path / "big.json"
    f.write_bytes(b"x" * 101)
    monkeypatch.setattr(inputs, "read_stream", lambda *a, **k: pytest.fail("read"))
    assert message(lambda: read_file(f, name="state file big.json", error=CdcmlError, limit=100)) == (
        "state file big.json: larger than 100 bytes, the limit for this input"
    )
    with input_limit(100):
        assert HINT in message(lambda: read_file(f, name="x", error=CdcmlError))


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path):
    f = tmp_path / "f"
    f.write_bytes(b"y" * 100)
    assert read_file(f, name="f", error=CdcmlError, limit=100) == b"y" * 100


def test_opening_errors_are_left_to_the_caller(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "none", name="f", error=CdcmlError)
    with pytest.raises(IsADirectoryError) as e:
        read_file(tmp_path, name="f", error=CdcmlError)
    assert e.value.filename == str(tmp_path)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert message(lambda: read_file(fifo, name="state file fifo", error=CdcmlError, hint="use - for stdin")) == (
        "state file fifo: a FIFO or pipe, not a regular file; use - for stdin"
    )
    assert message(lambda: read_file(fifo, name="f", error=CdcmlError)) == "f: a FIFO or pipe, not a regular file"


def test_a_device_and_a_link_to_one_are_refused(tmp_path: Path):
    link = tmp_path / "state.json"
    link.symlink_to("/dev/zero")
    for path in ("/dev/zero", link):
        assert message(lambda p=path: read_file(p, name="s", error=CdcmlError)) == (
            "s: a character device, not a regular file"
        )


def test_streams_may_be_allowed_and_are_then_bounded(tmp_path: Path):
    assert "larger than 1 KiB" in message(
        lambda: read_file("/dev/zero", name="pw", error=CdcmlError, limit=1024, streams=True)
    )
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # Nobody writes: end of file at once, not a hang.
    assert read_file(fifo, name="pw", error=CdcmlError, streams=True) == b""


def test_the_kind_of_a_non_regular_file_is_named():
    import stat

    assert inputs._kind(stat.S_IFSOCK) == "a socket"
    assert inputs._kind(stat.S_IFBLK) == "a block device"
    assert inputs._kind(stat.S_IFIFO) == "a FIFO or pipe"
    assert inputs._kind(stat.S_IFCHR) == "a character device"
    assert inputs._kind(0) == "not a regular file"


# --------------------------------------------------------------------------- text


def test_text_is_strict_utf8_and_a_bad_byte_is_placed():
    assert decode_text("héllo".encode(), name="f", error=CdcmlError) == "héllo"
    assert decode_text(b"\xef\xbb\xbfbom", name="f", error=CdcmlError, bom=True) == "bom"
    assert decode_text(b"\xef\xbb\xbfbom", name="f", error=CdcmlError) == "\ufeffbom"
    assert message(lambda: decode_text(b"ab\ncd\n\xffx", name="c.yaml", error=CdcmlError)) == (
        "c.yaml: not UTF-8 text (invalid byte 0xff at line 3, column 1)"
    )
    assert message(lambda: decode_text(b"\xc3(", name="f", error=CdcmlError)) == (
        "f: not UTF-8 text (invalid byte 0xc3 at line 1, column 1)"
    )
    template = "{name}: bad ({where})"
    assert message(lambda: decode_text(b"ok\nok \xed\xa0\x80", name="s", error=CdcmlError, template=template)) == (
        "s: bad (invalid byte 0xed at line 2, column 4)"
    )


# --------------------------------------------------------------------------- values


def test_numbers_a_float_holds_and_valid_strings_have_no_problem():
    for value in (0, -1, LARGEST_NUMBER, -LARGEST_NUMBER, 2**63, 1.5, float("inf"), True, None, "é", "😀", "", [1]):
        assert value_problem(value) is None
    assert int(sys.float_info.max) == LARGEST_NUMBER
    float(LARGEST_NUMBER)


def test_an_integer_past_a_float_and_a_lone_surrogate_are_problems():
    assert value_problem(LARGEST_NUMBER + 1) == (
        "an integer of 309 digits is out of range (Pulumi numbers are 64-bit floats, at most ~1.8e308)"
    )
    assert value_problem(-(10**399)) is not None and "of 400 digits" in str(value_problem(-(10**399)))
    assert value_problem("a\ud800") == "the string has a lone surrogate (\\ud800-\\udfff), which is not valid Unicode"
    assert value_problem("\udfff") is not None


def test_find_problem_names_the_first_problem_in_document_order():
    doc = {"a": [1, {"b": "ok", "c": 10**400}], "d": "\ud800"}
    assert find_problem(doc) == ("a[1].c", value_problem(10**400))
    assert find_problem({"x": "\ud800", "y": 10**400}) == ("x", value_problem("\ud800"))
    assert find_problem({"ok": [1, 2.5, "s", None, True]}) is None
    assert find_problem(10**400) == ("the document", value_problem(10**400))


def test_find_problem_paths_quote_keys_that_are_not_names():
    assert find_problem({"a.b": [{"x y": "\ud800"}]}) == ('["a.b"][0]["x y"]', value_problem("\ud800"))
    assert find_problem({"cdcml:tags": {"k-1": "\ud800"}})[0] == "cdcml:tags.k-1"
    assert find_problem({"\ud800": 1}) == ("the document", value_problem("\ud800").replace("the string", "a key"))
    assert find_problem({"a": {5: "\ud800"}})[0] == "a[5]"


def test_nesting_is_counted_by_containers_and_refused_past_the_limit():
    assert find_problem(nested(MAX_DEPTH)) is None
    path, problem = find_problem(nested(MAX_DEPTH + 1))
    assert problem == "nested more than 100 levels deep" and path.startswith("a.a.a")
    assert find_problem([[[1]]], max_depth=3) is None
    assert find_problem([[[[1]]]], max_depth=3) == ("[0][0][0]", "nested more than 3 levels deep")
    assert find_problem(nested(10_000), max_depth=None) is None  # no recursion: any depth is walked
    assert find_problem(((1,),), max_depth=1) == ("[0]", "nested more than 1 levels deep")


# --------------------------------------------------------------------------- JSON


def test_json_is_loaded_and_checked():
    assert load_json('{"a": [1, 2.5, "\\ud83d\\ude00"]}', name="f", error=CdcmlError) == {"a": [1, 2.5, "😀"]}
    assert load_json(b'{"a": 1}', name="f", error=CdcmlError) == {"a": 1}
    big = json.dumps({"x": {"y": 10**400}})
    assert message(lambda: load_json(big, name="c.json", error=CdcmlError)) == f"c.json: x.y: {value_problem(10**400)}"
    lone = '{"x": ["\\ud800"]}'
    assert message(lambda: load_json(lone, name="c.json", error=CdcmlError)) == (
        f"c.json: x[0]: {value_problem(chr(0xD800))}"
    )


def test_an_integer_too_long_to_convert_is_found_where_it_is():
    text = '{"a": [0, ' + "9" * 5000 + "]}"
    assert message(lambda: load_json(text, name="c.json", error=CdcmlError)) == (
        "c.json: a[1]: an integer of 5,000 digits is out of range (Pulumi numbers are 64-bit floats, at most ~1.8e308)"
    )
    negative = '{"a": -' + "9" * 5000 + "}"
    assert "of 5,000 digits" in message(lambda: load_json(negative, name="c", error=CdcmlError, walk=False))


def test_json_nesting_is_refused_at_the_limit_and_far_past_it():
    assert load_json(json.dumps(nested(MAX_DEPTH)), name="c", error=CdcmlError) == nested(MAX_DEPTH)
    assert message(lambda: load_json(json.dumps(nested(MAX_DEPTH + 1)), name="c", error=CdcmlError)).endswith(
        ": nested more than 100 levels deep"
    )
    assert message(lambda: load_json("[" * 100_000, name="c", error=CdcmlError)) == (
        "c: nested more than 100 levels deep"
    )
    assert message(lambda: load_json("[" * 100_000, name="c", error=CdcmlError, max_depth=None)) == (
        "c: JSON nested too deeply"
    )
    assert message(lambda: load_json("[" * 100_000 + "9" * 5000, name="c", error=CdcmlError)) == (
        "c: nested more than 100 levels deep"
    )


def test_json_syntax_errors_are_left_to_the_caller():
    with pytest.raises(json.JSONDecodeError):
        load_json("{not json", name="c", error=CdcmlError)
    with pytest.raises(json.JSONDecodeError):
        load_json('[1, "\\ud800", ' + "9" * 5000 + ", }", name="c", error=CdcmlError)


def test_a_document_too_large_to_walk_is_searched_for_long_integers_and_surrogates_only():
    deep = json.dumps(nested(MAX_DEPTH + 5, 10**400))
    assert load_json(deep, name="s", error=CdcmlError, max_depth=None, walk=False) == nested(MAX_DEPTH + 5, 10**400)
    assert message(lambda: load_json('{"a": "\\ud800"}', name="s", error=CdcmlError, walk=False)) == (
        f"s: a: {value_problem(chr(0xD800))}"
    )
    assert message(lambda: load_json(b'{"a": ["\\uDBFF"]}', name="s", error=CdcmlError, walk=False)).startswith(
        "s: a[0]: the string has a lone surrogate"
    )
    # An escaped pair is one character, and an escaped backslash before "ud800" is no escape at all.
    assert load_json('{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}', name="s", error=CdcmlError, walk=False) == {
        "a": "😀",
        "b": "\\ud800",
    }


# --------------------------------------------------------------------------- YAML

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_yaml_is_loaded_safely():
    assert load_yaml("name: p\nruntime: python\nn: 3\n", name="P", error=CdcmlError) == {
        "name": "p",
        "runtime": "python",
        "n": 3,
    }
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml("!!python/object/apply:os.system ['true']", name="P", error=CdcmlError)
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [\n", name="P", error=CdcmlError)
    assert load_yaml("", name="P", error=CdcmlError) is None


def test_a_billion_laughs_is_refused_while_it_is_composed():
    assert message(lambda: load_yaml(BOMB, name="Pulumi.yaml", error=CdcmlError)) == (
        "Pulumi.yaml line 6: aliases expand to more than 100,000 nodes"
    )


def test_anchors_reused_a_few_times_and_merge_keys_are_fine():
    text = "base: &b {x: 1, y: [1, 2]}\none: *b\ntwo:\n  <<: *b\n  z: 3\nthree: [*b, *b]\n"
    doc = load_yaml(text, name="P", error=CdcmlError)
    assert doc["two"] == {"x": 1, "y": [1, 2], "z": 3} and doc["three"] == [doc["base"]] * 2


def test_aliases_may_add_up_to_the_limit_of_nodes():
    # 'a' is a list of 999 scalars: 1,000 nodes; each alias to it adds 1,000.
    head = "a: &a [" + ", ".join(["1"] * 999) + "]\n"
    at_limit = head + "b: [" + ", ".join(["*a"] * (MAX_ALIAS_NODES // 1000)) + "]\n"
    assert len(load_yaml(at_limit, name="P", error=CdcmlError)["b"]) == 100
    past = head + "b: [" + ", ".join(["*a"] * (MAX_ALIAS_NODES // 1000 + 1)) + "]\n"
    assert message(lambda: load_yaml(past, name="P", error=CdcmlError)) == (
        "P line 2: aliases expand to more than 100,000 nodes"
    )


def test_aliases_inside_anchored_nodes_count_every_copy():
    text = "a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    loader = SafeLoader(text)
    try:
        loader.get_single_data()
        # *a adds 3 twice; each *b adds b's 7 nodes (itself, two copies of a).
        assert loader._added == 3 + 3 + 7 + 7
    finally:
        loader.dispose()


def test_an_alias_to_the_node_that_contains_it_is_refused():
    assert message(lambda: load_yaml("a: &a [1, *a]\n", name="w.yaml", error=CdcmlError)) == (
        "w.yaml line 1: alias *a refers to the node that contains it"
    )
    assert message(lambda: load_yaml("a: &a {b: {c: *a}}\n", name="w", error=CdcmlError)) == (
        "w line 1: alias *a refers to the node that contains it"
    )


def test_yaml_nesting_is_refused_at_the_limit_and_far_past_it():
    at = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert load_yaml(at, name="P", error=CdcmlError) is not None
    past = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert message(lambda: load_yaml(past, name="P", error=CdcmlError)) == "P line 1: nested more than 100 levels deep"
    block = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 1)) + "  " * (MAX_DEPTH + 1) + "v\n"
    assert message(lambda: load_yaml(block, name="P", error=CdcmlError)) == (
        f"P line {MAX_DEPTH + 1}: nested more than 100 levels deep"
    )


def test_yaml_integers_must_fit_a_float():
    assert load_yaml("a: 0x10\nb: 1_000\n", name="P", error=CdcmlError) == {"a": 16, "b": 1000}
    assert message(lambda: load_yaml("a: 1\nb: " + "9" * 5000 + "\n", name="Pulumi.dev.yaml", error=CdcmlError)) == (
        "Pulumi.dev.yaml line 2: an integer of 5,000 digits is out of range "
        "(Pulumi numbers are 64-bit floats, at most ~1.8e308)"
    )
    assert "of 400 digits" in message(lambda: load_yaml("b: -" + "9" * 400, name="P", error=CdcmlError))
    assert "out of range" in message(lambda: load_yaml("b: 0x" + "f" * 300, name="P", error=CdcmlError))
    assert message(lambda: load_yaml("b: " + str(LARGEST_NUMBER + 1), name="P", error=CdcmlError)).startswith(
        "P line 1: an integer of 309 digits"
    )
    assert load_yaml(f"b: {LARGEST_NUMBER}", name="P", error=CdcmlError) == {"b": LARGEST_NUMBER}


def test_yaml_strings_with_a_lone_surrogate_are_named_by_path():
    assert message(lambda: load_yaml('a:\n  b: ["\\ud800"]\n', name="w.yaml", error=CdcmlError)) == (
        f"w.yaml: a.b[0]: {value_problem(chr(0xD800))}"
    )


def test_a_loader_subclass_keeps_the_bounds():
    class NoTimestamps(SafeLoader):
        pass

    NoTimestamps.yaml_implicit_resolvers = {
        k: [(tag, r) for tag, r in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in SafeLoader.yaml_implicit_resolvers.items()
    }
    assert load_yaml("d: 2026-01-01\n", name="w", error=CdcmlError, loader=NoTimestamps) == {"d": "2026-01-01"}
    assert "aliases expand" in message(lambda: load_yaml(BOMB, name="w", error=CdcmlError, loader=NoTimestamps))


def test_a_low_surrogate_escape_is_found_too_in_a_document_too_large_to_walk():
    for escape in ("\\udc00", "\\uDFFF", "\\uD800"):
        text = f'["{escape}"]'
        assert "lone surrogate" in message(lambda t=text: load_json(t, name="s", error=CdcmlError, walk=False))


# --------------------------------------------------------------------------- gaps mutation testing showed


def test_sizes_at_each_unit_boundary():
    assert [format_size(n) for n in (1024**4, 1024**4 - 1, 1024**2 - 1)] == ["1 TiB", "1024 GiB", "1024 KiB"]


def test_shorten_keeps_the_first_two_thirds_and_the_last_third_of_what_it_keeps():
    value = "".join(chr(ord("a") + i % 26) for i in range(200))
    assert shorten(value) == value[:38] + "…" + value[-18:] + " (200 characters)"
    assert shorten(value, 30) == value[:8] + "…" + value[-4:] + " (200 characters)"
    assert shorten(value, 10) == value[:8] + "…" + value[-4:] + " (200 characters)"  # never less than 12 kept


def test_a_directory_is_the_error_open_gives_for_one(tmp_path: Path):
    import errno

    with pytest.raises(IsADirectoryError) as e:
        read_file(tmp_path, name="f", error=CdcmlError)
    assert (e.value.errno, e.value.strerror) == (errno.EISDIR, os.strerror(errno.EISDIR))


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_no_file_descriptor_is_left_open(tmp_path: Path):
    f = tmp_path / "f"
    f.write_bytes(b"x" * 10)
    os.mkfifo(tmp_path / "fifo")
    before = _open_fds()
    for _ in range(20):
        read_file(f, name="f", error=CdcmlError)
        read_file(tmp_path / "fifo", name="f", error=CdcmlError, streams=True)
        for call in (
            lambda: read_file(f, name="f", error=CdcmlError, limit=5),
            lambda: read_file(tmp_path / "fifo", name="f", error=CdcmlError),
            lambda: read_file(tmp_path, name="f", error=CdcmlError),
        ):
            with pytest.raises((CdcmlError, IsADirectoryError)):
                call()
    assert _open_fds() == before


def test_a_pipe_is_read_until_its_writer_closes_it(tmp_path: Path):
    """What ``PULUMI_CONFIG_PASSPHRASE_FILE=<(vault read …)`` hands over: a pipe whose
    writer may not have written yet."""
    import threading
    import time

    r, w = os.pipe()

    def writer() -> None:
        time.sleep(0.2)
        os.write(w, b"secret\n")
        os.close(w)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert read_file(f"/dev/fd/{r}", name="pw", error=CdcmlError, streams=True) == b"secret\n"
    finally:
        thread.join()
        os.close(r)


def test_a_bad_byte_after_a_leading_newline_is_placed():
    assert message(lambda: decode_text(b"\n\xff", name="f", error=CdcmlError)) == (
        "f: not UTF-8 text (invalid byte 0xff at line 2, column 1)"
    )


def test_long_paths_and_keys_are_shortened_in_each_kind_of_problem():
    key = "a key with spaces " * 5
    assert find_problem({key: "\ud800"})[0] == '["a key with…ces " (92 characters)]'
    k = "k" * 200
    for doc, full in (
        ({k: "\ud800"}, k),
        ({k: {"\ud800": 1}}, k),
        ({k: nested(MAX_DEPTH)}, k + ".a" * (MAX_DEPTH - 1)),
    ):
        assert find_problem(doc)[0] == shorten(full, 120)
    assert find_problem([1], max_depth=0) == ("the document", "nested more than 0 levels deep")


def test_a_document_too_large_to_walk_is_not_checked_for_depth_even_when_it_is_searched():
    deep = json.dumps(nested(MAX_DEPTH + 5, "\ud800"))
    assert message(lambda: load_json(deep, name="s", error=CdcmlError, walk=False)).endswith(
        "the string has a lone surrogate (\\ud800-\\udfff), which is not valid Unicode"
    )
    assert message(lambda: load_json("[[[[1]]]]", name="s", error=CdcmlError, max_depth=3)) == (
        "s: [0][0][0]: nested more than 3 levels deep"
    )


def test_depth_is_counted_again_after_each_sibling():
    past = {"a": {"b": [1], "c": nested(MAX_DEPTH - 1)}}  # the root, a, then 99: 101 levels
    assert "nested more than 100 levels deep" in message(
        lambda: load_yaml(json.dumps(past), name="P", error=CdcmlError)
    )
    siblings = "[" + ", ".join(["[1]"] * 300) + "]"
    assert len(load_yaml(siblings, name="P", error=CdcmlError)) == 300


def test_a_mapping_counts_its_keys_and_values():
    loader = SafeLoader("a: &a {x: 1, y: [2]}\nb: *a\n")
    try:
        loader.get_single_data()
        assert loader._added == 1 + 2 + (1 + 2)  # the mapping, x and 1, y and [2]
    finally:
        loader.dispose()


def test_a_long_chain_of_aliases_is_sized_without_deep_recursion():
    chain = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 600))
    assert message(lambda: load_yaml(chain, name="P", error=CdcmlError)) == (
        "P line 447: aliases expand to more than 100,000 nodes"
    )


def test_aliases_may_not_nest_deeper_than_the_text_does():
    chain = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 120))
    path, problem = message(lambda: load_yaml(chain, name="P", error=CdcmlError)).split(": ", 2)[1:]
    assert path.startswith("a99[0][0]") and problem == "nested more than 100 levels deep"


def test_a_long_anchor_name_is_shortened():
    name = "n" * 100
    assert message(lambda: load_yaml(f"a: &{name} [1, *{name}]\n", name="P", error=CdcmlError)) == (
        f"P line 1: alias *{'n' * 11}…{'n' * 5} (100 characters) refers to the node that contains it"
    )


def test_a_stream_over_the_limit_is_named():
    assert message(
        lambda: read_file("/dev/zero", name="passphrase file", error=CdcmlError, limit=1024, streams=True)
    ) == ("passphrase file: larger than 1 KiB, the limit for this input")


def test_a_bad_byte_is_placed_by_the_lines_before_it_not_after():
    assert message(lambda: decode_text(b"ab\nc\xffd\n\nmore\n", name="f", error=CdcmlError)) == (
        "f: not UTF-8 text (invalid byte 0xff at line 2, column 2)"
    )


def test_keys_of_punctuation_only_are_quoted_in_paths():
    assert find_problem({"-": "\ud800"})[0] == '["-"]'
    assert find_problem({":": {"a-b:c": "\ud800"}})[0] == '[":"].a-b:c'


def test_depth_is_restored_exactly_after_a_nested_sibling():
    # The root, a, [] at 3, then 99 more beside []: 101 levels, refused while composed.
    text = "- - []\n  - " + "[" * 99 + "]" * 99 + "\n"
    assert message(lambda: load_yaml(text, name="P", error=CdcmlError)) == "P line 2: nested more than 100 levels deep"


def test_aliases_count_what_a_mapping_key_expands_to():
    layers = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in (("a", "b"), ("b", "c"), ("c", "d"))
    )
    keyed = layers + "m: &m {? *d : 1}\nn: [" + ", ".join(["*m"] * 10) + "]\n"
    assert message(lambda: load_yaml(keyed, name="P", error=CdcmlError)) == (
        "P line 6: aliases expand to more than 100,000 nodes"
    )
