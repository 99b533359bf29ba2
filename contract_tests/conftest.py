"""Shared fixtures of the contract tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcml.engine.pack import Pack, load_pack

ROOT = Path(__file__).resolve().parent.parent
SEMANTICS_PACK = Path(__file__).resolve().parent / "packs" / "semantics"


@pytest.fixture(scope="session")
def semantics_pack() -> Pack:
    return load_pack(SEMANTICS_PACK, project="proj", stack="dev")
