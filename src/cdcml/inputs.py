"""Bounded, strict reading of untrusted input: files, standard input, streams, JSON and YAML.

Everything cdcml reads from a user — state files, backend objects, stack and project
files, pack configs, waivers, baselines, passphrase files — comes through here, so that
no input can exhaust memory or time, and every bad one is a one-line error naming the
file, the place inside it and the problem:

* **size**: at most :func:`max_input_size` bytes (1 GiB unless raised with
  ``--max-input-size`` / ``CDCML_MAX_INPUT_SIZE``, see :func:`input_limit`), checked
  before reading when the size is known and while reading when it is not;
* **regular files only**: a FIFO, a device or a socket is refused before it is read (a
  FIFO is opened without waiting for a writer), except where a caller allows streams;
* **text**: strict UTF-8, an invalid byte named by line and column;
* **JSON and YAML**: nesting at most :data:`MAX_DEPTH` levels, integers a 64-bit float
  can hold (what Pulumi's engine and protobuf carry), no lone surrogates; YAML aliases may
  add at most :data:`MAX_ALIAS_NODES` nodes and may not refer to themselves (an alias
  bomb is refused while it is composed, before anything is expanded).

Syntax errors (``json.JSONDecodeError``, ``yaml.YAMLError``) and ``OSError`` from opening
a file propagate unchanged, so callers keep wording them as before; the problems found
here are raised as the caller's own :class:`~cdcml.errors.CdcmlError` class.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, Protocol

import yaml
from yaml.events import AliasEvent, CollectionStartEvent

from cdcml.errors import CdcmlError

__all__ = [
    "DEFAULT_MAX_INPUT_SIZE",
    "LARGEST_NUMBER",
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_ECHO",
    "ErrorFactory",
    "SafeLoader",
    "decode_text",
    "find_problem",
    "format_size",
    "input_limit",
    "load_json",
    "load_yaml",
    "max_input_size",
    "parse_size",
    "read_document_file",
    "read_file",
    "read_stream",
    "read_yaml_file",
    "shorten",
    "too_large",
    "value_problem",
]

DEFAULT_MAX_INPUT_SIZE = 1024**3
"""1 GiB: 2.5 to 5 times a 100,000-resource state export (200-400 MB of JSON), and about a
third of what the hostile-input suite lets a whole run use."""

MAX_DEPTH = 100
"""Containers nested in one another. Real property bags nest about ten levels; a Python
policy pack fails past about 200 (``MessageToDict`` recursion)."""

MAX_ALIAS_NODES = 100_000
"""Nodes that YAML aliases may add to one document, counting each alias as a copy of what
it names: anchors reused a few times add hundreds; a "billion laughs" adds billions."""

MAX_ECHO = 80
"""Characters of an input value an error message repeats (see :func:`shorten`)."""

_CHUNK = 1024 * 1024
LARGEST_NUMBER = int(sys.float_info.max)
"""The largest integer a 64-bit float holds: Pulumi's engine and protobuf carry numbers as floats."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LIMIT_HINT = "raise the limit with --max-input-size or CDCML_MAX_INPUT_SIZE"

_max_size: int | None = None


class ErrorFactory(Protocol):
    def __call__(self, message: str, /) -> CdcmlError: ...


# --------------------------------------------------------------------------- the size limit


def max_input_size() -> int:
    """The most bytes one input may have (after decompression), in bytes."""
    return _max_size if _max_size is not None else DEFAULT_MAX_INPUT_SIZE


@contextlib.contextmanager
def input_limit(max_size: int | None) -> Iterator[None]:
    """Within the block, inputs may have up to *max_size* bytes (``None``: the default).
    Process-wide (backend reads run on worker threads), restored afterwards."""
    global _max_size
    previous = _max_size
    _max_size = max_size
    try:
        yield
    finally:
        _max_size = previous


_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str) -> int:
    """Bytes of ``"1073741824"``, ``"512M"``, ``"2GiB"``, ``"64k"`` (binary units);
    ``ValueError`` for anything else."""
    s = text.strip().upper().removesuffix("IB").removesuffix("B")
    number = s.rstrip("KMGT")
    unit = s[len(number) :]
    if not number.isdigit() or len(number) > 18 or unit not in _UNITS:
        raise ValueError(f"{shorten(text)!r} is not a size (a number of bytes, or with K, M, G or T)")
    return int(number) * _UNITS[unit]


def format_size(size: int) -> str:
    """``"1 GiB"``, ``"1.5 MiB"``, ``"700 bytes"``."""
    for unit, factor in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def too_large(name: str, error: ErrorFactory, limit: int | None = None) -> CdcmlError:
    """The error for an input over *limit* (``None``: the input size limit, which a flag raises)."""
    if limit is None:
        return error(f"{name}: larger than {format_size(max_input_size())}, the input size limit ({_LIMIT_HINT})")
    return error(f"{name}: larger than {format_size(limit)}, the limit for this input")


