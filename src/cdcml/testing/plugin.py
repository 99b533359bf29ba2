"""The cdcml pytest plugin (entry point ``pytest11: cdcml``).

Fixtures:

* ``policy_harness`` — the :mod:`cdcml.testing.harness` module, so a test can call
  ``policy_harness.assert_violation(...)`` without importing it;
* ``graph_builder`` — a fresh :class:`~cdcml.testing.harness.GraphBuilder`;
* ``cdcml_subject`` — a factory, ``cdcml_subject(directory, stack="dev", *, pack_dirs=(),
  config_files=(), overrides=None)``: a project's stack and its packs, loaded as
  ``cdcml verify`` loads them (:meth:`cdcml.testing.verify.Subject.load`);
* ``cdcml_law`` — ``cdcml_law(subject, law, *, examples=None, seed=None)`` checks one law
  (:func:`cdcml.testing.verify.check_law`) and fails the test with the law's rendered
  counterexample when it fails; it returns the :class:`~cdcml.testing.verify.LawResult`;
* ``cdcml_verify`` — ``cdcml_verify(subject, *, laws=None, examples=None, seed=None)``:
  every law (or *laws*), failing the test with each failing law's counterexample; it
  returns the :class:`~cdcml.testing.verify.Verification`.

``--cdcml-examples N`` (default 25) and ``--cdcml-seed N`` (default 0) are the defaults of
the last two. The plugin loads without Hypothesis; only the law fixtures need it (the
``testing`` extra), and say so when it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from cdcml.testing import harness

if TYPE_CHECKING:
    from cdcml.testing.verify import LawResult, Subject, Verification


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cdcml", "cdcml laws (cdcml_law, cdcml_verify fixtures)")
    group.addoption("--cdcml-examples", type=int, default=25, help="Examples per law (default 25).")
    group.addoption("--cdcml-seed", type=int, default=0, help="The laws' Hypothesis seed (default 0).")


@pytest.fixture
def policy_harness() -> ModuleType:
    """The runtime-faithful policy harness (``assert_violation``, ``unknown()`` …)."""
    return harness


@pytest.fixture
def graph_builder() -> harness.GraphBuilder:
    """A fresh GraphBuilder for stack-policy tests."""
    return harness.GraphBuilder()


def _laws_module() -> ModuleType:
    try:
        from cdcml.testing import verify
    except ImportError as e:
        pytest.fail(f"cdcml's laws need Hypothesis ({e}): pip install 'cdcml-guard[testing]'", pytrace=False)
    return verify


@pytest.fixture
def cdcml_subject() -> Callable[..., Subject]:
    """A factory of :class:`~cdcml.testing.verify.Subject`: a project's stack and its packs."""

    def load(
        directory: str | os.PathLike[str] = ".",
        stack: str = "dev",
        *,
        pack_dirs: Sequence[str | os.PathLike[str]] = (),
        config_files: Sequence[str | os.PathLike[str]] = (),
        overrides: Mapping[str, str] | None = None,
    ) -> Subject:
        subject: Subject = _laws_module().Subject.load(
            directory, stack, pack_dirs=pack_dirs, config_files=config_files, overrides=overrides
        )
        return subject

    return load


def _defaults(config: pytest.Config, examples: int | None, seed: int | None) -> tuple[int, int]:
    return (
        examples if examples is not None else int(config.getoption("cdcml_examples")),
        seed if seed is not None else int(config.getoption("cdcml_seed")),
    )


@pytest.fixture
def cdcml_law(pytestconfig: pytest.Config) -> Callable[..., LawResult]:
    """Check one law of a subject; a failure fails the test with its counterexample."""

    def check(subject: Subject, law: str, *, examples: int | None = None, seed: int | None = None) -> LawResult:
        laws = _laws_module()
        n, s = _defaults(pytestconfig, examples, seed)
        result: LawResult = laws.check_law(subject, law, examples=n, seed=s)
        if not result.holds:
            pytest.fail(f"{laws.render(result)}\nreplay with seed={s}", pytrace=False)
        return result

    return check


@pytest.fixture
def cdcml_verify(pytestconfig: pytest.Config) -> Callable[..., Verification]:
    """Check every law (or *laws*) of a subject; failures fail the test with their counterexamples."""

    def check(
        subject: Subject, *, laws: Sequence[str] | None = None, examples: int | None = None, seed: int | None = None
    ) -> Verification:
        module = _laws_module()
        n, s = _defaults(pytestconfig, examples, seed)
        kwargs: dict[str, Any] = {"examples": n, "seed": s}
        if laws is not None:
            kwargs["laws"] = laws
        result: Verification = module.verify(subject, **kwargs)
        failed = [r for r in result.results if not r.holds]
        if failed:
            text = "\n\n".join(module.render(r) for r in failed)
            pytest.fail(f"{len(failed)} law(s) fail\n\n{text}\n\nreplay with seed={s}", pytrace=False)
        return result

    return check
