"""A policy test harness that behaves like the runtime.

Every helper runs the policy through cdcml's evaluator, the same code path as
``cdcml preview``: properties pass through a protobuf Struct (so ``32`` arrives as
``32.0``), are wrapped in the SDK's unknown-checking proxy, config comes from the
policy's JSON-schema defaults merged with *config* and validated like the CLI does, and
messages are the engine's (``description + "\\n" + message``). Hand-built
``ResourceValidationArgs`` get none of this (pulumi-policy#445).

Use :func:`unknown` and :func:`secret` inside props to model preview-time unknowns and
secrets::

    assert_violation(cdc_enforce_recurrence_bounds, CDC, {"policy": {"mode": "Microbatch",
                     "recurrence": {"frequency": "Minute", "interval": 1}}}, match="minimum latency")
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cdcml.engine.config import PolicyConfig, reconcile
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import pack_from_policies
from cdcml.model import (
    EnforcementLevel,
    Finding,
    FindingKind,
    Findings,
    FrozenDict,
    Resource,
    ResourceGraph,
    ResourceOptions,
    freeze,
)
from cdcml.model.values import UNKNOWN
from cdcml.model.values import secret as wire_secret
from cdcml.testing.outputs import provider_id, provider_outputs

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

PROJECT, STACK = "test", "test"


def unknown() -> str:
    """A value that can't be known during preview (the engine's unknown sentinel)."""
    return UNKNOWN


def secret(value: Any) -> dict[str, Any]:
    """A secret value, as the engine passes it (policies see the plaintext)."""
    return wire_secret(value)


def _urn(type_: str, name: str, parent: str | None = None, *, stack: str = STACK, project: str = PROJECT) -> str:
    """A resource's URN: its type qualified by its *parent*'s type chain, if it has one."""
    qualified = f"{parent.split('::')[2]}${type_}" if parent else type_
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def run_policy(
    policy: Any,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
    name: str = "subject",
    enforcement_level: EnforcementLevel | str | None = None,
) -> Findings:
    """Run one resource policy on one resource with *props* as its inputs."""
    urn = _urn(resource_type, name)
    resource = Resource(
        urn=urn,
        type=resource_type,
        name=name,
        custom=True,
        id="" if preview else f"{name}-id",
        inputs=freeze(dict(props)),
        outputs=freeze(dict(props)),
    )
    graph = ResourceGraph(
        project=PROJECT,
        stack=STACK,
        resources=(resource,),
        source="preview" if preview else "resolved",
        dry_run=preview,
    )
    return _evaluate(policy, graph, config, enforcement_level)


def _evaluate(
    policy: Any,
    graph: ResourceGraph,
    config: Mapping[str, Any] | None,
    enforcement_level: EnforcementLevel | str | None,
) -> Findings:
    pack = pack_from_policies("test-pack", [policy], enforcement_level=EnforcementLevel.ADVISORY)
    entry: dict[str, Any] = dict(config or {})
    level = EnforcementLevel(enforcement_level) if enforcement_level is not None else None
    file_config = {policy.name: PolicyConfig(level, entry or None)} if (entry or level) else None
    return evaluate(graph, [pack], [reconcile(pack, file_config)])


def violations(
    policy: Any,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
) -> list[Finding]:
    """The violations *policy* reports for a resource of *resource_type* with *props*."""
    found = run_policy(policy, resource_type, props, config=config, preview=preview)
    return [f for f in found.findings if f.kind is FindingKind.VIOLATION and f.policy == policy.name]


def _matches(f: Finding, match: str | None) -> bool:
    return match is None or re.search(match, f.message) is not None


def _describe(found: Findings) -> str:
    if not found.findings:
        return "no findings"
    return "; ".join(f"{f.kind}: {f.message!r}" for f in found.findings)


def assert_violation(
    policy: Any,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    match: str | None = None,
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
) -> Finding:
    """Assert *policy* reports a violation (whose message matches the regex *match*)."""
    found = run_policy(policy, resource_type, props, config=config, preview=preview)
    hits = [f for f in found.findings if f.kind is FindingKind.VIOLATION and _matches(f, match)]
    if not hits:
        raise AssertionError(
            f"expected a violation of {policy.name}{f' matching {match!r}' if match else ''}; got {_describe(found)}"
        )
    return hits[0]


def assert_no_violation(
    policy: Any,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
) -> None:
    """Assert *policy* reports no violation and can run (no unknown diagnostic)."""
    found = run_policy(policy, resource_type, props, config=config, preview=preview)
    bad = [f for f in found.findings if f.kind in (FindingKind.VIOLATION, FindingKind.UNKNOWN)]
    if bad:
        raise AssertionError(f"expected no violation of {policy.name}; got {_describe(found)}")


def assert_unknown(
    policy: Any,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    match: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> Finding:
    """Assert *policy* can't run during preview (an unknown value it needs)."""
    found = run_policy(policy, resource_type, props, config=config, preview=True)
    hits = [f for f in found.findings if f.kind is FindingKind.UNKNOWN and _matches(f, match)]
    if not hits:
        raise AssertionError(f"expected {policy.name} to hit an unknown value; got {_describe(found)}")
    if any(f.kind is FindingKind.VIOLATION for f in found.findings):
        raise AssertionError(f"{policy.name} reported a violation on an unknown value: {_describe(found)}")
    return hits[0]


