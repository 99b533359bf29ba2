"""Frames (length + JSON object) both ways, the status board, and the time limits read
from flags' variables."""

from __future__ import annotations

import contextlib
import math
import os
import struct
from collections.abc import Iterator

import pytest

from cdcml.errors import CdcmlError
from cdcml.workers import MAX_FRAME, Board, FrameError, Timeouts, parse_seconds, read_frame, write_frame
from cdcml.workers.frames import _HEADER


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_a_frame_arrives_as_it_was_sent(pipe: tuple[int, int]) -> None:
    r, w = pipe
    message = {"s": "\ud800 ünï", "n": [1, 2.5, -0.0, 10**30], "nan": float("nan"), "none": None}
    write_frame(w, message)
    write_frame(w, {"second": True})
    got = read_frame(r)
    assert got is not None
    assert got["s"] == message["s"] and got["n"] == message["n"] and math.isnan(got["nan"]) and got["none"] is None
    assert read_frame(r) == {"second": True}


def test_a_large_frame_crosses_a_pipe_read_concurrently(pipe: tuple[int, int]) -> None:
    import threading

    r, w = pipe
    big = {"x": "y" * (3 << 20)}
    t = threading.Thread(target=write_frame, args=(w, big))
    t.start()
    assert read_frame(r) == big
    t.join()


def test_end_of_file_before_or_inside_a_frame_is_none(pipe: tuple[int, int]) -> None:
    r, w = pipe
    os.write(w, _HEADER.pack(10) + b'{"a"')
    os.close(w)
    assert read_frame(r) is None
    r2, w2 = os.pipe()
    os.close(w2)
    assert read_frame(r2) is None
    os.close(r2)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
)
def test_a_malformed_frame_is_refused(pipe: tuple[int, int], payload: bytes, problem: str) -> None:
    import threading

    r, w = pipe
    t = threading.Thread(target=os.write, args=(w, _HEADER.pack(len(payload)) + payload))
    t.start()
    with pytest.raises(FrameError, match=f"^a frame that is {problem}$"):
        read_frame(r)
    t.join()


def test_a_frame_over_the_limit_is_refused_before_it_is_read(pipe: tuple[int, int]) -> None:
    r, w = pipe
    os.write(w, _HEADER.pack(MAX_FRAME + 1))
    with pytest.raises(FrameError, match=f"a frame of {MAX_FRAME + 1} bytes"):
        read_frame(r)


def test_the_board_shows_the_call_under_way_and_counts_calls(tmp_path) -> None:
    f = tmp_path / "board"
    f.write_bytes(bytes(Board.SIZE))
    with open(f, "r+b") as fh:
        worker, reader = Board(fh.fileno()), Board(fh.fileno())
        assert reader.read() == (0, 0, 0, False)
        worker.begin(3, 7)
        assert reader.read() == (1, 3, 7, True)
        worker.end()
        assert reader.read() == (1, -1, -1, False)
        worker.begin(0, -1)
        assert reader.read() == (2, 0, -1, True)
        worker.close()
        reader.close()
    assert struct.calcsize("<QqqI") <= Board.SIZE


def test_the_defaults_are_generous_and_each_variable_overrides_its_own() -> None:
    assert Timeouts() == Timeouts(program=600.0, pack=120.0, policy=120.0)
    assert Timeouts.from_env({}) == Timeouts()
    env = {"CDCML_PROGRAM_TIMEOUT": "5", "CDCML_PACK_TIMEOUT": "2.5", "CDCML_POLICY_TIMEOUT": " ", "OTHER": "1"}
    assert Timeouts.from_env(env) == Timeouts(program=5.0, pack=2.5, policy=120.0)
    assert Timeouts.from_env({"CDCML_POLICY_TIMEOUT": "0.5"}).policy == 0.5


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "nan", "inf", "1e999", ""])
def test_a_limit_that_is_not_a_positive_number_of_seconds_is_one_named_error(raw: str) -> None:
    with pytest.raises(CdcmlError, match=r"^CDCML_PACK_TIMEOUT=.* is not a positive number of seconds$"):
        parse_seconds(raw, "CDCML_PACK_TIMEOUT")
    if raw.strip():
        with pytest.raises(CdcmlError, match="CDCML_PACK_TIMEOUT"):
            Timeouts.from_env({"CDCML_PACK_TIMEOUT": raw})


