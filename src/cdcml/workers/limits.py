"""The time limits of a run: the program, loading a pack, one policy call."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from cdcml.errors import CdcmlError

__all__ = ["Timeouts", "parse_seconds", "seconds"]


@dataclass(frozen=True)
class Timeouts:
    """The time limits of a run, in seconds.

    Generous by default: the reference program captures in ~4 s and the guardrails pack
    loads in ~1 s, so the defaults only stop what hangs (a loop, a deadlock, a read that
    never returns) well inside a CI job's own limit."""

    program: float = 600.0
    """Running the program to its last registration (the reference stacks take ~4 s)."""
    pack: float = 120.0
    """Loading one policy pack (the guardrails: ~1 s)."""
    policy: float = 120.0
    """One policy call: a validation of one resource, or a stack validation (the whole
    guardrails pack takes ~9 s on a 10,001-resource state)."""

    ENV: ClassVar[dict[str, str]] = {
        "program": "CDCML_PROGRAM_TIMEOUT",
        "pack": "CDCML_PACK_TIMEOUT",
        "policy": "CDCML_POLICY_TIMEOUT",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Timeouts:
        """The defaults, overridden by ``CDCML_PROGRAM_TIMEOUT``, ``CDCML_PACK_TIMEOUT`` and
        ``CDCML_POLICY_TIMEOUT`` (seconds)."""
        env = os.environ if environ is None else environ
        values: dict[str, float] = {}
        for name, var in cls.ENV.items():
            raw = env.get(var)
            if raw is not None and raw.strip():
                values[name] = parse_seconds(raw, var)
        return cls(**values)


def parse_seconds(raw: str, what: str) -> float:
    """A positive number of seconds, or a one-line error naming *what*."""
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not (value > 0 and value != float("inf")):
        raise CdcmlError(f"{what}={raw[:40]!r} is not a positive number of seconds")
    return value


def seconds(value: float) -> str:
    return f"{value:g} s"
