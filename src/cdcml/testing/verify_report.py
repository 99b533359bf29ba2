"""The kill matrix of a :class:`~cdcml.testing.verify.Verification` as a Markdown table
(``docs/kill-matrix.md``). The command's own output — the table of laws, the JSON document
and the JUnit file — is rendered by :mod:`cdcml.cli.verify`, with the report layer's
escaping of what comes from the input."""

from __future__ import annotations

from cdcml.testing.kill_matrix import CLASSES, KillMatrix

__all__ = ["matrix_markdown"]


def matrix_markdown(m: KillMatrix) -> str:
    """The kill matrix as a Markdown table: policy × mutation class, with totals."""
    lines = ["| policy | " + " | ".join(CLASSES) + " | total |", "|---|" + "---:|" * (len(CLASSES) + 1)]
    for p in m.policies:
        counts = m.kills.get(p, {})
        cells = [str(counts.get(c, 0) or "") for c in CLASSES]
        lines.append(f"| `{p}` | " + " | ".join(cells) + f" | {sum(counts.values()) or '**0**'} |")
    return "\n".join(lines) + "\n"
