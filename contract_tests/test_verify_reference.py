"""`cdcml verify` on the reference stacks, as CI runs it: the hardened stacks hold every law,
the seed stack fails *conforms* and names the policies it violates.

Each Hypothesis-driven law runs ``examples(dev=…, ci=200, long=5000)`` examples (choose the
profile with ``HYPOTHESIS_PROFILE``); the run's seed is fixed, so a failure here replays
with the command the assertion message prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdcml.cli import run
from conftest import examples

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261207
HYPOTHESIS_LAWS = ("conforms", "robust", "deterministic", "monotone", "well-typed")


def _verify(capsys: pytest.CaptureFixture[str], stack: str, n: int, laws: str | None = None) -> tuple[int, Any]:
    args = ["verify", str(ROOT), "--stack", stack, "--examples", str(n), "--seed", str(SEED), "--json"]
    code = run([*args, "--laws", laws] if laws else args)
    out = capsys.readouterr().out
    return code, json.loads(out)


def _failures(doc: Any) -> str:
    return "\n".join(f"{law['law']}: {law['counterexample']}" for law in doc["laws"] if not law["holds"]) or "(none)"


EXAMPLES = {
    # prod carries the ≥ 200 examples per law of the ci profile; fanin, the larger and
    # slower stack, a smaller share of CI's time (the long profile runs both at length)
    "prod": examples(dev=4, ci=200, long=5000),
    "fanin": examples(dev=4, ci=30, long=5000),
}


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["prod", "fanin"])
def test_the_hardened_stacks_hold_every_law(capsys: pytest.CaptureFixture[str], stack: str) -> None:
    """Every law holds on prod and fanin, each Hypothesis law on the profile's number of
    examples (conforms and well-typed on generated whole configurations of the stack's
    profile), and the kill matrix leaves no policy that runs there unexplained."""
    n = EXAMPLES[stack]
    code, doc = _verify(capsys, stack, n)
    replay = f"cdcml verify . --stack {stack} --examples {n} --seed {SEED}"
    assert (code, doc["holds"]) == (0, True), f"{replay}\n{_failures(doc)}"
    by_law = {law["law"]: law for law in doc["laws"]}
    assert list(by_law) == ["conforms", "sensitive", "robust", "discreet", "deterministic", "monotone", "well-typed"]
    for law in HYPOTHESIS_LAWS:
        assert by_law[law]["examples"] >= min(n, 4), (law, by_law[law])
    matrix = doc["killMatrix"]
    assert matrix["generated"] >= 200 and matrix["caught"] > 0
    assert set(matrix["kills"]) | set(matrix.get("acceptedNeverFires", {})) >= set(matrix["neverFires"])


@pytest.mark.slow
def test_the_seed_stack_fails_conforms_naming_the_policies_it_violates(capsys: pytest.CaptureFixture[str]) -> None:
    """The minimal seed stack is not hardened: the conforms law fails, its shrunk
    counterexample names mandatory policies the seed configuration violates, exit 1."""
    code, doc = _verify(capsys, "seed", examples(dev=4, ci=200, long=5000), laws="conforms")
    (conforms,) = doc["laws"]
    assert code == 1 and not conforms["holds"] and conforms["failures"] >= 1
    assert "cdc-ml-guardrails/" in conforms["counterexample"], conforms["counterexample"]
