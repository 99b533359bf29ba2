"""``--max-input-size``: the one flag that raises the input size limit of a command (state
files, standard input, decompressed data, backend objects, configs, waivers, baselines),
also set by ``CDCML_MAX_INPUT_SIZE`` so a CI job can change it without editing its
command lines. Declared once; a command takes it with one decorator line."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from cdcml.inputs import DEFAULT_MAX_INPUT_SIZE, format_size, input_limit, parse_size

__all__ = ["SIZE", "input_limit_option"]

F = TypeVar("F", bound=Callable[..., Any])


class _Size(click.ParamType[int]):
    """A number of bytes: ``1073741824``, ``512M``, ``2G``, ``2GiB`` (binary units)."""

    name = "bytes"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            size = parse_size(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)
        if size < 1:
            self.fail("must be at least 1 byte", param, ctx)
        return size


SIZE = _Size()


def input_limit_option(f: F) -> F:
    """``--max-input-size BYTES`` (env ``CDCML_MAX_INPUT_SIZE``); the command runs with
    that limit in force (:func:`cdcml.inputs.input_limit`)."""

    @functools.wraps(f)
    def command(*args: Any, max_input_size: int | None, **kwargs: Any) -> Any:
        with input_limit(max_input_size):
            return f(*args, **kwargs)

    decorated: Any = click.option(
        "--max-input-size",
        type=SIZE,
        envvar="CDCML_MAX_INPUT_SIZE",
        metavar="BYTES",
        help=f"The most bytes one input may have: a state file, standard input, decompressed data, a backend "
        f"object, a config, waiver or baseline file (default {format_size(DEFAULT_MAX_INPUT_SIZE)}; K, M, G "
        "suffixes; env CDCML_MAX_INPUT_SIZE).",
    )(command)
    return decorated
