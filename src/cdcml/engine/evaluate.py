"""Evaluate: ResourceGraph + Packs + PackConfigs → Findings, with the engine's semantics.

Per resource, in graph order (``delete: true`` resources are skipped, as by
``pulumi policy analyze``): first every pack's ``Remediate`` (only policies at
``remediate``, in order, each seeing the previous one's output), then every pack's
``Analyze`` on the post-Check **inputs**. After all resources, every pack's
``AnalyzeStack`` on all resources' **outputs**, with parent, dependencies and property
dependencies linked to the other resource objects.

Properties are marshaled as the engine marshals them for analyzers and pass through a
protobuf ``Struct`` (so numbers are floats), then through the SDK's own
``deserialize_properties`` and ``unknown_checking_proxy``: secrets reach policies as
plaintext, unknowns raise ``UnknownValueError`` on access, which becomes the advisory
"can't run policy … during preview" diagnostic. Unlike the SDK's servicer, each resource
is converted once, not once per policy; each policy still gets its own proxy (a copy), so
a policy that mutates its ``props`` can't affect the next one. That proxy is built when the
policy first reads ``props`` (see :mod:`cdcml.engine.objects`) rather than before ``validate``:
the same object, but a policy that looks only at ``resource_type`` (most of a large stack,
for a type-filtered stack policy) costs nothing for the resources it skips.

A violation's message is ``description + "\\n" + message``; ``remediate`` is reported as
``mandatory`` by Analyze and AnalyzeStack. Remediations are reported and never written
anywhere; with ``apply_remediations`` (what ``pulumi preview`` does in memory) the
analysis of that resource sees the remediated inputs, without it (``pulumi policy
analyze``) it sees the stored ones.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from inspect import isawaitable
from types import MappingProxyType
from typing import Any, Protocol

from cdcml.collector import old_objects_frozen
from cdcml.engine.config import PackConfig, reconcile
from cdcml.engine.objects import Links, args_fields, lazy_classes, resource_args, stack_objects, unknown_checking_proxy
from cdcml.engine.pack import Pack, policy_severity
from cdcml.engine.wire import as_received, marshal_for_analyzer, resource_ids
from cdcml.errors import CdcmlError
from cdcml.model import (
    EnforcementLevel,
    EvaluatedResource,
    Finding,
    FindingKind,
    Findings,
    PackRef,
    Remediation,
    Resource,
    ResourceGraph,
    freeze,
)
from cdcml.model.values import graph_secrets, redact_text

__all__ = ["PolicyCrashError", "evaluate"]

# The Python SDK's servicer always reports version "0.0.1"; the engine replaces the
# diagnostic's version field with PulumiPolicy.yaml's, but the text of its "can't run
# policy" message keeps the SDK's.
SDK_PACK_VERSION = "0.0.1"

Progress = Callable[[int, int], None]
Observe = Callable[[Resource], Callable[[Any], Any]]
"""Given the resource a policy is about to read, a function that wraps its ``props`` proxy
(``cdcml.testing`` records what each policy reads this way)."""


class Watch(Protocol):
    """Told when each policy call starts and ends (the pack worker's status board):
    *policy* is the policy's index in its pack, *resource* the resource's index among the
    graph's live resources (``-1``: a stack validation)."""

    def begin(self, policy: int, resource: int) -> None: ...
    def end(self) -> None: ...


class PolicyCrashError(CdcmlError):
    """A policy raised an exception (the engine fails the whole run: "failed to run policy")."""


APPLIES_TO = "cdcml_applies_to"
"""A resource policy's attribute declaring the resource types its ``validate`` can report
on (a ``frozenset`` of type tokens): Analyze never calls it for other types. A declaration
is a promise the policy keeps (``cdcml.policies`` enforces its own with a type guard);
without the attribute a policy is called for every resource."""


@dataclass(frozen=True)
class _Check:
    policy: Any
    level: EnforcementLevel
    qualified: str
    validates: bool
    types: frozenset[str] | None
    config: Callable[[], Any]


@dataclass
class _PackRun:
    pack: Pack
    config: PackConfig
    ref: PackRef
    levels: tuple[tuple[Any, EnforcementLevel], ...] = field(init=False)
    """Every policy of the pack with its level, in pack order: resolved once per run, not
    once per resource."""

    def __post_init__(self) -> None:
        self.levels = tuple((p, self.level(p)) for p in self.pack.policies)
        self.index = {id(p): i for i, p in enumerate(self.pack.policies)}
        self._checks: tuple[_Check, ...] | None = None
        self._plans: dict[str, tuple[_Check, ...]] = {}
        self._validating: tuple[str, ...] | None = None
        self._remediators: tuple[Any, ...] | None = None

    def plan(self, sdk: Any, resource_type: str) -> tuple[_Check, ...]:
        """The checks Analyze makes on a *resource_type*, in pack order (once per type and run):
        those that declare no types or this one (:data:`APPLIES_TO`), and those without ``validate``."""
        found = self._plans.get(resource_type)
        if found is None:
            found = self._plans[resource_type] = tuple(
                c for c in self.checks(sdk) if not c.validates or c.types is None or resource_type in c.types
            )
        return found

    def validating(self, sdk: Any) -> tuple[str, ...]:
        """``pack/policy`` of every check that validates: what each resource counts as run."""
        if self._validating is None:
            self._validating = tuple(c.qualified for c in self.checks(sdk) if c.validates)
        return self._validating

    def remediators(self, sdk: Any) -> tuple[Any, ...]:
        """The pack's resource policies at ``remediate``, in order, resolved once per run."""
        if self._remediators is None:
            self._remediators = tuple(
                p
                for p, level in self.levels
                if isinstance(p, sdk.ResourceValidationPolicy) and level is EnforcementLevel.REMEDIATE
            )
        return self._remediators

    def config_of(self, policy: Any) -> Callable[[], Any]:
        """What makes *policy*'s ``get_config()`` value: a fresh copy per call of what
        :meth:`PackConfig.properties` gives, from JSON text made once per run."""
        props = self.config.properties(policy.name)
        return _no_config if props is None else functools.partial(json.loads, json.dumps(props))

    def checks(self, sdk: Any) -> tuple[_Check, ...]:
        """The pack's resource policies that Analyze calls, resolved once per run."""
        if self._checks is None:
            out = []
            for policy, level in self.levels:
                if level is EnforcementLevel.DISABLED or not isinstance(policy, sdk.ResourceValidationPolicy):
                    continue
                if level is EnforcementLevel.REMEDIATE:
                    level = EnforcementLevel.MANDATORY
                types = getattr(policy, APPLIES_TO, None)
                out.append(
                    _Check(
                        policy,
                        level,
                        f"{self.pack.name}/{policy.name}",
                        policy.has_validation(),
                        types if isinstance(types, frozenset) else None,
                        self.config_of(policy),
                    )
                )
            self._checks = tuple(out)
        return self._checks

    def level(self, policy: Any) -> EnforcementLevel:
        return self.pack.policy_level(policy, self.config.level(policy.name))


def _no_config() -> None:
    return None


def _run(result: Any) -> Any:
    """Await a policy's awaitable in a new event loop per call, as the SDK does."""
    if isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(asyncio.ensure_future(result, loop=loop))
        finally:
            loop.close()
    return result


def evaluate(
    graph: ResourceGraph,
    packs: Sequence[Pack],
    configs: Sequence[PackConfig | None] | None = None,
    *,
    apply_remediations: bool | None = None,
    progress: Progress | None = None,
    watch: Watch | None = None,
    observe: Observe | None = None,
) -> Findings:
    """Run *packs* over *graph*. ``configs[i]`` configures ``packs[i]`` (``None`` ⇒ schema
    defaults and the pack's initial config, as with no ``--policy-pack-config``). *watch*
    is told when each policy call starts and ends; *observe* wraps the ``props`` a policy
    reads (neither changes a finding)."""
    runs = []
    for i, pack in enumerate(packs):
        cfg = configs[i] if configs is not None and i < len(configs) else None
        runs.append(_PackRun(pack, cfg if cfg is not None else reconcile(pack), PackRef(pack.name, pack.version)))
    if apply_remediations is None:
        apply_remediations = graph.source != "state"
    evaluator = _Evaluator(graph, runs, apply_remediations, progress, watch, observe)
    ctx = contextvars.copy_context()
    with old_objects_frozen():
        return ctx.run(evaluator.run)


class _Evaluator:
    def __init__(
        self,
        graph: ResourceGraph,
        runs: list[_PackRun],
        apply_remediations: bool,
        progress: Progress | None,
        watch: Watch | None = None,
        observe: Observe | None = None,
    ) -> None:
        from pulumi_policy import policy as sdk

        for run in runs:
            if not run.pack.in_process:
                raise TypeError(f"policy pack {run.pack.name} was loaded in its own process; evaluate it there")
        self.sdk = sdk
        self.watch = watch
        self.observe = observe
        self.position = -1  # the live resource being evaluated (-1: the stack), for the watch
        self.graph = graph
        self.runs = runs
        self.apply_remediations = apply_remediations
        self.progress = progress
        self.findings: list[Finding] = []
        self.remediations: list[Remediation] = []
        self.evaluated: list[EvaluatedResource] = []
        self.stack_tags = MappingProxyType(dict(graph.tags))
        self.ids = resource_ids(graph.resources)
        self.provider_props: dict[str, dict[str, Any]] = {}  # provider URN -> deserialized inputs

    # ---- runtime settings visible to policies (pulumi.Config(), get_stack(), …)

    def _configure_runtime(self) -> None:
        from pulumi.runtime import settings as pulumi_settings
        from pulumi.runtime.config import set_all_config

        pulumi_settings.configure(
            pulumi_settings.Settings(
                project=self.graph.project,
                stack=self.graph.stack,
                dry_run=self.graph.dry_run,
                organization=self.graph.organization,
            )
        )
        set_all_config(dict(self.graph.config), list(self.graph.config_secret_keys))

    def run(self) -> Findings:
        self._configure_runtime()
        live = [r for r in self.graph.resources if not r.delete]
        total = len(live) + 1
        for i, resource in enumerate(live):
            self.position = i
            self._resource(resource)
            if self.progress is not None:
                self.progress(i + 1, total)
        self.position = -1
        stack_ran = self._stack(live)
        if self.progress is not None:
            self.progress(total, total)
        return Findings(
            project=self.graph.project,
            stack=self.graph.stack,
            source=self.graph.source,
            packs=tuple(r.ref for r in self.runs),
            findings=tuple(self.findings),
            remediations=tuple(self.remediations),
            evaluated=tuple(self.evaluated),
            stack_policies=tuple(stack_ran),
        )

    # ---- conversion, once per resource

    def _marshal(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return marshal_for_analyzer(props, self.ids.get)

    @staticmethod
    def _roundtrip(marshaled: Mapping[str, Any], urn: str = "") -> dict[str, Any]:
        try:
            return as_received(marshaled)
        except ValueError:
            # The Python policy SDK reads properties with MessageToDict, which can't
            # represent NaN or infinity: the pack process fails on them under the CLI too.
            raise CdcmlError(
                f"{urn or 'a resource'} has a NaN or infinite number in its properties, which a Python policy "
                "pack can't receive (the Pulumi CLI fails on it the same way)"
            ) from None

    def _options(self, r: Resource) -> Any:
        o = r.options
        ct = o.custom_timeouts
        timeouts = (
            self.sdk.PolicyCustomTimeouts(ct.create, ct.update, ct.delete)
            if ct is not None
            else self.sdk.PolicyCustomTimeouts(0, 0, 0)
        )
        return self.sdk.PolicyResourceOptions(
            o.protect,
            list(o.ignore_changes),
            o.delete_before_replace,
            list(o.aliases),
            timeouts,
            list(o.additional_secret_outputs),
            r.parent or None,
        )

    def _provider(self, r: Resource) -> Any:
        from pulumi_policy.deserialize import deserialize_properties

        if not r.provider:
            return None
        prov = self.graph.get(r.provider_urn)
        if prov is None:
            return None
        # Converted once per provider; every user still gets its own object and proxy (a copy).
        props = self.provider_props.get(prov.urn)
        if props is None:
            props = deserialize_properties(self._roundtrip(self._marshal(prov.inputs), prov.urn))
            self.provider_props[prov.urn] = props
        return self.sdk.PolicyProviderResource(
            prov.type, unknown_checking_proxy(props), prov.urn, prov.urn.rsplit("::", 1)[-1]
        )

    def _scrub(self, text: str, r: Resource | None) -> str:
        """Remove any secret plaintext of *r* (or of the whole graph) and of the stack's
        secret config from *text*."""
        return redact_text(text, graph_secrets(self.graph, None if r is None else [r]))

    def _crash(self, run: _PackRun, policy: Any, r: Resource | None, exc: BaseException) -> PolicyCrashError:
        where = f" on {r.urn}" if r is not None else " on the stack"
        detail = self._scrub(" ".join(f"{type(exc).__name__}: {exc}".split()), r)
        return PolicyCrashError(f"policy {run.pack.name}/{policy.name} raised{where}: {detail}")

    # ---- Remediate + Analyze for one resource

    def _prepare(self, r: Resource) -> tuple[dict[str, Any], Any, Any]:
        """*r*'s inputs as a pack reads them off the wire, its options and its provider."""
        inputs = self._marshal(r.inputs)
        opts = self._options(r)
        provider = self._provider(r)
        return self._roundtrip(inputs, r.urn), opts, provider

    def _call(self, run: _PackRun, policy: Any, result: Callable[[], Any]) -> Any:
        """A policy call (``validate`` or ``remediate``), shown to the watch while it runs."""
        if self.watch is None:
            return _run(result())
        self.watch.begin(run.index.get(id(policy), -1), self.position)
        try:
            return _run(result())
        finally:
            self.watch.end()

    def _resource(self, r: Resource) -> None:
        from pulumi_policy.deserialize import deserialize_properties

        wire, opts, provider = self._prepare(r)
        for run in self.runs:
            remediated = self._remediate(run, r, wire, opts, provider)
            if remediated is not None and self.apply_remediations:
                wire = remediated

        deserialized = deserialize_properties(wire)
        ran: list[str] = []
        for run in self.runs:
            self._analyze(run, r, deserialized, opts, provider, ran)
        self.evaluated.append(EvaluatedResource(r.urn, r.type, r.name, tuple(ran)))

    def _remediate(
        self, run: _PackRun, r: Resource, wire: dict[str, Any], opts: Any, provider: Any
    ) -> dict[str, Any] | None:
        from pulumi_policy.deserialize import deserialize_properties, serialize_properties
        from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

        sdk = self.sdk
        candidates = run.remediators(sdk)
        if not candidates:
            return None
        props = unknown_checking_proxy(deserialize_properties(wire, True))
        changed = False
        for policy in candidates:
            if not policy.has_remediation():
                self._not_applicable(run, policy, r, "Policy does not implement remediate")
                continue
            args = sdk.ResourceValidationArgs(
                r.type, props, r.urn, r.name, opts, provider, run.config.properties(policy.name), self.stack_tags
            )
            # Snapshot first: a remediation may mutate args.props in place and return it.
            before = as_received(serialize_properties(props))
            try:
                new_props = self._call(run, policy, functools.partial(policy.remediate, args))
            except UnknownValueError as e:
                self._add(
                    run,
                    policy,
                    FindingKind.UNKNOWN,
                    EnforcementLevel.ADVISORY,
                    r,
                    "resource",
                    f"can't run remediation '{policy.name}' from policy pack "
                    f"'{run.pack.name}@v{SDK_PACK_VERSION}' during preview: {e.message}",
                )
                continue
            except sdk._NotApplicableError as e:
                self._not_applicable(run, policy, r, e.reason or "")
                continue
            except Exception as e:  # noqa: BLE001 - the engine fails the run; so do we, with a clear line
                raise self._crash(run, policy, r, e) from None
            if new_props:
                props = new_props
                after = as_received(serialize_properties(new_props))
                keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
                self.remediations.append(
                    Remediation(
                        pack=run.pack.name,
                        pack_version=run.pack.version,
                        policy=policy.name,
                        urn=r.urn,
                        resource_type=r.type,
                        description=policy.description,
                        properties=freeze(after),
                        changed=tuple(keys),
                    )
                )
                changed = True
        if not changed:
            return None
        return as_received(serialize_properties(props))

    def _add(
        self,
        run: _PackRun,
        policy: Any,
        kind: FindingKind,
        level: EnforcementLevel,
        r: Resource | None,
        policy_type: str,
        message: str,
        *,
        urn: str | None = None,
    ) -> None:
        """Record one finding; *urn* overrides the resource's (a stack policy's reported URN)."""
        self.findings.append(
            Finding(
                kind=kind,
                pack=run.pack.name,
                pack_version=run.pack.version,
                policy=policy.name,
                policy_type=policy_type,
                enforcement_level=level,
                severity=policy_severity(policy),
                urn=urn if urn is not None else (r.urn if r is not None else ""),
                resource_type=r.type if r is not None else "",
                description=policy.description,
                message=message,
            )
        )

    def _not_applicable(
        self, run: _PackRun, policy: Any, r: Resource | None, reason: str, policy_type: str = "resource"
    ) -> None:
        self._add(run, policy, FindingKind.NOT_APPLICABLE, run.level(policy), r, policy_type, reason)

    def _analyze(
        self, run: _PackRun, r: Resource, deserialized: dict[str, Any], opts: Any, provider: Any, ran: list[str]
    ) -> None:
        from pulumi_policy.proxy import UnknownValueError

        sdk = self.sdk
        cls = lazy_classes(sdk)[0]
        fields = args_fields(r.type, r.urn, r.name, opts, provider, self.stack_tags, deserialized)
        ran.extend(run.validating(sdk))
        # Only the checks for this type: one that declared it never reports on the type
        # (APPLIES_TO) isn't called for it.
        for check in run.plan(sdk, r.type):
            policy = check.policy
            if not check.validates:
                self._not_applicable(run, policy, r, "Policy does not implement validate")
                continue
            report = self._reporter(run, policy, check.level, r, "resource")
            args = resource_args(cls, fields, check.config, None if self.observe is None else self.observe(r))
            try:
                self._call(run, policy, functools.partial(policy.validate, args, report))
            except UnknownValueError as e:
                self._unknown(run, policy, r, e, "resource")
            except sdk._NotApplicableError as e:
                self._not_applicable(run, policy, r, e.reason or "")
            except Exception as e:  # noqa: BLE001 - see _crash
                raise self._crash(run, policy, r, e) from None

    def _reporter(
        self, run: _PackRun, policy: Any, level: EnforcementLevel, r: Resource | None, policy_type: str
    ) -> Callable[..., None]:
        def report_violation(message: str, urn: str | None = None) -> None:
            if message and not isinstance(message, str):
                raise TypeError("Expected message to be a string")
            if urn is not None and not isinstance(urn, str):
                raise TypeError("Expected urn to be a string")
            text = policy.description + (f"\n{message}" if message else "")
            if policy_type == "resource":
                # "For now, we always use the URN we have here rather than a URN specified
                # with the diagnostic." (step_generator.go)
                target = r.urn if r is not None else ""
            else:
                target = urn or ""
            res = r if r is not None else self.graph.get(target)
            self._add(run, policy, FindingKind.VIOLATION, level, res, policy_type, text, urn=target)

        return report_violation

    def _unknown(self, run: _PackRun, policy: Any, r: Resource | None, e: Any, policy_type: str) -> None:
        self._add(
            run,
            policy,
            FindingKind.UNKNOWN,
            EnforcementLevel.ADVISORY,
            r,
            policy_type,
            f"can't run policy '{policy.name}' from policy pack '{run.pack.name}@v{SDK_PACK_VERSION}' "
            f"during preview: {e.message}",
        )

    # ---- AnalyzeStack

    def _stack(self, live: list[Resource]) -> list[str]:
        from pulumi_policy.deserialize import deserialize_properties
        from pulumi_policy.proxy import UnknownValueError

        sdk = self.sdk
        stack_policies = [
            (run, p, level)
            for run in self.runs
            for p, level in run.levels
            if isinstance(p, sdk.StackValidationPolicy) and level is not EnforcementLevel.DISABLED
        ]
        if not stack_policies:
            return []
        converted: list[tuple[Resource, dict[str, Any], Any, Any]] = []
        for r in live:
            props = deserialize_properties(self._roundtrip(self._marshal(r.outputs), r.urn))
            converted.append((r, props, self._options(r), self._provider(r)))
        links = Links(live)
        templates: list[dict[str, Any]] = []  # each resource's object, less its links: built once
        ran: list[str] = []
        for run, policy, level in stack_policies:
            if level is EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY
            resources = stack_objects(sdk, converted, links, self.observe, templates)
            ran.append(f"{run.pack.name}/{policy.name}")
            args = sdk.StackValidationArgs(resources, run.config.properties(policy.name), self.stack_tags)
            report = self._reporter(run, policy, level, None, "stack")
            try:
                self._call(run, policy, functools.partial(policy.validate, args, report))
            except UnknownValueError as e:
                self._unknown(run, policy, None, e, "stack")
            except sdk._NotApplicableError as e:
                self._not_applicable(run, policy, None, e.reason or "", "stack")
            except Exception as e:  # noqa: BLE001 - see _crash
                raise self._crash(run, policy, None, e) from None
        return ran
