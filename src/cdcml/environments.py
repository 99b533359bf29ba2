"""The environments cdcml knows and how a Pulumi stack name implies one.

A naming convention, not a wiring table: the reference stacks use it for the default of
``cdcml:environment`` and the guardrails for their environment-dependent thresholds, so
it sits below both (neither imports the other).
"""

from __future__ import annotations

import re

__all__ = ["ENVIRONMENTS", "environment_of"]

ENVIRONMENTS = ("dev", "test", "prod")
_ENV_WORDS = {
    "prod": ("prod", "production", "prd", "live"),
    "test": ("test", "tst", "qa", "uat", "stage", "staging", "preprod"),
}


def environment_of(stack: str) -> str:
    """The environment a stack name implies: a word of the name (split on ``-``, ``_``,
    ``.`` and ``/``) names prod or test, otherwise dev."""
    words = {w for w in re.split(r"[-_./]+", stack.casefold()) if w}
    for env in ("prod", "test"):
        if words & set(_ENV_WORDS[env]):
            return env
    return "dev"
