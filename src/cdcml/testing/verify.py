"""``cdcml verify`` as functions: the laws of a Pulumi project and its packs, each run with
Hypothesis (a seed that replays a run exactly, shrinking to a minimal counterexample).

=============  ==================================================================
conforms       every configuration of the stack's space (:mod:`~cdcml.testing.spaces`)
               captures and passes with no mandatory violation
sensitive      every policy that runs on the stack is made to fire by some single
               weakening (:mod:`~cdcml.testing.kill_matrix`)
robust         no policy raises on generated, deliberately ill-typed properties of any
               resource type the program declares (:mod:`~cdcml.testing.typed_laws`)
discreet       no secret a policy reads reaches its messages or remediations
deterministic  the same graph, in any dependency-preserving order, gives the same
               resource-policy findings
monotone       a stricter numeric or allow-list config never removes a violation
well-typed     every azure-native resource the program registers, under every
               configuration of the space, has inputs of the SDK's input types
=============  ==================================================================

The program runs in this process (one process, one loaded pack across examples), the
way the kit runs in a user's tests.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture_project
from cdcml.capture.project import Project, StackConfig
from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import Pack
from cdcml.errors import CdcmlError
from cdcml.model import ResourceGraph
from cdcml.testing.acceptance import acceptance, unused
from cdcml.testing.kill_matrix import KillMatrix, kill_matrix
from cdcml.testing.laws import dependency_orders, nondeterminism, secret_leaks
from cdcml.testing.monotone import chains, monotone_properties, monotonicity
from cdcml.testing.spaces import ConfigSpace, config_space
from cdcml.testing.typed_laws import crashes, declared_types, ill_typed, resources_of

__all__ = ["LAWS", "LawResult", "Subject", "Verification", "nonconformance", "verify"]

LAWS = ("conforms", "sensitive", "robust", "discreet", "deterministic", "monotone", "well-typed")
T = TypeVar("T")


@dataclass(frozen=True)
class Subject:
    """What is verified: a project's stack (its configuration decrypted) and the packs."""

    project: Project
    config: StackConfig
    packs: Sequence[Pack]
    pack_configs: Sequence[PackConfig | None] | None = None


@dataclass(frozen=True)
class LawResult:
    law: str
    examples: int
    failures: int
    seconds: float
    counterexample: str | None = None
    """The shrunk input that broke the law and what broke, several lines."""
    notes: tuple[str, ...] = ()

    @property
    def holds(self) -> bool:
        return self.failures == 0


@dataclass(frozen=True)
class Verification:
    project: str
    stack: str
    seed: int
    results: tuple[LawResult, ...]
    matrix: KillMatrix | None = None

    @property
    def holds(self) -> bool:
        return all(r.holds for r in self.results)


class _Broken(AssertionError):
    pass


def _hypothesis(
    law: str,
    strategy: st.SearchStrategy[T],
    check: Callable[[T], list[str]],
    examples: int,
    seed: int,
    describe: Callable[[T], str] | None = None,
) -> LawResult:
    """Run *check* on up to *examples* values of *strategy*; the first failure is shrunk."""
    start, runs, shrinks = time.perf_counter(), [0], [0]
    failing: list[tuple[T, list[str]]] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def run(value: T) -> None:
        if failing:
            shrinks[0] += 1  # after the first failure, Hypothesis is shrinking it
        else:
            runs[0] += 1
        try:
            problems = check(value)
        except CdcmlError as e:  # a policy or the program raised on this input: a law failure
            problems = [e.message]
        if problems:
            failing[:] = [(value, problems)]
            raise _Broken

    try:
        with contextlib.suppress(_Broken):
            run()
    except HypothesisException as e:  # e.g. a failure that doesn't reproduce (a flaky program)
        text = " ".join(f"{type(e).__name__}: {e}".split())[:500]
        return LawResult(law, runs[0], 1, time.perf_counter() - start, f"Hypothesis stopped the run: {text}")
    seconds = time.perf_counter() - start
    if not failing:
        return LawResult(law, runs[0], 0, seconds)
    value, problems = failing[0]
    text = (describe or _describe)(value) + "\n" + "\n".join(problems[:20])
    return LawResult(law, runs[0], 1, seconds, text, (f"shrunk in {shrinks[0]} more runs",))


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return "\n".join(f"{k} = {v}" for k, v in sorted(value.items()))
    return repr(value)


