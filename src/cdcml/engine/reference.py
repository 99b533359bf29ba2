"""The engine's side of the analyzer protocol, driven against any Analyzer service.

:func:`analyze_graph` plays the Pulumi engine: it builds ``AnalyzeRequest`` /
``AnalyzeStackRequest`` / ``ConfigureAnalyzerRequest`` protobufs from a ResourceGraph and
a PackConfig exactly as ``analyzer_plugin.go`` and ``step_generator.go`` do, calls the
service, and converts the responses to Findings with the engine's rules (Analyze
diagnostics take the resource's URN, ``remediate`` becomes ``mandatory``, a missing
severity is filled from ``GetAnalyzerInfo``, the pack version comes from
PulumiPolicy.yaml, a remediation diagnostic is an advisory violation).

The service can be the SDK's own ``_PolicyAnalyzerServicer`` in-process or a gRPC stub
to a pack process started as the CLI starts it (:mod:`cdcml.engine.grpc_pack`); either
way the answers are the SDK's, which makes this the reference the in-process evaluator
is tested against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf import empty_pb2, json_format, struct_pb2

from cdcml.engine.config import PackConfig
from cdcml.engine.wire import marshal_for_analyzer, resource_ids
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
    Severity,
    freeze,
)
from cdcml.structs import to_struct

__all__ = ["AnalyzerService", "PackSession", "analyze_graph", "configure_request", "stack_configure_request"]

_LEVEL_TO_PROTO = {"advisory": 0, "mandatory": 1, "disabled": 2, "remediate": 3}
_PROTO_TO_LEVEL = {v: EnforcementLevel(k) for k, v in _LEVEL_TO_PROTO.items()}
_PROTO_TO_SEVERITY = {
    0: Severity.UNSPECIFIED,
    1: Severity.LOW,
    2: Severity.MEDIUM,
    3: Severity.HIGH,
    4: Severity.CRITICAL,
}


class AnalyzerService(Protocol):
    """The Analyzer RPCs cdcml drives (a servicer, or a gRPC stub with the same names)."""

    def Analyze(self, request: Any, context: Any = ...) -> Any: ...
    def AnalyzeStack(self, request: Any, context: Any = ...) -> Any: ...
    def Remediate(self, request: Any, context: Any = ...) -> Any: ...
    def GetAnalyzerInfo(self, request: Any, context: Any = ...) -> Any: ...
    def Configure(self, request: Any, context: Any = ...) -> Any: ...
    def ConfigureStack(self, request: Any, context: Any = ...) -> Any: ...


Call = Callable[[str, Any], Any]


@dataclass
class PackSession:
    """One pack as the engine sees it: its service, its name and PulumiPolicy.yaml version,
    and the config to send."""

    call: Call  # call(method_name, request) -> response
    name: str
    version: str
    config: PackConfig
    stack_configured: bool = False  # ConfigureStack already sent (a pack process does it at start)


def _proto() -> Any:
    from pulumi.runtime import proto

    return proto


def configure_request(config: PackConfig) -> Any:
    proto = _proto()
    req = proto.ConfigureAnalyzerRequest()
    for name, cfg in config.policies.items():
        pc = proto.PolicyConfig(enforcementLevel=_LEVEL_TO_PROTO[str(cfg.enforcement_level)])
        if cfg.properties:
            pc.properties.update(dict(cfg.properties))
        req.policyConfig[name].CopyFrom(pc)
    return req


def stack_configure_request(graph: ResourceGraph) -> Any:
    proto = _proto()
    return proto.AnalyzerStackConfigureRequest(
        stack=graph.stack,
        project=graph.project,
        organization=graph.organization,
        dry_run=graph.dry_run,
        config=dict(graph.config),
        config_secret_keys=list(graph.config_secret_keys),
        tags=dict(graph.tags),
    )


def _options(r: Resource) -> Any:
    proto = _proto()
    o = r.options
    ct = o.custom_timeouts
    opts = proto.AnalyzerResourceOptions(
        protect=o.protect,
        ignoreChanges=list(o.ignore_changes),
        deleteBeforeReplace=bool(o.delete_before_replace),
        deleteBeforeReplaceDefined=o.delete_before_replace is not None,
        additionalSecretOutputs=list(o.additional_secret_outputs),
        aliases=list(o.aliases),
        parent=r.parent,
    )
    # The engine always sends customTimeouts (zeros when unset).
    opts.customTimeouts.CopyFrom(
        proto.AnalyzerResourceOptions.CustomTimeouts(
            create=ct.create if ct else 0.0, update=ct.update if ct else 0.0, delete=ct.delete if ct else 0.0
        )
    )
    return opts


class _Requests:
    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self.ids = resource_ids(graph.resources)

    def marshal(self, props: Any) -> struct_pb2.Struct:
        return to_struct(marshal_for_analyzer(props, self.ids.get))

    def provider(self, r: Resource) -> Any:
        if not r.provider:
            return None
        prov = self.graph.get(r.provider_urn)
        if prov is None:
            return None
        return _proto().AnalyzerProviderResource(
            type=prov.type, properties=self.marshal(prov.inputs), urn=prov.urn, name=prov.urn.rsplit("::", 1)[-1]
        )

    def analyze(self, r: Resource, properties: struct_pb2.Struct) -> Any:
        req = _proto().AnalyzeRequest(type=r.type, urn=r.urn, name=r.urn.rsplit("::", 1)[-1], options=_options(r))
        req.properties.CopyFrom(properties)
        prov = self.provider(r)
        if prov is not None:
            req.provider.CopyFrom(prov)
        return req

    def stack(self, live: Sequence[Resource]) -> Any:
        proto = _proto()
        req = proto.AnalyzeStackRequest()
        for r in live:
            ar = proto.AnalyzerResource(
                type=r.type,
                urn=r.urn,
                name=r.urn.rsplit("::", 1)[-1],
                options=_options(r),
                parent=r.parent,
                dependencies=list(r.dependencies),
            )
            ar.properties.CopyFrom(self.marshal(r.outputs))
            prov = self.provider(r)
            if prov is not None:
                ar.provider.CopyFrom(prov)
            for key, urns in r.property_dependencies.items():
                if urns:
                    ar.propertyDependencies[key].urns.extend(urns)
            req.resources.append(ar)
        return req


class _Analysis:
    """One run of a graph through the sessions: the engine's bookkeeping of what each
    pack told it (``GetAnalyzerInfo``) and of the findings, remediations and policies run."""

    def __init__(self, graph: ResourceGraph, sessions: Sequence[PackSession], configure: bool) -> None:
        self.graph = graph
        self.sessions = sessions
        self.infos: dict[str, dict[str, tuple[Any, Severity]]] = {}
        for s in sessions:
            if configure and not s.stack_configured:
                s.call("ConfigureStack", stack_configure_request(graph))
            info = s.call("GetAnalyzerInfo", empty_pb2.Empty())
            self.infos[s.name] = {p.name: (p, _PROTO_TO_SEVERITY[p.severity]) for p in info.policies}
            if configure and s.config.policies:
                s.call("Configure", configure_request(s.config))
        self.findings: list[Finding] = []
        self.remediations: list[Remediation] = []
        self.evaluated: list[EvaluatedResource] = []
        self.stack_ran: list[str] = []
        resource_type = _proto().PolicyType.POLICY_TYPE_RESOURCE
        self.resource_policies = {s.name: self.enabled(s, resource_type) for s in sessions}

    # ------------------------------------------------------------------ what the packs said

    def severity(self, session: PackSession, policy: str, proto_severity: int) -> Severity:
        sev = _PROTO_TO_SEVERITY[proto_severity]
        if sev is Severity.UNSPECIFIED and policy in self.infos[session.name]:
            sev = self.infos[session.name][policy][1]
        return sev

    def level_of(self, session: PackSession, policy: str) -> EnforcementLevel:
        lvl = session.config.level(policy)
        if lvl is not None:
            return lvl
        info = self.infos[session.name].get(policy)
        return _PROTO_TO_LEVEL[info[0].enforcementLevel] if info else EnforcementLevel.ADVISORY

    def enabled(self, session: PackSession, policy_type: int) -> list[str]:
        """The session's policies of *policy_type* that aren't disabled, in pack order."""
        return [
            name
            for name, (info, _sev) in self.infos[session.name].items()
            if info.policy_type == policy_type and self.level_of(session, name) is not EnforcementLevel.DISABLED
        ]

    # ------------------------------------------------------------------ answers → findings

    def not_applicable(self, session: PackSession, na: Any, r: Resource | None, policy_type: str) -> None:
        info = self.infos[session.name].get(na.policy_name)
        self.findings.append(
            Finding(
                kind=FindingKind.NOT_APPLICABLE,
                pack=session.name,
                pack_version=session.version,
                policy=na.policy_name,
                policy_type=policy_type,
                enforcement_level=self.level_of(session, na.policy_name),
                severity=self.severity(session, na.policy_name, 0),
                urn=r.urn if r is not None else "",
                resource_type=r.type if r is not None else "",
                description=info[0].description if info else "",
                message=na.reason,
            )
        )

    def diagnostic(self, session: PackSession, d: Any, r: Resource | None, policy_type: str) -> None:
        level = _PROTO_TO_LEVEL[d.enforcementLevel]
        if level is EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        unknown = d.message.startswith(f"can't run policy '{d.policyName}' from policy pack ")
        if r is not None:
            urn, rtype = r.urn, r.type
        else:
            urn = d.urn
            target = self.graph.get(urn)
            rtype = target.type if target is not None else ""
        self.findings.append(
            Finding(
                kind=FindingKind.UNKNOWN if unknown else FindingKind.VIOLATION,
                pack=session.name,
                pack_version=session.version,
                policy=d.policyName,
                policy_type=policy_type,
                enforcement_level=level,
                severity=self.severity(session, d.policyName, d.severity),
                urn=urn,
                resource_type=rtype,
                description=d.description,
                message=d.message,
            )
        )

    def remediation(self, session: PackSession, rem: Any, r: Resource, properties: struct_pb2.Struct) -> None:
        """A ``Remediate`` answer: a diagnostic (the policy couldn't run: unknown), or the
        remediated properties (reported with the keys they change)."""
        if rem.diagnostic:
            self.findings.append(
                Finding(
                    kind=FindingKind.UNKNOWN,
                    pack=session.name,
                    pack_version=session.version,
                    policy=rem.policyName,
                    policy_type="resource",
                    enforcement_level=EnforcementLevel.ADVISORY,
                    severity=self.severity(session, rem.policyName, 0),
                    urn=r.urn,
                    resource_type=r.type,
                    description=rem.description,
                    message=rem.diagnostic,
                )
            )
            return
        if not rem.HasField("properties"):
            return
        before = json_format.MessageToDict(properties)
        after = json_format.MessageToDict(rem.properties)
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        self.remediations.append(
            Remediation(
                pack=session.name,
                pack_version=session.version,
                policy=rem.policyName,
                urn=r.urn,
                resource_type=r.type,
                description=rem.description,
                properties=freeze(after),
                changed=tuple(changed),
            )
        )

    # ------------------------------------------------------------------ the engine's calls

    def remediate(self, requests: _Requests, r: Resource, apply: bool) -> struct_pb2.Struct:
        """Remediate *r* with every session, in order; each sees the previous one's output
        when remediations are applied. Returns the properties Analyze will see."""
        properties = requests.marshal(r.inputs)
        for s in self.sessions:
            resp = s.call("Remediate", requests.analyze(r, properties))
            for na in resp.not_applicable:
                self.not_applicable(s, na, r, "resource")
            for rem in resp.remediations:
                self.remediation(s, rem, r, properties)
                if not rem.diagnostic and rem.HasField("properties") and apply:
                    properties = struct_pb2.Struct()
                    properties.CopyFrom(rem.properties)
        return properties

    def analyze(self, requests: _Requests, r: Resource, properties: struct_pb2.Struct) -> None:
        ran: list[str] = []
        for s in self.sessions:
            resp = s.call("Analyze", requests.analyze(r, properties))
            for d in resp.diagnostics:
                self.diagnostic(s, d, r, "resource")
            skipped = set()
            for na in resp.not_applicable:
                self.not_applicable(s, na, r, "resource")
                if na.reason == "Policy does not implement validate":
                    skipped.add(na.policy_name)
            ran.extend(f"{s.name}/{name}" for name in self.resource_policies[s.name] if name not in skipped)
        self.evaluated.append(EvaluatedResource(r.urn, r.type, r.name, tuple(ran)))

    def analyze_stack(self, request: Any) -> None:
        stack_type = _proto().PolicyType.POLICY_TYPE_STACK
        for s in self.sessions:
            resp = s.call("AnalyzeStack", request)
            for d in resp.diagnostics:
                self.diagnostic(s, d, None, "stack")
            for na in resp.not_applicable:
                self.not_applicable(s, na, None, "stack")
            self.stack_ran.extend(f"{s.name}/{name}" for name in self.enabled(s, stack_type))

    def result(self) -> Findings:
        return Findings(
            project=self.graph.project,
            stack=self.graph.stack,
            source=self.graph.source,
            packs=tuple(PackRef(s.name, s.version) for s in self.sessions),
            findings=tuple(self.findings),
            remediations=tuple(self.remediations),
            evaluated=tuple(self.evaluated),
            stack_policies=tuple(self.stack_ran),
        )


def analyze_graph(
    graph: ResourceGraph,
    sessions: Sequence[PackSession],
    *,
    apply_remediations: bool | None = None,
    configure: bool = True,
) -> Findings:
    """Run *graph* through each session's Analyzer service the way the engine does:
    ConfigureStack, GetAnalyzerInfo and Configure per session; per live resource Remediate
    then Analyze with every session; AnalyzeStack once on the outputs."""
    if apply_remediations is None:
        apply_remediations = graph.source != "state"
    requests = _Requests(graph)
    run = _Analysis(graph, sessions, configure)
    live = [r for r in graph.resources if not r.delete]
    for r in live:
        properties = run.remediate(requests, r, apply_remediations)
        run.analyze(requests, r, properties)
    run.analyze_stack(requests.stack(live))
    return run.result()


def in_process_session(pack: Any, config: PackConfig) -> PackSession:
    """A session on the pack's own SDK servicer, in this process (no gRPC)."""
    servicer = pack.servicer

    def call(method: str, request: Any) -> Any:
        return getattr(servicer, method)(request, None)

    return PackSession(call=call, name=pack.name, version=pack.version, config=config)
