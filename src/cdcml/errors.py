"""User-facing errors.

Every failure caused by the user's input (a program that raises, a missing pack, a bad
config file, an unknown stack) is a :class:`CdcmlError`. The CLI prints its message as one
line and exits with code 2; nothing else in cdcml prints. Messages never contain secret
values: they name the key, file or resource that is wrong, not its value.
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "CdcmlError",
    "ConfigError",
    "PackConfigError",
    "PackError",
    "ProgramError",
    "ProjectError",
    "StateError",
]


class CdcmlError(Exception):
    """A problem with the user's input; rendered as one line, exit code 2."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()) if "\n" in message else message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class ProjectError(CdcmlError):
    """Pulumi.yaml, the program directory or the stack is missing or malformed."""


class ConfigError(CdcmlError):
    """The stack configuration is malformed, can't be decrypted, or fails its schema."""


class ProgramError(CdcmlError):
    """The Pulumi program raised, failed to import, or logged an error."""


class PackError(CdcmlError):
    """A policy pack directory is missing, malformed, or its code raised while loading."""


class PackConfigError(CdcmlError):
    """A policy pack configuration file is malformed or fails the policies' schemas."""


class StateError(CdcmlError):
    """A state file or checkpoint is malformed or uses an unsupported feature."""


class BackendError(CdcmlError):
    """A state backend can't be read (bad URL, missing stack, unreachable endpoint)."""
