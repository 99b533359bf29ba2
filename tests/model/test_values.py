"""Wire-form value helpers of cdcml.model.values."""

from __future__ import annotations

from cdcml.model.values import UNKNOWN, contains_secret, secret


def test_contains_secret_finds_a_secret_at_any_depth_and_nothing_else() -> None:
    assert contains_secret(secret("pw"))
    assert contains_secret({"a": [1, {"b": (secret(3),)}]})
    assert not contains_secret({"a": [1, {"b": ("pw", UNKNOWN)}], "c": None})
    # A map that merely looks like it has a signature key is no secret without the secret signature.
    assert not contains_secret({"4dabf18193072939515e22adb298388d": "c44067f5952c0a294b673a41bacd8c17"})
