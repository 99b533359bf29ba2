"""No behaviour change without a deliberate decision: every golden case (see
:mod:`contract_tests.golden`) prints, writes and exits exactly as its committed golden copy.

The copy was taken before issue 10's restructuring and is regenerated only deliberately
(``python -m contract_tests.golden --write``), in a commit that says which behaviour changed.
"""

from __future__ import annotations

import pytest

from contract_tests.golden import CASES, EXPECTED, compare, expected_path, run_case


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_every_golden_case_prints_writes_and_exits_as_its_golden_copy(name: str) -> None:
    """Findings, reports (text, JSON, SARIF, JUnit, Markdown), exit codes and error lines of
    every reference profile in both output modes, over gRPC, and of `policy analyze` on the
    state inputs are those of the golden copy."""
    case = CASES[name]
    assert expected_path(case.golden).is_file(), (
        f"no golden copy for {name}: run python -m contract_tests.golden --write"
    )
    diff = compare(case.golden, run_case(case))
    assert not diff, f"{name} differs from its golden copy:\n{diff}"


def test_every_golden_copy_belongs_to_a_case() -> None:
    """A golden copy without a case would be a check that silently stopped running."""
    owned = {c.golden for c in CASES.values()}
    files = {p.name.removesuffix(".json.gz") for p in EXPECTED.glob("*.json.gz")}
    assert files == owned


def test_the_golden_comparison_can_fail() -> None:
    """The comparison sees a one-character change of stdout and a changed exit code."""
    outcome = run_case(CASES["error-no-such-stack"])
    assert compare("error-no-such-stack", outcome) == ""
    outcome.stderr[0] = outcome.stderr[0].replace("nosuch", "nosucH")
    assert "nosucH" in compare("error-no-such-stack", outcome)
    outcome.exit = 1
    assert "exit code: golden 2, now 1" in compare("error-no-such-stack", outcome)
