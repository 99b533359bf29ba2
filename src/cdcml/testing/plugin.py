"""The cdcml pytest plugin (entry point ``pytest11: cdcml``).

Fixtures:

* ``policy_harness`` — the :mod:`cdcml.testing.harness` module, so a test can call
  ``policy_harness.assert_violation(...)`` without importing it;
* ``graph_builder`` — a fresh :class:`~cdcml.testing.harness.GraphBuilder`.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from cdcml.testing import harness


@pytest.fixture
def policy_harness() -> ModuleType:
    """The runtime-faithful policy harness (``assert_violation``, ``unknown()`` …)."""
    return harness


@pytest.fixture
def graph_builder() -> harness.GraphBuilder:
    """A fresh GraphBuilder for stack-policy tests."""
    return harness.GraphBuilder()
