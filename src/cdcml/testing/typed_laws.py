"""The **robust** and **well-typed** laws, on the installed azure-native SDK's types
(:mod:`cdcml.capture.sdk_types`, :mod:`cdcml.testing.oracle`).

* :func:`crashes` (**robust**): no policy raises on a resource of a type the program
  declares whose properties are drawn from that type — with unknowns, secrets, nulls,
  wrong types, odd casing and undeclared keys mixed in
  (:func:`cdcml.testing.sdk_strategies.property_bags`);
* :func:`ill_typed` (**well-typed**): every azure-native resource the program registers
  has inputs that comply with the SDK's input type (required properties present, closed
  enum members, kinds, nested shapes) — ProTI's type oracle, for Python;
* :func:`under_generated_outputs` (**well-typed**, as ProTI drives it): the program runs
  in resolved mode with provider outputs drawn from the SDK's output types
  (:mod:`cdcml.testing.provider_outputs`), so code inside ``apply`` that depends on an
  output runs too; it must neither fail nor register an ill-typed input.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

from cdcml.capture.invokes import DEFAULT_SUBSCRIPTION_ID
from cdcml.capture.options import CaptureOptions, OutputMode
from cdcml.capture.program import capture_project
from cdcml.capture.project import Project, StackConfig
from cdcml.capture.sdk_types import UnknownResourceType, resource_type
from cdcml.engine.config import PackConfig
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import Pack
from cdcml.errors import CdcmlError
from cdcml.model import ResourceGraph
from cdcml.testing.harness import GraphBuilder
from cdcml.testing.oracle import check_inputs
from cdcml.testing.provider_outputs import UsualInvokes, generated_outputs
from cdcml.testing.sdk_strategies import property_bags

__all__ = ["crashes", "declared_types", "ill_typed", "resources_of", "under_generated_outputs"]
_UNUSUAL_SHOWN = 12


def declared_types(graph: ResourceGraph) -> list[str]:
    """The azure-native resource types *graph* declares that the installed SDK knows."""
    found = []
    for token in dict.fromkeys(r.type for r in graph.resources if r.type.startswith("azure-native:")):
        try:
            resource_type(token)
        except UnknownResourceType:
            continue
        found.append(token)
    return found


def resources_of(types: Sequence[str]) -> st.SearchStrategy[tuple[str, dict[str, object]]]:
    """A type of *types* and a deliberately ill-typed property bag of it."""
    return st.sampled_from(list(types)).flatmap(lambda t: st.tuples(st.just(t), property_bags(t)))


def crashes(
    type_token: str, props: dict[str, object], packs: Sequence[Pack], configs: Sequence[PackConfig | None] | None = None
) -> list[str]:
    """What a policy raised on one resource of *type_token* with *props* (inputs and
    outputs), alone in a graph; none when every policy ran."""
    g = GraphBuilder(preview=True, echo_inputs=True)  # the same ill-typed bag in both
    g.add(type_token, "generated", props)
    try:
        evaluate(g.build(), packs, configs)
    except CdcmlError as e:
        return [e.message]
    return []


def ill_typed(graph: ResourceGraph) -> list[str]:
    """Every input of an azure-native resource of *graph* that disagrees with the SDK's type."""
    problems = []
    for r in graph.resources:
        if not r.type.startswith("azure-native:") or r.type.startswith("pulumi:providers:"):
            continue
        try:
            found = check_inputs(r.type, r.inputs)
        except UnknownResourceType:
            continue
        problems += [f"{r.type.split(':')[-1]} {r.name}: {p}" for p in found]
    return problems


def under_generated_outputs(
    project: Project,
    config: StackConfig,
    values: Mapping[str, str],
    graph: ResourceGraph,
    rng: random.Random,
    base: CaptureOptions | None = None,
) -> list[str]:
    """What breaks when *project*'s program runs for the configuration *values* in resolved
    mode with provider outputs drawn with *rng* (from Hypothesis: ``st.randoms(
    use_true_random=False)``): the program's failure, or every ill-typed input, followed
    by the unusual outputs drawn (what a program might not expect: an empty list, an
    optional output left out, …). *graph* is the preview capture of the same
    configuration: its resources are drawn for up front, in its (deterministic) order. A
    provider function with no offline answer gets the usual value of its result type
    (:class:`~cdcml.testing.provider_outputs.UsualInvokes`). *base*: the options the
    capture starts from (the user's invoke answers, which come first, and stack
    references)."""
    resources = [(r.type, r.name) for r in graph.resources if r.custom and r.type.startswith("azure-native:")]
    subscription = values.get("azure-native:subscriptionId") or DEFAULT_SUBSCRIPTION_ID
    hook = generated_outputs(rng, resources, subscription_id=subscription)
    base = base if base is not None else CaptureOptions()
    invokes = UsualInvokes(subscription_id=subscription, answers=base.invokes.answers)
    options = dataclasses.replace(base, mode=OutputMode.RESOLVED, provider_outputs=hook, invokes=invokes)
    try:
        resolved = capture_project(project, dataclasses.replace(config, values=dict(values)), options)
    except CdcmlError as e:
        problems = [f"with generated provider outputs, {e.message}"]
    else:
        problems = [f"with generated provider outputs: {p}" for p in ill_typed(resolved)]
    if not problems:
        return []
    unusual = hook.unusual()
    if not unusual:
        return [*problems, "provider outputs: all as usual (every list of one element, every output present)"]
    more = [f"… and {len(unusual) - _UNUSUAL_SHOWN} more"] if len(unusual) > _UNUSUAL_SHOWN else []
    return [*problems[:5], "provider outputs (where unusual):", *unusual[:_UNUSUAL_SHOWN], *more]