def assert_not_applicable(
    policy: Any, resource_type: str, props: Mapping[str, Any], *, config: Mapping[str, Any] | None = None
) -> Finding:
    found = run_policy(policy, resource_type, props, config=config)
    hits = [f for f in found.findings if f.kind is FindingKind.NOT_APPLICABLE]
    if not hits:
        raise AssertionError(f"expected {policy.name} to be not applicable; got {_describe(found)}")
    return hits[0]


@dataclass
class GraphBuilder:
    """Builds a small ResourceGraph for stack policies::

        g = GraphBuilder()
        ns = g.add("azure-native:eventhub:Namespace", "ns", {"sku": {"name": "Standard"}})
        g.add("azure-native:eventhub:EventHub", "hub", {...}, parent=ns, depends_on=[ns])
        assert_stack_violation(policy, g.build(), match="consumer group")

    ``props`` are the resource's inputs (what the program declares). Its outputs (what
    most stack policies read) are, for an azure-native type, those a capture records
    (:func:`cdcml.testing.outputs.provider_outputs`): input-only fields such as
    ``ConsumerGroup.eventHubName`` are absent, ``name``, ``type``, ``provisioningState``
    and an identity's ``principalId`` are there — unknown in a ``preview`` graph — and a
    resolved resource's id is its ARM id when its inputs give one (else ``<name>-id``). Give
    ``outputs=`` to set them exactly; ``GraphBuilder(echo_inputs=True)`` makes every
    resource's outputs a copy of its inputs (the behaviour before realistic outputs).
    ``add(type_, name, outputs_props, inputs=…)`` — ``inputs`` given, ``props`` without
    ``outputs`` — still reads ``props`` as the outputs.
    """

    project: str = PROJECT
    stack: str = STACK
    preview: bool = False
    echo_inputs: bool = False
    """Outputs are a copy of the inputs, whatever the type (unless ``outputs=`` is given)."""
    _resources: list[Resource] = field(default_factory=list)

    def add(
        self,
        type_: str,
        name: str,
        props: Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        parent: str | None = None,
        depends_on: Sequence[str] = (),
        property_dependencies: Mapping[str, Sequence[str]] | None = None,
        custom: bool = True,
        id: str | None = None,
        protect: bool = False,
    ) -> str:
        urn = _urn(type_, name, parent, stack=self.stack, project=self.project)
        given = dict(props or {})
        if outputs is not None:
            ins, outs = dict(inputs) if inputs is not None else given, dict(outputs)
        elif inputs is not None:  # props are the outputs, as before outputs= existed
            ins, outs = dict(inputs), given
        elif self.echo_inputs or not custom:
            ins, outs = given, given
        else:
            ins, outs = given, provider_outputs(type_, name, urn, given, preview=self.preview)
        if id is not None:
            rid = id
        elif not custom:
            rid = ""
        elif self.preview:
            rid = UNKNOWN
        else:
            rid = f"{name}-id" if self.echo_inputs else provider_id(type_, name, ins)
        self._resources.append(
            Resource(
                urn=urn,
                type=type_,
                name=name,
                custom=custom,
                id=rid,
                inputs=freeze(ins),
                outputs=freeze(outs),
                parent=parent or "",
                dependencies=tuple(depends_on),
                property_dependencies=FrozenDict({k: tuple(v) for k, v in (property_dependencies or {}).items()}),
                options=ResourceOptions(protect=protect),
            )
        )
        return urn

    def build(self) -> ResourceGraph:
        return ResourceGraph(
            project=self.project,
            stack=self.stack,
            resources=tuple(self._resources),
            source="preview" if self.preview else "resolved",
            dry_run=self.preview,
        )


