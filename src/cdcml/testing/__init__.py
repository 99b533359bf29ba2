"""Testing kit for pack authors: a runtime-faithful policy harness, Hypothesis
strategies and invariants, and a pytest plugin (registered by entry point).

This package and the plugin need only the base install. The Hypothesis strategies
(:mod:`cdcml.testing.strategies`, :mod:`cdcml.testing.schemas`,
:mod:`cdcml.testing.pack_configs`) need the ``testing`` extra:
``pip install 'cdcml-guard[testing]'``."""

from cdcml.testing.harness import (
    GraphBuilder,
    assert_no_stack_violation,
    assert_no_violation,
    assert_not_applicable,
    assert_stack_violation,
    assert_unknown,
    assert_violation,
    run_policy,
    run_stack_policy,
    secret,
    stack_violations,
    unknown,
    violations,
)

__all__ = [
    "GraphBuilder",
    "assert_no_stack_violation",
    "assert_no_violation",
    "assert_not_applicable",
    "assert_stack_violation",
    "assert_unknown",
    "assert_violation",
    "run_policy",
    "run_stack_policy",
    "secret",
    "stack_violations",
    "unknown",
    "violations",
]
