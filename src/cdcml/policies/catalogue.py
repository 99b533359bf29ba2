"""The catalogue of every cdcml guardrail, in pack order.

Packs are built from it (``policies/cdc-ml-guardrails``), and ``cdcml policy ls`` and
``cdcml policy docs`` render it.
"""

from __future__ import annotations

from typing import Any

from cdcml.policies.cdc.cdc_enforce_mode_allowlist import cdc_enforce_mode_allowlist
from cdcml.policies.cdc.cdc_enforce_recurrence_bounds import cdc_enforce_recurrence_bounds
from cdcml.policies.governance.governance_require_tags import governance_require_tags

__all__ = ["POLICIES", "by_name"]

POLICIES: tuple[Any, ...] = (
    cdc_enforce_mode_allowlist,
    cdc_enforce_recurrence_bounds,
    governance_require_tags,
)


def by_name(name: str) -> Any:
    for p in POLICIES:
        if p.name == name:
            return p
    raise KeyError(name)
