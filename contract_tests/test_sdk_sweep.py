"""Every resource type of the installed azure-native SDK captures in both output modes, and
the SDK accepts every output the capture answers (docs/design-notes.md, "Provider-shaped
outputs").

For each type a one-resource program constructs it from generated inputs
(:func:`cdcml.testing.sdk_strategies.resource_inputs`: required properties always,
optional ones drawn; Hypothesis's first example is the simplest, required only), reads
every output property through the SDK (one ``apply`` each, so the SDK's own output
translation runs on each), and is captured in process with ``capture_program`` — the same
monitor, recorder and emulated provider as ``cdcml preview``'s program worker — in preview
and in resolved mode. No capture may fail.

The ``ci`` and ``dev`` profiles sweep a deterministic sample with one type of every module
(the first in the registry's order) plus every 25th type; ``HYPOTHESIS_PROFILE=long``
sweeps every type, with more examples each.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cdcml.capture.program import capture_program
from cdcml.capture.sdk_types import resource_tokens, resource_type
from cdcml.testing.sdk_strategies import resource_inputs

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
EVERY = 25


def sample(tokens: tuple[str, ...]) -> list[str]:
    """The first type of every module, and every 25th type: all with the long profile."""
    if LONG:
        return list(tokens)
    firsts = {}
    for token in tokens:
        firsts.setdefault(token.split(":")[1], token)
    return sorted(set(firsts.values()) | set(tokens[::EVERY]))


TOKENS = sample(resource_tokens())


def program(token: str, inputs: dict[str, Any], read: list[str]) -> Callable[[], None]:
    """A program declaring one resource of *token* with *inputs* (wire form: top-level keys
    become the constructor's keyword arguments, nested objects stay dicts) that reads every
    output property through the SDK."""

    def declare() -> None:
        found = resource_type(token)
        parameters = inspect.signature(found.cls._internal_init).parameters  # type: ignore[attr-defined]
        kwargs = {}
        for wire, value in inputs.items():
            name = found.inputs.properties[wire].python_name
            # A property called like the constructor's own parameters is suffixed ("resource_name_").
            kwargs[name if name in parameters and name not in ("resource_name", "opts") else f"{name}_"] = value
        resource = found.cls("r", **kwargs)
        for prop in found.outputs.properties.values():
            getattr(resource, prop.python_name).apply(lambda _, n=prop.name: read.append(n))

    return declare


@pytest.mark.parametrize("token", TOKENS)
def test_every_resource_type_captures_in_both_modes_with_outputs_the_sdk_accepts(token: str) -> None:
    """Capture never crashes on a resource type of the installed SDK, and the outputs it
    answers pass the SDK's own translation into the declared output types."""

    @settings(
        max_examples=4 if LONG else 2,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def sweep(data: st.DataObject) -> None:
        inputs = data.draw(resource_inputs(token), label="inputs")
        for mode in ("preview", "resolved"):
            read: list[str] = []
            capture_program(program(token, inputs, read), mode=mode)
            if mode == "resolved":
                assert "azureApiVersion" not in resource_type(token).outputs.properties or read

    sweep()


def test_the_sample_covers_every_module() -> None:
    """At least one type of every module of the SDK is swept."""
    modules = {t.split(":")[1] for t in resource_tokens()}
    assert {t.split(":")[1] for t in TOKENS} == modules
    assert len(TOKENS) >= len(modules)
