"""The time-limit options of the commands that run code under review: ``--program-timeout``
(``preview`` only), ``--pack-timeout`` and ``--policy-timeout``, each also set by its
environment variable (``CDCML_PROGRAM_TIMEOUT``, ``CDCML_PACK_TIMEOUT``,
``CDCML_POLICY_TIMEOUT``), so a CI job can tighten them without editing its command lines.
A flag wins over its variable; the defaults are :class:`cdcml.workers.Timeouts`'."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from cdcml.workers import Timeouts, parse_seconds

__all__ = ["timeout_options"]

F = TypeVar("F", bound=Callable[..., Any])

_HELP = {
    "program": "Stop the program after SECONDS",
    "pack": "Stop loading a policy pack after SECONDS",
    "policy": "Stop one policy call (one resource, or one stack validation) after SECONDS",
}


def _seconds(ctx: click.Context, param: click.Parameter, value: Any) -> float | None:
    if value is None:
        return None
    source = ctx.get_parameter_source(param.name or "")
    where = param.envvar if source is click.core.ParameterSource.ENVIRONMENT else f"--{param.name}".replace("_", "-")
    return parse_seconds(str(value), str(where))  # a bad value: one line, exit 2


def timeout_options(*, program: bool) -> Callable[[F], F]:
    """The time-limit options (with ``--program-timeout`` when *program*); the command
    receives them as one ``timeouts: Timeouts`` argument."""
    names = ("program", "pack", "policy") if program else ("pack", "policy")
    defaults = Timeouts()

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def command(*args: Any, **kwargs: Any) -> Any:
            given = {n: kwargs.pop(f"{n}_timeout") for n in names}
            return f(*args, timeouts=Timeouts(**{n: v for n, v in given.items() if v is not None}), **kwargs)

        decorated: Any = command
        for name in reversed(names):
            decorated = click.option(
                f"--{name}-timeout",
                f"{name}_timeout",
                envvar=Timeouts.ENV[name],
                callback=_seconds,
                metavar="SECONDS",
                help=f"{_HELP[name]} [default: {getattr(defaults, name):g}; env: {Timeouts.ENV[name]}].",
            )(decorated)
        return decorated

    return decorate
