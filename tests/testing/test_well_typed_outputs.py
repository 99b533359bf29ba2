"""The well-typed law drives the program with generated provider outputs, as ProTI does: a
program whose ``apply`` crashes on a legitimately typed output (an empty list, an optional
output left out) fails the law with the configuration and the outputs that matter; one that
handles them holds; the reference stacks hold."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from cdcml.capture.project import load_project, load_stack_config
from cdcml.testing.verify import Subject, verify

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """\
import pulumi
from pulumi_azure_native import storage

account = storage.StorageAccount(
    "acct", resource_group_name="rg", kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS")
)
label = {use}
metadata = label.apply(lambda v: {{"v": v}})
storage.BlobContainer("c", account_name=account.name, resource_group_name="rg", metadata=metadata)
"""

CRASHING = {
    "an output list that can be empty": (
        "account.private_endpoint_connections.apply(lambda cs: cs[0].id)",
        "IndexError: list index out of range",
        "StorageAccount acct: privateEndpointConnections = empty",
    ),
    "an optional output that can be None": (
        "account.storage_account_sku_conversion_status.apply(lambda s: s.sku_conversion_status.upper())",
        "AttributeError: 'NoneType' object has no attribute 'sku_conversion_status'",
        "StorageAccount acct: storageAccountSkuConversionStatus = absent (None)",
    ),
}
HANDLED = (
    "account.private_endpoint_connections.apply(lambda cs: cs[0].id if cs else 'none')"
    ".apply(lambda first: account.storage_account_sku_conversion_status.apply("
    "lambda s: first + (str(s.sku_conversion_status) if s else '')))"
)


def subject(root: Path, use: str) -> Subject:
    d = root / "tiny"
    d.mkdir(parents=True, exist_ok=True)
    (d / "Pulumi.yaml").write_text("name: tiny\nruntime: python\n")
    (d / "Pulumi.dev.yaml").write_text("config: {}\n")
    (d / "__main__.py").write_text(PROGRAM.format(use=use))
    proj = load_project(d)
    return Subject(proj, load_stack_config(proj, "dev"), [])


@pytest.mark.parametrize("case", sorted(CRASHING))
def test_a_crash_on_a_legitimately_typed_output_fails_the_law_naming_the_resource_and_output(
    tmp_path: Path, case: str
) -> None:
    use, error, unusual = CRASHING[case]
    (law,) = verify(subject(tmp_path, use), laws=["well-typed"], examples=25, seed=3).results
    assert not law.holds and law.counterexample is not None
    text = law.counterexample
    assert "with generated provider outputs, program tiny failed" in text and error in text
    # Shrunk: of all the outputs drawn, only the one that matters is unusual.
    assert text.splitlines()[-2:] == ["provider outputs (where unusual):", unusual]
    assert "Traceback" not in text


def test_a_program_that_handles_its_outputs_holds(tmp_path: Path) -> None:
    (law,) = verify(subject(tmp_path, HANDLED), laws=["well-typed"], examples=25, seed=3).results
    assert law.holds, law.counterexample
    assert "each configuration also in resolved mode with generated provider outputs" in law.notes


def test_a_seed_replays_the_drawn_outputs(tmp_path: Path) -> None:
    use = CRASHING["an output list that can be empty"][0]
    first = verify(subject(tmp_path, use), laws=["well-typed"], examples=25, seed=8).results
    again = verify(subject(tmp_path, use), laws=["well-typed"], examples=25, seed=8).results
    # The SDK sometimes loses the frame of an exception raised inside `apply` (the one-line
    # error then has no location): compare the rest.
    assert [(r.examples, _unplaced(r.counterexample)) for r in first] == [
        (r.examples, _unplaced(r.counterexample)) for r in again
    ]
    assert first[0].counterexample is not None and "privateEndpointConnections = empty" in first[0].counterexample


def _unplaced(text: str | None) -> str:
    return re.sub(r" failed at \S+:", " failed:", text or "")


def test_the_seed_stack_is_well_typed_under_generated_outputs() -> None:
    """The smallest reference stack, quickly; prod is checked from the command line (see the
    commit that added the law's outputs)."""
    proj = load_project(ROOT)
    (law,) = verify(Subject(proj, load_stack_config(proj, "seed"), []), laws=["well-typed"], examples=5, seed=5).results
    assert law.holds, textwrap.indent(law.counterexample or "", "  ")
