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
               configuration of the space, has inputs of the SDK's input types —
               captured in preview, and again in resolved mode with provider outputs
               drawn from the SDK's output types, under which the program must not fail
               either (:mod:`~cdcml.testing.provider_outputs`)
=============  ==================================================================

The program runs in this process (one process, one loaded pack across examples), the
way the kit runs in a user's tests.

Each law is a public function of a :class:`Subject` — :func:`check_conforms`,
:func:`check_sensitive`, :func:`check_robust`, :func:`check_discreet`,
:func:`check_deterministic`, :func:`check_monotone`, :func:`check_well_typed`, or
:func:`check_law` by name — returning a :class:`LawResult` (:func:`render` is its text);
:func:`verify` is a loop over them. ``Subject.load(directory, stack)`` reads a project, its
stack and its packs as ``cdcml verify`` does. The pytest plugin's ``cdcml_subject`` and
``cdcml_law`` fixtures (:mod:`cdcml.testing.plugin`) wrap these.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import os
import random
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from cdcml.capture.invokes import InvokeTable
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture_project
from cdcml.capture.project import Project, StackConfig, load_project, load_stack_config
from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import Pack
from cdcml.errors import CdcmlError
from cdcml.model import ResourceGraph
from cdcml.runs.answers import load_invoke_answers, load_stack_references
from cdcml.runs.packs import load_packs, packs_of_run
from cdcml.testing.acceptance import acceptance, unused
from cdcml.testing.kill_matrix import KillMatrix, kill_matrix
from cdcml.testing.laws import dependency_orders, nondeterminism, secret_leaks
from cdcml.testing.monotone import chains, monotone_properties, monotonicity
from cdcml.testing.spaces import ConfigSpace, config_space
from cdcml.testing.typed_laws import crashes, declared_types, ill_typed, resources_of, under_generated_outputs

__all__ = [
    "LAWS",
    "LawResult",
    "Subject",
    "Verification",
    "check_conforms",
    "check_deterministic",
    "check_discreet",
    "check_law",
    "check_monotone",
    "check_robust",
    "check_sensitive",
    "check_well_typed",
    "load_subject",
    "nonconformance",
    "render",
    "sensitivity",
    "verify",
]

LAWS = ("conforms", "sensitive", "robust", "discreet", "deterministic", "monotone", "well-typed")
T = TypeVar("T")


@dataclass(frozen=True)
class Subject:
    """What is verified: a project's stack (its configuration decrypted) and the packs.

    The laws share what a subject computes once: the capture of the stack's own values
    (:meth:`graph`), the captures by configuration and the configuration space."""

    project: Project
    config: StackConfig
    packs: Sequence[Pack]
    pack_configs: Sequence[PackConfig | None] | None = None
    capture_options: CaptureOptions = field(default_factory=CaptureOptions)
    """What every capture of the laws starts from: the user's answers to invokes and stack
    references (``cdcml verify --invokes``/``--stack-reference``); each law sets the mode."""
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def load(
        cls,
        directory: str | os.PathLike[str] = ".",
        stack: str = "dev",
        *,
        pack_dirs: Sequence[str | os.PathLike[str]] = (),
        config_files: Sequence[str | os.PathLike[str]] = (),
        overrides: Mapping[str, str] | None = None,
        invokes_file: str | os.PathLike[str] | None = None,
        stack_references: Sequence[str] = (),
    ) -> Subject:
        """The project in *directory*, its *stack*'s configuration with *overrides*, and the
        packs of *pack_dirs* (with ``config_files[i]`` for ``pack_dirs[i]``) — by default
        those ``cdcml verify`` finds (``PulumiPolicy.yaml`` packs next to or above the
        project, else cdcml's guardrails), with the answers of *invokes_file* and
        *stack_references* (``NAME=SOURCE``) for its captures (:mod:`cdcml.runs.answers`).
        A pack's warnings are Python warnings."""
        subject, found = load_subject(
            directory,
            stack,
            pack_dirs,
            config_files,
            overrides,
            invokes_file=invokes_file,
            stack_references=stack_references,
        )
        for w in found:
            warnings.warn(w, stacklevel=2)
        return subject

    def graph(self) -> ResourceGraph:
        """The stack's own values captured in preview mode (once)."""
        if "graph" not in self._cache:
            self._cache["graph"] = capture_project(self.project, self.config, self.preview_options())
        return self._cache["graph"]

    def preview_options(self) -> CaptureOptions:
        """:attr:`capture_options` in preview mode."""
        return dataclasses.replace(self.capture_options, mode=OutputMode.PREVIEW)

    def _captures(self) -> _Captures:
        if "captures" not in self._cache:
            self._cache["captures"] = _Captures(self, self.graph())
        return self._cache["captures"]

    def _space(self) -> ConfigSpace:
        if "space" not in self._cache:
            self._cache["space"] = config_space(self.project, self.config)
        return self._cache["space"]