def run_stack_policy(policy: Any, graph: ResourceGraph, *, config: Mapping[str, Any] | None = None) -> Findings:
    return _evaluate(policy, graph, config, None)


def stack_violations(policy: Any, graph: ResourceGraph, *, config: Mapping[str, Any] | None = None) -> list[Finding]:
    found = run_stack_policy(policy, graph, config=config)
    return [f for f in found.findings if f.kind is FindingKind.VIOLATION and f.policy == policy.name]


def assert_stack_violation(
    policy: Any,
    graph: ResourceGraph,
    *,
    match: str | None = None,
    urn: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> Finding:
    found = run_stack_policy(policy, graph, config=config)
    hits = [
        f
        for f in found.findings
        if f.kind is FindingKind.VIOLATION and _matches(f, match) and (urn is None or f.urn == urn)
    ]
    if not hits:
        raise AssertionError(
            f"expected a stack violation of {policy.name}"
            f"{f' matching {match!r}' if match else ''}{f' on {urn}' if urn else ''}; "
            f"got {_describe(found)}"
        )
    return hits[0]


def assert_no_stack_violation(policy: Any, graph: ResourceGraph, *, config: Mapping[str, Any] | None = None) -> None:
    found = run_stack_policy(policy, graph, config=config)
    bad = [f for f in found.findings if f.kind in (FindingKind.VIOLATION, FindingKind.UNKNOWN)]
    if bad:
        raise AssertionError(f"expected no stack violation of {policy.name}; got {_describe(found)}")


# ---- named case tables: one compliant base, a table of named cases (style.md §5)

__all__ += [
    "DELETE",
    "Case",
    "assert_case",
    "assert_stack_case",
    "assert_stack_unknown",
    "expectation",
    "graph_from_spec",
    "merged",
]


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()
"""A patch value that removes the key (or, in a stack spec, the resource) it is set on."""


def merged(base: Any, patch: Any) -> Any:
    """*base* with *patch* applied: mappings merge recursively, :data:`DELETE` removes a
    key, anything else (lists included) replaces the value. Neither argument is changed."""
    if patch is DELETE:
        return DELETE
    if not isinstance(base, Mapping) or not isinstance(patch, Mapping):
        return patch
    out = dict(base)
    for key, value in patch.items():
        result = merged(base[key], value) if key in base else merged({}, value) if value is DELETE else value
        if result is DELETE:
            out.pop(key, None)
        else:
            out[key] = result
    return out


@dataclass(frozen=True)
class Case:
    """One named case of a policy's table: a patch of the compliant ``BASE``, and how to run
    it. ``expect`` defaults to the case name's first word: ``pass``, ``fail`` or ``unknown``.
    A plain mapping in a table is shorthand for ``Case(patch=mapping)``."""

    patch: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] | None = None
    match: str | None = None
    expect: str | None = None
    resource_type: str | None = None
    preview: bool = False


def _case(case: Case | Mapping[str, Any]) -> Case:
    return case if isinstance(case, Case) else Case(patch=case)