def shorten(value: str, limit: int = MAX_ECHO) -> str:
    """*value* as an error message may repeat it: whole when short, else its beginning and
    end and how long it was (a 1 MB URN must not become a 1 MB error line)."""
    if len(value) <= limit:
        return value
    keep = max(limit - 24, 12)
    return f"{value[: keep - keep // 3]}…{value[len(value) - keep // 3 :]} ({len(value):,} characters)"


# --------------------------------------------------------------------------- bytes


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def read_stream(
    stream: _Readable,
    *,
    name: str,
    error: ErrorFactory,
    limit: int | None = None,
    first: int = _CHUNK,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Everything *stream* has, refusing more than the limit (*limit*, else
    :func:`max_input_size`) without holding more than the limit plus one chunk.
    *progress* is told the bytes read so far after each chunk."""
    most = limit if limit is not None else max_input_size()
    chunks: list[bytes] = []
    total = 0
    want = first
    while True:
        chunk = stream.read(min(want, most + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > most:
            chunks.clear()
            raise too_large(name, error, limit)
        if progress is not None:
            progress(total)
        want = _CHUNK
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_KINDS = (
    (stat.S_ISFIFO, "a FIFO or pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def read_file(
    path: str | os.PathLike[str],
    *,
    name: str,
    error: ErrorFactory,
    limit: int | None = None,
    streams: bool = False,
    hint: str = "",
) -> bytes:
    """The bytes of the regular file at *path* (symbolic links followed), refusing a file
    over the limit before reading it. A FIFO, device or socket is refused (*hint* says what
    to do instead) unless *streams*, then read up to the limit. The file is opened without
    blocking, so a FIFO nobody writes to can't hang the run. ``OSError`` from opening
    (missing, a directory, no permission) propagates."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb", buffering=0, closefd=True) as f:
        most = limit if limit is not None else max_input_size()
        if stat.S_ISREG(st.st_mode):
            if st.st_size > most:
                raise too_large(name, error, limit)
            first = st.st_size + 1
        elif streams:
            os.set_blocking(fd, True)
            first = _CHUNK
        else:
            raise error(f"{name}: {_kind(st.st_mode)}, not a regular file{'; ' + hint if hint else ''}")
        return read_stream(f, name=name, error=error, limit=limit, first=first)


_NOT_UTF8 = "{name}: not UTF-8 text ({where})"


def decode_text(data: bytes, *, name: str, error: ErrorFactory, bom: bool = False, template: str = _NOT_UTF8) -> str:
    """*data* as strict UTF-8 (*bom*: a leading byte-order mark is dropped); an invalid
    byte is named by line and column (``where`` in *template*)."""
    try:
        return data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - data.rfind(b"\n", 0, e.start)
        where = f"invalid byte 0x{data[e.start]:02x} at line {line}, column {column}"
        raise error(template.format(name=name, where=where)) from None


# --------------------------------------------------------------------------- values