class _Captures:
    """Captures of *subject* by configuration, kept for the run: conforms and well-typed
    draw the same configurations from the same seed."""

    def __init__(self, subject: Subject, base: ResourceGraph | None = None) -> None:
        """*base*: the graph of the stack's own values, already captured."""
        self.subject = subject
        self.graphs: dict[tuple[tuple[str, str], ...], ResourceGraph | str] = {}
        if base is not None:
            self.graphs[tuple(sorted(subject.config.values.items()))] = base

    def __call__(self, values: Mapping[str, str]) -> ResourceGraph | str:
        """The graph, or the program's one-line failure."""
        key = tuple(sorted(values.items()))
        if key not in self.graphs:
            config = dataclasses.replace(self.subject.config, values=dict(values))
            try:
                self.graphs[key] = capture_project(
                    self.subject.project, config, CaptureOptions(mode=OutputMode.PREVIEW)
                )
            except CdcmlError as e:
                self.graphs[key] = f"the program failed: {e.message}"
            if len(self.graphs) > 256:
                self.graphs.pop(next(iter(self.graphs)))
        return self.graphs[key]


def nonconformance(subject: Subject, values: Mapping[str, str], captures: _Captures | None = None) -> list[str]:
    """The mandatory violations (or the program's failure) of *subject* captured with the
    configuration *values*."""
    graph = (captures or _Captures(subject))(values)
    if isinstance(graph, str):
        return [graph]
    found = evaluate(graph, subject.packs, subject.pack_configs)
    return [
        f"{f.pack}/{f.policy} on {f.urn.rsplit('::', 1)[-1] or 'the stack'}: {f.detail}"
        for f in found.findings
        if f.is_mandatory_violation
    ]


def _config_text(subject: Subject) -> Callable[[Mapping[str, str]], str]:
    """A configuration as the counterexample shows it: secret values as ``[secret]``."""
    hidden = set(subject.config.secret_keys)
    return lambda values: _describe({k: "[secret]" if k in hidden else v for k, v in values.items()})


def _space_note(space: ConfigSpace) -> str:
    return f"space: {space.source}" if space.declared else "no configuration space declared: the stack's own values"


def _conforms(subject: Subject, space: ConfigSpace, captures: _Captures, examples: int, seed: int) -> LawResult:
    check = functools.partial(nonconformance, subject, captures=captures)
    result = _hypothesis("conforms", space.strategy(), check, examples, seed, _config_text(subject))
    return dataclasses.replace(result, notes=(_space_note(space), *result.notes))


def _well_typed(space: ConfigSpace, captures: _Captures, examples: int, seed: int) -> LawResult:
    def check(values: Mapping[str, str]) -> list[str]:
        graph = captures(values)
        return [graph] if isinstance(graph, str) else ill_typed(graph)

    result = _hypothesis("well-typed", space.strategy(), check, examples, seed, _config_text(captures.subject))
    return dataclasses.replace(result, notes=(_space_note(space), *result.notes))


def _robust(graph: ResourceGraph, subject: Subject, examples: int, seed: int) -> LawResult:
    types = declared_types(graph)
    if not types:
        return LawResult("robust", 0, 0, 0.0, notes=("the program declares no azure-native resource type",))
    result = _hypothesis(
        "robust",
        resources_of(types),
        lambda case: crashes(case[0], case[1], subject.packs, subject.pack_configs),
        examples,
        seed,
    )
    return dataclasses.replace(result, notes=(f"{len(types)} resource types", *result.notes))


def _sensitive(graph: ResourceGraph, subject: Subject) -> tuple[LawResult, KillMatrix]:
    """The kill matrix, judged against the project's acceptance (``sensitive:`` of
    ``cdcml-verify.yaml``, :mod:`~cdcml.testing.acceptance`): every never-firing policy it
    does not explain and every crash fail the law; unexplained unnoticed weakenings fail it
    only under ``unnoticed-fail: true``, and are listed either way."""
    start = time.perf_counter()
    accepted = acceptance(subject.project, subject.config.stack)
    matrix = dataclasses.replace(kill_matrix(graph, subject.packs, subject.pack_configs), acceptance=accepted)
    unexplained = matrix.unexplained
    failing_unnoticed = list(unexplained) if accepted.unnoticed_fail else []
    failures = len(matrix.unaccepted_never_fire) + len(matrix.crashed) + len(failing_unnoticed)
    lines = [f"never fires here: {p}" for p in matrix.unaccepted_never_fire]
    lines += [f"crashes on {w.describe()}: {message}" for w, message in matrix.crashed[:20]]
    lines += [f"unnoticed, unexplained: {w.describe()}" for w in failing_unnoticed[:20]]
    if len(failing_unnoticed) > 20:
        lines.append(f"… and {len(failing_unnoticed) - 20} more unexplained unnoticed weakenings")
    killed = len(matrix.kills)
    firing = len(set(matrix.policies) & matrix.already - set(matrix.kills))
    accepted_unnoticed = sum(len(ws) for _, ws in matrix.accepted_unnoticed)
    used = [rule for rule, _ in matrix.accepted_unnoticed]
    notes = [
        f"{len(matrix.policies)} policies apply: {killed} killed by a weakening, {firing} already report, "
        f"{len(matrix.never_fire)} never fire ({len(matrix.accepted_never_fire)} accepted)",
        f"{len(matrix.caught)} of {matrix.generated} weakenings caught, {len(matrix.unnoticed)} unnoticed "
        f"({accepted_unnoticed} accepted, {len(unexplained)} unexplained"
        + ("; unnoticed-fail: each unexplained one fails the law)" if accepted.unnoticed_fail else ")"),
    ]
    if accepted.source:
        notes.append(f"acceptance: {accepted.source}")
    notes += [f"accepted entry that matched nothing: {entry}" for entry in unused(accepted, matrix.never_fire, used)]
    if not accepted.unnoticed_fail:
        notes += [f"unnoticed: {w.describe()}" for w in unexplained[:20]]
    counterexample = "\n".join(lines) if lines else None
    return LawResult(
        "sensitive", matrix.generated, failures, time.perf_counter() - start, counterexample, tuple(notes)
    ), matrix