def expectation(name: str, case: Case | Mapping[str, Any]) -> str:
    """What a named case expects: ``pass``, ``fail`` or ``unknown``."""
    c = _case(case)
    kind = c.expect or name.split("_", 1)[0]
    if kind not in ("pass", "fail", "unknown"):
        raise ValueError(f"case {name!r}: name it pass_…, fail_… or unknown_…, or set Case(expect=…)")
    return kind


def assert_case(
    policy: Any, resource_type: str, base: Mapping[str, Any], name: str, case: Case | Mapping[str, Any]
) -> None:
    """Run one named case of a resource policy's table through the runtime-faithful harness."""
    c = _case(case)
    props = merged(base, c.patch)
    kind = expectation(name, c)
    rtype = c.resource_type or resource_type
    if kind == "pass":
        assert_no_violation(policy, rtype, props, config=c.config, preview=c.preview)
    elif kind == "fail":
        assert_violation(policy, rtype, props, match=c.match, config=c.config, preview=c.preview)
    else:
        assert_unknown(policy, rtype, props, match=c.match, config=c.config)


def graph_from_spec(spec: Mapping[str, Any], *, preview: bool = False) -> ResourceGraph:
    """A ResourceGraph from a spec: resource name → ``{"type", "props", "deps", "parent"}``
    where ``deps`` maps a property to the names of the resources it depends on (property
    dependencies, and dependencies too) and ``parent`` names the parent. Resources are
    added in order; names of missing (deleted) resources are skipped. ``props`` are the
    inputs; the outputs are what :class:`GraphBuilder` makes of them (a capture's), or a
    copy of the inputs for a resource with ``"echo_inputs": True``."""
    g = GraphBuilder(preview=preview)
    live = {name: r for name, r in spec.items() if r is not DELETE and r is not None}
    urns: dict[str, str] = {}

    def urn(name: str) -> str:
        # The URN GraphBuilder.add gives the resource (its parent's type chain, then its own).
        if name not in urns:
            r = live[name]
            parent = r.get("parent")
            parent_urn = urn(parent) if parent in live else None
            urns[name] = _urn(r["type"], name, parent_urn, stack=g.stack, project=g.project)
        return urns[name]

    for name, r in live.items():
        deps = {k: [urn(n) for n in v if n in live] for k, v in dict(r.get("deps") or {}).items()}
        depends = sorted({u for v in deps.values() for u in v})
        parent = r.get("parent")
        props = dict(r.get("props") or {})
        g.add(
            r["type"],
            name,
            props,
            outputs=props if r.get("echo_inputs") else None,
            parent=urn(parent) if parent in live else None,
            depends_on=depends,
            property_dependencies=deps,
        )
    return g.build()


def assert_stack_unknown(
    policy: Any, graph: ResourceGraph, *, match: str | None = None, config: Mapping[str, Any] | None = None
) -> Finding:
    """Assert a stack policy can't decide during preview and reports no violation."""
    found = run_stack_policy(policy, graph, config=config)
    if any(f.kind is FindingKind.VIOLATION for f in found.findings):
        raise AssertionError(f"{policy.name} reported a violation on an unknown value: {_describe(found)}")
    hits = [f for f in found.findings if f.kind is FindingKind.UNKNOWN and _matches(f, match)]
    if not hits:
        raise AssertionError(f"expected {policy.name} to hit an unknown value; got {_describe(found)}")
    return hits[0]


def assert_stack_case(policy: Any, base: Mapping[str, Any], name: str, case: Case | Mapping[str, Any]) -> None:
    """Run one named case of a stack policy's table: *base* is a :func:`graph_from_spec`
    spec, the case patches it (``{"name": DELETE}`` removes a resource)."""
    c = _case(case)
    graph = graph_from_spec(merged(base, c.patch), preview=c.preview)
    kind = expectation(name, c)
    if kind == "pass":
        assert_no_stack_violation(policy, graph, config=c.config)
    elif kind == "fail":
        assert_stack_violation(policy, graph, match=c.match, config=c.config)
    else:
        assert_stack_unknown(policy, graph, match=c.match, config=c.config)
