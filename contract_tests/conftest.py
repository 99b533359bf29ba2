"""Shared fixtures of the contract tests."""

from __future__ import annotations

from pathlib import Path

import os
from collections.abc import Iterator

import pytest

from cdcml.engine.grpc_pack import live_pack_processes
from cdcml.engine.pack import Pack, load_pack

ROOT = Path(__file__).resolve().parent.parent
SEMANTICS_PACK = Path(__file__).resolve().parent / "packs" / "semantics"


@pytest.fixture(scope="session")
def semantics_pack() -> Pack:
    return load_pack(SEMANTICS_PACK, project="proj", stack="dev")


@pytest.fixture(scope="session", autouse=True)
def no_pack_process_left_running() -> Iterator[None]:
    """Every pack process the suite starts is shut down by the end of the session."""
    yield
    from contract_tests.test_no_leftover_processes import pack_processes_of

    assert live_pack_processes() == []
    assert pack_processes_of(os.getpid()) == []