def _one_shot(law: str, check: Callable[[], list[str]]) -> LawResult:
    start = time.perf_counter()
    problems = check()
    return LawResult(law, 1, 1 if problems else 0, time.perf_counter() - start, "\n".join(problems[:20]) or None)


def verify(
    subject: Subject,
    *,
    laws: Sequence[str] = LAWS,
    examples: int = 25,
    seed: int | None = None,
    on_law: Callable[[str], None] | None = None,
) -> Verification:
    """Check *laws* on *subject*; ``seed`` replays a run (a random one is drawn otherwise
    and reported in the result)."""
    unknown = [law for law in laws if law not in LAWS]
    if unknown:
        raise CdcmlError(f"unknown law {unknown[0]!r} (laws: {', '.join(LAWS)})")
    seed = random.getrandbits(32) if seed is None else seed
    graph = capture_project(subject.project, subject.config, CaptureOptions(mode=OutputMode.PREVIEW))
    captures = _Captures(subject, graph)  # a space of one point is the stack's own values: no recapture
    space = config_space(subject.project, subject.config) if {"conforms", "well-typed"} & set(laws) else None
    results: list[LawResult] = []
    matrix = None
    for law in LAWS:
        if law not in laws:
            continue
        if on_law is not None:
            on_law(law)
        if law == "conforms":
            assert space is not None
            results.append(_conforms(subject, space, captures, examples, seed))
        elif law == "well-typed":
            assert space is not None
            results.append(_well_typed(space, captures, examples, seed))
        elif law == "robust":
            results.append(_robust(graph, subject, examples, seed))
        elif law == "sensitive":
            result, matrix = _sensitive(graph, subject)
            results.append(result)
        elif law == "discreet":
            results.append(
                _one_shot(law, lambda: [_leak(x) for x in secret_leaks(graph, subject.packs, subject.pack_configs)])
            )
        elif law == "deterministic":
            results.append(
                _hypothesis(
                    law,
                    dependency_orders(graph),
                    lambda order: nondeterminism(graph, subject.packs, subject.pack_configs, order),
                    examples,
                    seed,
                )
            )
        else:
            results.append(_monotone(graph, subject, examples, seed))
    return Verification(subject.project.name, subject.config.stack, seed, tuple(results), matrix)


def _leak(leak: Any) -> str:
    where = ".".join(str(p) for p in leak.path)
    return f"{leak.pack}/{leak.policy} quotes the secret at {leak.urn.rsplit('::', 1)[-1]}.{where} in a {leak.where}"


def _monotone(graph: ResourceGraph, subject: Subject, examples: int, seed: int) -> LawResult:
    cases = [(pack, prop) for pack in subject.packs for prop in monotone_properties(pack)]
    if not cases:
        return LawResult("monotone", 0, 0, 0.0, notes=("no numeric or allow-list config in the packs",))

    @st.composite
    def drawn(draw: st.DrawFn) -> tuple[Pack, Any, list[Any]]:
        pack, prop = draw(st.sampled_from(cases))
        return pack, prop, draw(chains(prop, prop.schema.get("default")))

    def check(case: tuple[Pack, Any, list[Any]]) -> list[str]:
        pack, prop, values = case
        return monotonicity(graph, pack, prop, values)

    return _hypothesis("monotone", drawn(), check, examples, seed)
