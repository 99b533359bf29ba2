"""The reference stacks of the CDC→ML pipeline: Pulumi components and profiles.

``build(profile)`` declares the resources of a profile; the repository's program
(``stacks/__main__.py``) calls it with the stack configuration.
"""

from __future__ import annotations

__all__ = ["PROFILES", "build"]

PROFILES = ("seed",)


def build(profile: str) -> None:
    """Declare the resources of *profile* in the running Pulumi program."""
    if profile == "seed":
        from cdcml.stacks.seed import build_seed

        build_seed()
        return
    raise ValueError(f"cdcml:profile must be one of {', '.join(PROFILES)} (got {profile!r})")