def test_a_long_bad_value_is_cut_in_the_message() -> None:
    with pytest.raises(CdcmlError) as e:
        parse_seconds("x" * 10_000, "--policy-timeout")
    assert len(e.value.message) < 120


def test_a_frame_on_the_wire_is_a_big_endian_length_and_compact_ascii_json(pipe: tuple[int, int]) -> None:
    r, w = pipe
    write_frame(w, {"a": [1, "é"], "b": None})
    body = b'{"a":[1,"\\u00e9"],"b":null}'
    assert os.read(r, 1024) == len(body).to_bytes(4, "big") + body


def test_a_frame_of_exactly_the_limit_crosses_and_one_byte_more_is_refused_by_both_sides(
    pipe: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cdcml.workers import frames

    r, w = pipe
    message = {"k": "v" * 20}
    size = len(b'{"k":"' + b"v" * 20 + b'"}')
    monkeypatch.setattr(frames, "MAX_FRAME", size)
    write_frame(w, message)
    assert read_frame(r) == message
    with pytest.raises(ValueError, match=rf"^a worker message of {size + 1} bytes is over the {size}-byte limit$"):
        write_frame(w, {"k": "v" * 21})
    os.write(w, _HEADER.pack(size + 1) + b"x" * (size + 1))
    with pytest.raises(FrameError, match=f"^a frame of {size + 1} bytes$"):
        read_frame(r)


def test_a_short_write_is_continued_until_the_whole_frame_is_sent(
    pipe: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``os.write`` may write less than it is given (a signal, a socket); the rest follows."""
    r, w = pipe
    real_write = os.write
    calls = []

    def short_write(fd: int, data: bytes) -> int:
        calls.append(len(data))
        return real_write(fd, bytes(data[:5]))

    monkeypatch.setattr(os, "write", short_write)
    write_frame(w, {"message": "x" * 30})
    monkeypatch.undo()
    os.close(w)  # a frame cut short reads as end of file, not a wait
    assert read_frame(r) == {"message": "x" * 30}
    assert len(calls) > 1


def test_closing_the_board_while_its_mapping_is_in_use_does_not_raise(tmp_path) -> None:
    """A watch thread may be reading the board as the worker closes: close is best effort."""
    f = tmp_path / "board"
    f.write_bytes(bytes(Board.SIZE))
    with open(f, "r+b") as fh:
        board = Board(fh.fileno())
        view = memoryview(board._map)
        board.close()
        view.release()
        board.close()


def test_an_attachment_arrives_after_its_frame_as_bytes(pipe: tuple[int, int]) -> None:
    r, w = pipe
    write_frame(w, {"op": "stage"}, b'{"raw":"\xc3\xbc"}')
    write_frame(w, {"next": 1})
    assert read_frame(r, attachments=True) == {"op": "stage", "attachment": b'{"raw":"\xc3\xbc"}'}
    assert read_frame(r, attachments=True) == {"next": 1}


def test_a_frame_announcing_an_attachment_is_malformed_where_none_is_accepted(pipe: tuple[int, int]) -> None:
    """cdcml reads its workers' replies without attachments: a worker can't send bytes past the JSON checks."""
    r, w = pipe
    write_frame(w, {"ok": True}, b"bytes")
    with pytest.raises(FrameError, match="attachment"):
        read_frame(r)


def test_an_attachment_shorter_than_announced_is_malformed(pipe: tuple[int, int]) -> None:
    r, w = pipe
    data = b'{"attachment":9}'
    os.write(w, _HEADER.pack(len(data)) + data + _HEADER.pack(3) + b"abc")
    with pytest.raises(FrameError, match="announced as 9"):
        read_frame(r, attachments=True)