class _LongInteger:
    """An integer literal too long to convert (Python refuses over 4,300 digits)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_int(text: str) -> int | _LongInteger:
    try:
        return int(text)
    except ValueError:
        return _LongInteger(len(text.lstrip("-")))


def _number_problem(digits: int) -> str:
    return f"an integer of {digits:,} digits is out of range (Pulumi numbers are 64-bit floats, at most ~1.8e308)"


def value_problem(value: Any) -> str | None:
    """What is wrong with a scalar of a document: an integer a float can't hold, a string
    with a lone surrogate; ``None`` when nothing is."""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "the string has a lone surrogate (\\ud800-\\udfff), which is not valid Unicode"
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -LARGEST_NUMBER <= value <= LARGEST_NUMBER:
            return _number_problem(len(str(abs(value))))
    elif isinstance(value, _LongInteger):
        return _number_problem(value.digits)
    return None


def _step(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    text = str(key)
    if text.isidentifier() or text.replace("-", "").replace(":", "").isalnum():
        return f"{path}.{text}" if path else text
    return f"{path}[{shorten(json.dumps(text), 40)}]"


def find_problem(doc: Any, max_depth: int | None = MAX_DEPTH) -> tuple[str, str] | None:
    """``(path, problem)`` of the first value of *doc* (in document order) that is nested
    too deeply, an integer out of range or a string with a lone surrogate (keys too);
    ``None`` when there is none. Iterative: any depth is walked without recursion."""
    todo: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while todo:
        value, path, depth = todo.pop()
        if isinstance(value, dict | list | tuple):
            depth += 1
            if max_depth is not None and depth > max_depth:
                return shorten(path or "the document", 120), f"nested more than {max_depth} levels deep"
            items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
            for key, child in reversed(items):
                key_problem = value_problem(key) if isinstance(value, dict) else None
                if key_problem is not None:
                    return shorten(path or "the document", 120), key_problem.replace("the string", "a key", 1)
                todo.append((child, _step(path, key), depth))
            continue
        problem = value_problem(value)
        if problem is not None:
            return shorten(path or "the document", 120), problem
    return None


def _raise_problem(name: str, found: tuple[str, str], error: ErrorFactory) -> NoReturn:
    path, problem = found
    raise error(f"{name}: {path}: {problem}")


def load_json(
    text: str | bytes, *, name: str, error: ErrorFactory, max_depth: int | None = MAX_DEPTH, walk: bool = True
) -> Any:
    """``json.loads`` of untrusted text, refusing what :func:`find_problem` finds (nesting
    past *max_depth* too). ``json.JSONDecodeError`` propagates: callers word syntax errors
    their own way.

    ``walk=False`` is for documents too large to walk (a state, whose property values are
    checked where they are decoded): only an integer too long to parse and an escaped lone
    surrogate (a fast search finds the escape first) are looked for."""
    try:
        try:
            doc = json.loads(text)
            suspect = walk or _SURROGATE_ESCAPE.search(text if isinstance(text, str) else text.decode()) is not None
        except json.JSONDecodeError:
            raise
        except ValueError:  # an integer too long to convert: parse again to find where it is
            doc, suspect = json.loads(text, parse_int=_parse_int), True
    except RecursionError:
        deeper = f"more than {max_depth} levels deep" if max_depth is not None else "too deeply"
        raise error(f"{name}: {'JSON ' if max_depth is None else ''}nested {deeper}") from None
    if suspect:
        found = find_problem(doc, max_depth if walk else None)
        if found is not None:
            _raise_problem(name, found, error)
    return doc


# --------------------------------------------------------------------------- YAML


class _Refused(Exception):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = mark.line + 1


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses, while composing (before anything is expanded),
    nesting past :data:`MAX_DEPTH`, aliases adding more than :data:`MAX_ALIAS_NODES`
    nodes and an alias to the node that contains it; and, while constructing, integers a
    float can't hold."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._added = 0
        self._open: list[Any] = []  # anchors of the collections being composed
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open:
                alias = shorten(str(event.anchor), 40)
                raise _Refused(f"alias *{alias} refers to the node that contains it", event.start_mark)
            node = super().compose_node(parent, index)
            self._added += self._size(node)
            if self._added > MAX_ALIAS_NODES:
                raise _Refused(f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes", event.start_mark)
            return node
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        self._open.append(event.anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.pop()
            self._depth -= 1

    def _size(self, node: Any) -> int:
        """Nodes in *node* with every alias inside it expanded, memoised: each node is
        walked once, and a chain of aliases (each naming the one before) recurses one level,
        not one per link."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return size

    def construct_yaml_int(self, node: Any) -> Any:
        try:
            value = super().construct_yaml_int(node)
        except ValueError:
            raise _Refused(_number_problem(sum(c.isdigit() for c in node.value)), node.start_mark) from None
        problem = value_problem(value)
        if problem is not None:
            raise _Refused(problem, node.start_mark)
        return value


SafeLoader.add_constructor("tag:yaml.org,2002:int", SafeLoader.construct_yaml_int)


def load_yaml(text: str, *, name: str, error: ErrorFactory, loader: type[SafeLoader] = SafeLoader) -> Any:
    """The single YAML document of *text*, read with *loader* (a :class:`SafeLoader`);
    a bound it breaks is ``error("<name> line N: <problem>")`` (or ``<name>: <path>:`` for
    what is found once it is read). ``yaml.YAMLError`` (syntax) propagates."""
    parser = loader(text)
    try:
        doc = parser.get_single_data()
    except _Refused as e:
        raise error(f"{name} line {e.line}: {e.problem}") from None
    finally:
        parser.dispose()
    # Aliases can nest what they name deeper than the text does: the expanded document is
    # walked (no more nodes than the cap allows) for depth too.
    found = find_problem(doc, MAX_DEPTH)
    if found is not None:
        _raise_problem(name, found, error)
    return doc


def read_yaml_file(path: str | os.PathLike[str], error: ErrorFactory) -> Any:
    """The single YAML document of the file at *path*, read like every input (a regular
    file within the size limit, strict UTF-8, aliases capped); every problem — unreadable,
    too large, not UTF-8, invalid YAML (with its line) — is one ``error(…)`` naming *path*."""
    name = str(path)
    try:
        data = read_file(path, name=name, error=error)
    except OSError as e:
        raise error(f"can't read {path}: {e.strerror}") from None
    try:
        return load_yaml(decode_text(data, name=name, error=error), name=name, error=error)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        raise error(f"{path}{where}: {problem}") from None


def read_document_file(path: Path, *, name: str, error: ErrorFactory, loader: type[SafeLoader] = SafeLoader) -> Any:
    """The JSON (``.json``) or YAML document of the file at *path*, read like every input;
    every problem — missing, unreadable, too large, not UTF-8, invalid (with its line) — is
    one ``error(…)`` led by *name* (e.g. ``waiver file PATH``)."""
    try:
        text = decode_text(read_file(path, name=name, error=error), name=name, error=error)
    except FileNotFoundError:
        raise error(f"{name} does not exist") from None
    except OSError as e:
        raise error(f"can't read {name}: {e.strerror or e}") from None
    try:
        if path.suffix == ".json":
            return load_json(text, name=name, error=error)
        return load_yaml(text, name=name, error=error, loader=loader)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else f" line {getattr(e, 'lineno', '?')}"
        raise error(f"{name}{where}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}") from None