def load_subject(
    directory: str | os.PathLike[str],
    stack: str,
    pack_dirs: Sequence[str | os.PathLike[str]] = (),
    config_files: Sequence[str | os.PathLike[str]] = (),
    overrides: Mapping[str, str] | None = None,
    *,
    invokes_file: str | os.PathLike[str] | None = None,
    stack_references: Sequence[str] = (),
) -> tuple[Subject, list[str]]:
    """:meth:`Subject.load`, returning the run's warnings instead (what the CLI prints):
    secure config keys that could not be decrypted, the stack references' secrets that
    could not be, then the packs'."""
    project = load_project(directory)
    config = load_stack_config(project, stack, dict(overrides or {}))
    answers = load_invoke_answers(invokes_file) if invokes_file is not None else ()
    references = load_stack_references(stack_references)
    options = CaptureOptions(invokes=InvokeTable(answers=answers), stack_references=references.outputs)
    dirs = packs_of_run(pack_dirs, directory)
    packs, configs, found = load_packs(dirs, config_files, project=project.name, stack=stack)
    subject = Subject(project, config, packs, configs, capture_options=options)
    return subject, [*config.undecryptable_notes(), *references.notes, *found]


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


_ON_EXAMPLE: contextvars.ContextVar[Callable[[int], None] | None] = contextvars.ContextVar(
    "cdcml_verify_on_example", default=None
)
"""Told the number of examples a law has run so far (set by :func:`verify`'s *on_example*)."""


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
            tick = _ON_EXAMPLE.get()
            if tick is not None:
                tick(runs[0])
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
                self.graphs[key] = capture_project(self.subject.project, config, self.subject.preview_options())
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
    subject = captures.subject

    def check(case: tuple[Mapping[str, str], random.Random]) -> list[str]:
        values, rng = case
        graph = captures(values)  # the preview capture, shared with conforms
        if isinstance(graph, str):
            return [graph]
        return ill_typed(graph) or under_generated_outputs(
            subject.project, subject.config, values, graph, rng, subject.capture_options
        )

    # Provider outputs are drawn with a Random Hypothesis drives: a seed replays them and a
    # failure shrinks them to the usual ones but for those that matter.
    strategy = st.tuples(space.strategy(), st.randoms(use_true_random=False))
    config_text = _config_text(subject)
    result = _hypothesis("well-typed", strategy, check, examples, seed, lambda case: config_text(case[0]))
    notes = (_space_note(space), "each configuration also in resolved mode with generated provider outputs")
    return dataclasses.replace(result, notes=(*notes, *result.notes))


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


def check_conforms(subject: Subject, *, examples: int = 25, seed: int = 0) -> LawResult:
    """**conforms**: every configuration of the stack's space, captured, passes the packs
    with no mandatory violation (a failure shows the shrunk configuration)."""
    return _conforms(subject, subject._space(), subject._captures(), examples, seed)


def sensitivity(subject: Subject) -> tuple[LawResult, KillMatrix]:
    """**sensitive** with its kill matrix (what :func:`verify` reports)."""
    return _sensitive(subject.graph(), subject)


def check_sensitive(subject: Subject, *, examples: int = 25, seed: int = 0) -> LawResult:
    """**sensitive**: every policy that runs on the stack fires on some single weakening of
    its graph. Not random: *examples* and *seed* are accepted and unused."""
    return sensitivity(subject)[0]


