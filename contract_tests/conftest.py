"""Shared fixtures of the contract tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.fixtures.reference_stacks import reference_stack

from cdcml.engine.pack import Pack, load_pack
from cdcml.model import ResourceGraph

ROOT = Path(__file__).resolve().parent.parent
SEMANTICS_PACK = Path(__file__).resolve().parent / "packs" / "semantics"


@pytest.fixture(scope="session")
def semantics_pack() -> Pack:
    return load_pack(SEMANTICS_PACK, project="proj", stack="dev")


@pytest.fixture(scope="session")
def stack_captures() -> Callable[..., ResourceGraph]:
    """``stack_captures("prod", "preview")`` → the profile's ResourceGraph, captured once
    per output mode for the whole session (``mode`` defaults to ``resolved``)."""
    return reference_stack
