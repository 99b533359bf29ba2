"""Pulumi URNs as state records them: ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``."""

from __future__ import annotations

__all__ = ["parse_urn"]

_URN_PREFIX = "urn:pulumi:"


def parse_urn(urn: str) -> tuple[str, str, str, str] | None:
    """``(stack, project, qualified type, name)`` of a URN, or ``None`` when it isn't one
    (``urn:pulumi:<stack>::<project>::<qualified type>::<name>``; a name may contain ``::``)."""
    if not urn.startswith(_URN_PREFIX):
        return None
    parts = urn[len(_URN_PREFIX) :].split("::", 3)
    if len(parts) != 4 or not parts[2]:
        return None
    return parts[0], parts[1], parts[2], parts[3]
