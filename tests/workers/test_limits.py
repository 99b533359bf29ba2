"""The time limits of a run (src/cdcml/workers/limits.py): read from the process
environment, and one bounded error for a value that is not a positive number."""

from __future__ import annotations

import pytest

from cdcml.errors import CdcmlError
from cdcml.workers import Timeouts, parse_seconds


def test_without_a_mapping_the_limits_come_from_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDCML_PROGRAM_TIMEOUT", "7")
    monkeypatch.setenv("CDCML_PACK_TIMEOUT", "3.5")
    monkeypatch.delenv("CDCML_POLICY_TIMEOUT", raising=False)
    assert Timeouts.from_env() == Timeouts(program=7.0, pack=3.5, policy=120.0)


def test_a_bad_value_is_quoted_up_to_forty_characters() -> None:
    with pytest.raises(CdcmlError) as e:
        parse_seconds("y" * 40 + "z" * 60, "--policy-timeout")
    assert e.value.message == f"--policy-timeout={'y' * 40!r} is not a positive number of seconds"
