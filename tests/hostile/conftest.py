"""Fixtures of the hostile-input suite: a scratch directory per case, and the repository's
committed inputs to corrupt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hostile.harness import ROOT

SEED_STATE = ROOT / "contract_tests" / "golden" / "inputs" / "state" / "seed.json"
PACK = ROOT / "policies" / "cdc-ml-guardrails"


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """An empty working directory for one case."""
    d = tmp_path / "work"
    d.mkdir()
    return d


@pytest.fixture
def seed_state(scratch: Path) -> Path:
    """A copy of the seed stack's export in the scratch directory."""
    return Path(shutil.copy(SEED_STATE, scratch / "seed.json"))