def check_robust(subject: Subject, *, examples: int = 25, seed: int = 0) -> LawResult:
    """**robust**: no policy raises on ill-typed properties of the types the program declares."""
    return _robust(subject.graph(), subject, examples, seed)


def check_discreet(subject: Subject, *, examples: int = 25, seed: int = 0) -> LawResult:
    """**discreet**: no secret a policy reads reaches its messages or remediations. Not
    random: *examples* and *seed* are accepted and unused."""
    graph = subject.graph()
    return _one_shot("discreet", lambda: [_leak(x) for x in secret_leaks(graph, subject.packs, subject.pack_configs)])


def check_deterministic(subject: Subject, *, examples: int = 25, seed: int = 0) -> LawResult:
    """**deterministic**: the stack's graph in any dependency-preserving order gives the
    same resource-policy findings."""
    graph = subject.graph()
    return _hypothesis(
        "deterministic",
        dependency_orders(graph),
        lambda order: nondeterminism(graph, subject.packs, subject.pack_configs, order),
        examples,
        seed,
    )


def check_monotone(subject: Subject, *, examples: int = 25, seed: int = 0) -> LawResult:
    """**monotone**: a stricter numeric or allow-list config never removes a violation."""
    return _monotone(subject.graph(), subject, examples, seed)


def check_well_typed(subject: Subject, *, examples: int = 25, seed: int = 0) -> LawResult:
    """**well-typed**: every azure-native resource of every configuration of the space has
    inputs of the SDK's input types."""
    return _well_typed(subject._space(), subject._captures(), examples, seed)


CHECKS: dict[str, Callable[..., LawResult]] = {
    "conforms": check_conforms,
    "sensitive": check_sensitive,
    "robust": check_robust,
    "discreet": check_discreet,
    "deterministic": check_deterministic,
    "monotone": check_monotone,
    "well-typed": check_well_typed,
}
"""Each law's function by name, in :data:`LAWS`' order."""


def check_law(subject: Subject, law: str, *, examples: int = 25, seed: int = 0) -> LawResult:
    """The law named *law* (one of :data:`LAWS`) on *subject*; the same *seed* gives the
    same result, as ``cdcml verify --seed``."""
    if law not in CHECKS:
        raise CdcmlError(f"unknown law {law!r} (laws: {', '.join(LAWS)})")
    return CHECKS[law](subject, examples=examples, seed=seed)


def render(result: LawResult) -> str:
    """A law's result as text: the verdict, its notes and its counterexample."""
    verdict = "holds" if result.holds else "FAILS"
    lines = [f"{result.law} {verdict} ({result.examples} examples, {result.failures} failures)"]
    lines += [f"  {note}" for note in result.notes]
    if result.counterexample:
        lines.append("counterexample:" if not result.holds else "details:")
        lines += [f"  {line}" for line in result.counterexample.split("\n")]
    return "\n".join(lines)


def verify(
    subject: Subject,
    *,
    laws: Sequence[str] = LAWS,
    examples: int = 25,
    seed: int | None = None,
    on_law: Callable[[str], None] | None = None,
    on_example: Callable[[str, int], None] | None = None,
) -> Verification:
    """Check *laws* on *subject*, in :data:`LAWS`' order, each with :func:`check_law`;
    ``seed`` replays a run (a random one is drawn otherwise and reported in the result).
    *on_law* is told when a law starts, *on_example* how many examples it has run."""
    unknown = [law for law in laws if law not in LAWS]
    if unknown:
        raise CdcmlError(f"unknown law {unknown[0]!r} (laws: {', '.join(LAWS)})")
    seed = random.getrandbits(32) if seed is None else seed
    subject.graph()  # the program's failure on its own values stops the run before any law
    if {"conforms", "well-typed"} & set(laws):
        subject._space()
    results: list[LawResult] = []
    matrix = None
    for law in LAWS:
        if law not in laws:
            continue
        if on_law is not None:
            on_law(law)
        token = _ON_EXAMPLE.set(None if on_example is None else functools.partial(on_example, law))
        try:
            if law == "sensitive":
                result, matrix = sensitivity(subject)
            else:
                result = check_law(subject, law, examples=examples, seed=seed)
        finally:
            _ON_EXAMPLE.reset(token)
        results.append(result)
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
