"""The shape every Args validation test shares: one known-good base and named cases that
change a few fields; a good case constructs, a bad case raises one ArgsError that names
the field and what is allowed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from cdcml.stacks._args import ArgsError


def assert_good(factory: Callable[..., Any], base: Mapping[str, Any], overrides: Mapping[str, Any]) -> Any:
    args = factory(**{**base, **overrides})
    for key, value in overrides.items():
        assert getattr(args, key) == (tuple(value) if isinstance(value, list) else value)
    return args


def assert_bad(
    factory: Callable[..., Any], base: Mapping[str, Any], overrides: Mapping[str, Any], field: str, allowed: str
) -> None:
    with pytest.raises(ArgsError) as caught:
        factory(**{**base, **overrides})
    error = caught.value
    assert error.field == field
    assert allowed in error.allowed
    assert str(error).startswith(f"{getattr(factory, '__name__', '')}.{field} must be ")
    assert "\n" not in str(error)
