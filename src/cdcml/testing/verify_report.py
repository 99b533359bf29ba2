"""How a :class:`~cdcml.testing.verify.Verification` is shown: a text table per law with
the counterexamples, a JSON document, a JUnit file (one test case per law)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from cdcml.testing.kill_matrix import CLASSES, KillMatrix
from cdcml.testing.verify import Verification

__all__ = ["matrix_markdown", "verification_json", "verification_junit", "verification_text"]


def verification_text(v: Verification) -> str:
    """The table of laws (examples, failures, time), then each failure's counterexample."""
    rows = [("law", "examples", "failures", "time", "")]
    for r in v.results:
        rows.append((r.law, str(r.examples), str(r.failures), f"{r.seconds:.1f} s", "holds" if r.holds else "FAILS"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [f"cdcml verify {v.project}/{v.stack}  (seed {v.seed})", ""]
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    for r in v.results:
        for note in r.notes:
            lines.append(f"  {r.law}: {note}")
    for r in v.results:
        if r.counterexample:
            lines += ["", f"{r.law}: {'counterexample' if not r.holds else 'details'}"]
            lines += [f"  {line}" for line in r.counterexample.splitlines()]
    verdict = "every law holds" if v.holds else f"{sum(not r.holds for r in v.results)} law(s) fail"
    lines += ["", f"{verdict} — replay with --seed {v.seed}"]
    return "\n".join(lines) + "\n"


def verification_json(v: Verification) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "project": v.project,
        "stack": v.stack,
        "seed": v.seed,
        "holds": v.holds,
        "laws": [
            {
                "law": r.law,
                "holds": r.holds,
                "examples": r.examples,
                "failures": r.failures,
                "seconds": round(r.seconds, 3),
                "counterexample": r.counterexample,
                "notes": list(r.notes),
            }
            for r in v.results
        ],
    }
    if v.matrix is not None:
        doc["killMatrix"] = {
            "policies": list(v.matrix.policies),
            "kills": {p: dict(c) for p, c in v.matrix.kills.items()},
            "neverFires": list(v.matrix.never_fire),
            "caught": len(v.matrix.caught),
            "generated": v.matrix.generated,
            "unnoticed": [w.describe() for w in v.matrix.unnoticed],
        }
    return doc


def verification_junit(v: Verification) -> bytes:
    suite = ET.Element(
        "testsuite",
        name=f"cdcml verify {v.project}/{v.stack}",
        tests=str(len(v.results)),
        failures=str(sum(not r.holds for r in v.results)),
        time=f"{sum(r.seconds for r in v.results):.3f}",
    )
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="seed", value=str(v.seed))
    for r in v.results:
        case = ET.SubElement(suite, "testcase", classname=f"{v.project}.{v.stack}", name=r.law, time=f"{r.seconds:.3f}")
        if not r.holds:
            failure = ET.SubElement(case, "failure", message=f"{r.law} fails ({r.failures})")
            failure.text = r.counterexample or ""
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def matrix_markdown(m: KillMatrix) -> str:
    """The kill matrix as a Markdown table: policy × mutation class, with totals."""
    lines = ["| policy | " + " | ".join(CLASSES) + " | total |", "|---|" + "---:|" * (len(CLASSES) + 1)]
    for p in m.policies:
        counts = m.kills.get(p, {})
        cells = [str(counts.get(c, 0) or "") for c in CLASSES]
        lines.append(f"| `{p}` | " + " | ".join(cells) + f" | {sum(counts.values()) or '**0**'} |")
    return "\n".join(lines) + "\n"


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
