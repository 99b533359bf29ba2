"""Text from the input, made safe to show on a terminal.

Resource names, URNs, types, policy names and messages, pack and stack names, paths, lock
owners and warnings come from programs, packs and state files cdcml does not trust. Shown
raw, an ESC sequence in a resource name could clear the line and print a fake ``PASS``,
move the cursor or retitle the terminal. :func:`printable` escapes every control
character — C0 and C1, DEL, the Unicode line and paragraph separators, the bidirectional
overrides and isolates ("Trojan source"), and lone surrogates (which can't even be
encoded) — as a visible Python-style escape (``\\x1b``, ``\\r``, ``\\u202e``); a newline
is kept only where the layout uses one (a policy's message). Everything is then shown as
plain text: the human report builds ``rich.text.Text`` objects, never markup.
"""

from __future__ import annotations

import re

__all__ = ["printable", "without_trailing_spaces"]

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_BUT_NEWLINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TRAILING = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$", re.MULTILINE)
_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    code = ord(c)
    return _NAMED.get(c) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, *, lines: bool = False) -> str:
    """*text* with every control character escaped; with *lines*, newlines and tabs are
    kept (the text is shown as a block of lines)."""
    return (_UNSAFE_BUT_NEWLINES if lines else _UNSAFE).sub(_escape, text)


def without_trailing_spaces(text: str) -> str:
    """*text* as rendered for a terminal or a pipe, without the spaces rich pads its lines
    with (before a line's closing style codes, when it has them)."""
    return _TRAILING.sub(lambda m: "".join(_STYLE.findall(m.group())), text)
