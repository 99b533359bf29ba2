"""`cdcml verify`: the laws of a Pulumi project and its packs, checked with Hypothesis.

The laws run in :mod:`cdcml.testing.verify`; this module parses the flags and renders the
result: a table per law with the counterexamples, a JSON document, a JUnit file (one test
case per law). Counterexamples quote policies' messages and configuration values as they
are, so the text goes through :func:`~cdcml.report.terminal.printable` and the JUnit tree
through the JUnit report's cleaning."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cdcml.cli.base import fail, main, print_warnings, progress_display
from cdcml.cli.options import answers_options, pack_options
from cdcml.errors import CdcmlError

if TYPE_CHECKING:
    from cdcml.testing.verify import Verification

LAW_NAMES = ("conforms", "sensitive", "robust", "discreet", "deterministic", "monotone", "well-typed")


def _laws(value: str | None) -> list[str]:
    if not value:
        return list(LAW_NAMES)
    laws = [v.strip() for v in value.split(",") if v.strip()]
    for law in laws:
        if law not in LAW_NAMES:
            raise click.BadParameter(f"unknown law {law!r} (laws: {', '.join(LAW_NAMES)})", param_hint="'--laws'")
    return laws


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--stack", "-s", default="dev", show_default=True, help="The stack whose configuration to centre on.")
@click.option(
    "--config", "-c", "config_pairs", multiple=True, metavar="KEY=VALUE", help="Override a value (repeatable)."
)
@pack_options
@click.option("--examples", type=click.IntRange(min=1), default=25, show_default=True, help="Examples per law.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Replay a run exactly (printed by every run).")
@click.option(
    "--laws", "laws_value", metavar="LAW[,LAW…]", help=f"The laws to check (default: all: {', '.join(LAW_NAMES)})."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of the table.")
@click.option(
    "--junit",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write a JUnit XML file (a test case per law).",
)
@answers_options
def verify(
    directory: Path,
    stack: str,
    config_pairs: Sequence[str],
    pack_dirs: Sequence[Path],
    config_files: Sequence[Path],
    examples: int,
    seed: int | None,
    laws_value: str | None,
    as_json: bool,
    junit: Path | None,
    invokes_file: Path | None,
    stack_references: Sequence[str],
) -> None:
    """Check the laws of a project's stack and its policy packs: conforms, sensitive (the
    kill matrix), robust, discreet, deterministic, monotone and well-typed. Exit 0 when
    every law holds, 1 when one fails, 2 on bad input."""
    try:
        import hypothesis  # noqa: F401 - the laws run with it
    except ImportError:
        raise CdcmlError(
            "cdcml verify needs Hypothesis, which is not installed: pip install 'cdcml-guard[testing]'"
        ) from None
    from cdcml.capture.project import parse_config_overrides
    from cdcml.report.files import report_paths_problem, write_files
    from cdcml.runs.inputs import verify_inputs
    from cdcml.testing.verify import load_subject
    from cdcml.testing.verify import verify as run_verify

    laws = _laws(laws_value)
    inputs = verify_inputs(
        directory, stack, pack_dirs, config_files, invokes_file=invokes_file, stack_references=stack_references
    )
    problem = report_paths_problem({"junit": junit}, inputs)
    if problem:
        fail(problem)
    overrides = parse_config_overrides(config_pairs)
    subject, warnings = load_subject(
        directory,
        stack,
        pack_dirs,
        config_files,
        overrides,
        invokes_file=invokes_file,
        stack_references=stack_references,
    )
    print_warnings(warnings)
    with progress_display(not as_json and sys.stderr.isatty()) as bar:
        tasks: dict[str, Any] = {}

        def started(law: str) -> None:
            if bar is not None:
                tasks[law] = bar.add_task(law, total=None if law in ("sensitive", "discreet") else examples)

        def ran(law: str, n: int) -> None:
            if bar is not None:
                bar.update(tasks[law], completed=n)

        result = run_verify(subject, laws=laws, examples=examples, seed=seed, on_law=started, on_example=ran)
    if junit is not None:
        write_files([("--junit", junit, _junit(result))])
    if as_json:
        click.echo(json.dumps({**_json(result), "warnings": list(warnings)}, indent=2, ensure_ascii=False))
    else:
        click.echo(_text(result), nl=False)
    sys.exit(0 if result.holds else 1)


def _text(v: Verification) -> str:
    """The table of laws (examples, failures, time), then each failure's counterexample:
    what comes from the program and the packs (names, notes, a policy's message or a
    configuration value in a counterexample) goes through :func:`printable`, one line at a
    time, as in every report cdcml prints."""
    from cdcml.report.terminal import printable

    rows = [("law", "examples", "failures", "time", "")]
    for r in v.results:
        rows.append((r.law, str(r.examples), str(r.failures), f"{r.seconds:.1f} s", "holds" if r.holds else "FAILS"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [f"cdcml verify {printable(v.project)}/{printable(v.stack)}  (seed {v.seed})", ""]
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    for r in v.results:
        for note in r.notes:
            lines.append(f"  {r.law}: {printable(note)}")
    for r in v.results:
        if r.counterexample:
            lines += ["", f"{r.law}: {'counterexample' if not r.holds else 'details'}"]
            lines += [f"  {printable(line)}" for line in r.counterexample.split("\n")]
    verdict = "every law holds" if v.holds else f"{sum(not r.holds for r in v.results)} law(s) fail"
    lines += ["", f"{verdict} — replay with --seed {v.seed}"]
    return "\n".join(lines) + "\n"


def _json(v: Verification) -> dict[str, Any]:
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
            "acceptedNeverFires": v.matrix.accepted_never_fire,
            "acceptedUnnoticed": [
                {"rule": rule.describe(), "why": rule.why, "count": len(ws)} for rule, ws in v.matrix.accepted_unnoticed
            ],
            "unexplained": [w.describe() for w in v.matrix.unexplained],
        }
    return doc


def _junit(v: Verification) -> bytes:
    """One test case per law; cleaned of what XML 1.0 can't carry, as the JUnit report is."""
    from cdcml.report.junit import clean_xml_tree

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
    clean_xml_tree(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
