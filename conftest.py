"""Repository-wide pytest configuration: Hypothesis profiles.

Profiles extend Hypothesis's built-in ``ci`` profile (CI sets ``CI=true``):
``dev`` is fast for local runs, ``ci`` keeps ``derandomize`` and raises
``max_examples``, ``long`` is the documented longer run. Choose with
``HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile(
    "ci",
    parent=settings.get_profile("ci"),
    max_examples=60,
    deadline=None,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile("long", max_examples=600, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def examples(*, dev: int, ci: int, long: int) -> int:
    """max_examples for a test whose example count the issue fixes per profile."""
    return {"dev": dev, "ci": ci, "long": long}.get(os.environ.get("HYPOTHESIS_PROFILE", "dev"), dev)


@pytest.fixture(scope="session", autouse=True)
def no_pack_process_left_running() -> Iterator[None]:
    """After the whole suite, no policy pack process started by it is still running, and
    closing the workers kept for reuse leaves none of them either."""
    yield
    from contract_tests.test_no_leftover_processes import pack_processes_of, worker_processes_of

    from cdcml.engine.grpc_pack import live_pack_processes
    from cdcml.workers import close_all, live_workers

    assert live_pack_processes() == []
    assert pack_processes_of(os.getpid()) == []
    close_all()
    assert live_workers() == []
    assert worker_processes_of(os.getpid()) == []
