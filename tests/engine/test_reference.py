"""The engine's side of the analyzer protocol (engine/reference.py): the requests it builds
from a graph are those ``analyzer_plugin.go`` sends, and the answers become findings with
the engine's rules. The analyzer here is scripted, so each rule is pinned on its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto

from cdcml.engine.config import PackConfig, PolicyConfig
from cdcml.engine.reference import PackSession, _options, _Requests, analyze_graph, stack_configure_request
from cdcml.model import (
    CustomTimeouts,
    EnforcementLevel,
    FindingKind,
    FrozenDict,
    Resource,
    ResourceGraph,
    ResourceOptions,
    Severity,
    freeze,
)
from cdcml.model.values import UNKNOWN, secret

T = "azure-native:storage:StorageAccount"
PROVIDER_URN = "urn:pulumi:dev::proj::pulumi:providers:azure-native::default_3_0_0"
PARENT_URN = "urn:pulumi:dev::proj::cdcml:stacks:Landing::land"
SA_URN = "urn:pulumi:dev::proj::cdcml:stacks:Landing$azure-native:storage:StorageAccount::sa"
RG_URN = "urn:pulumi:dev::proj::azure-native:resources:ResourceGroup::rg"
GONE_URN = "urn:pulumi:dev::proj::azure-native:resources:ResourceGroup::gone"

RESOURCE = proto.PolicyType.POLICY_TYPE_RESOURCE
STACK = proto.PolicyType.POLICY_TYPE_STACK


def graph(**kw: Any) -> ResourceGraph:
    provider = Resource(
        PROVIDER_URN, "pulumi:providers:azure-native", "default_3_0_0", True, id="prov-id", inputs=freeze({"x": 1})
    )
    parent = Resource(PARENT_URN, "cdcml:stacks:Landing", "land", False)
    rg = Resource(RG_URN, "azure-native:resources:ResourceGroup", "rg", True, id="/rg", outputs=freeze({"name": "rg"}))
    sa = Resource(
        SA_URN,
        T,
        "sa",
        True,
        id=UNKNOWN,
        inputs=freeze(
            {
                "kind": "StorageV2",
                "key": secret("s3cret"),
                "rg": {"4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", "urn": RG_URN},
            }
        ),
        outputs=freeze({"kind": "StorageV2", "name": UNKNOWN}),
        parent=PARENT_URN,
        dependencies=(RG_URN,),
        property_dependencies=FrozenDict({"rg": (RG_URN,), "empty": ()}),
        provider=f"{PROVIDER_URN}::prov-id",
        options=ResourceOptions(
            protect=True,
            ignore_changes=("tags",),
            delete_before_replace=False,
            additional_secret_outputs=("key",),
            aliases=("urn:pulumi:dev::proj::azure-native:storage/v20230101:StorageAccount::sa",),
            custom_timeouts=CustomTimeouts(create=60.0, update=30.0, delete=15.0),
        ),
    )
    gone = Resource(GONE_URN, "azure-native:resources:ResourceGroup", "gone", True, id="/gone", delete=True)
    defaults: dict[str, Any] = {
        "project": "proj",
        "stack": "dev",
        "resources": (provider, parent, rg, sa, gone),
        "organization": "contoso",
        "dry_run": True,
        "config": FrozenDict({"proj:a": "1", "proj:pw": "hunter2"}),
        "config_secret_keys": ("proj:pw",),
        "tags": FrozenDict({"team": "data"}),
    }
    defaults.update(kw)
    return ResourceGraph(**defaults)


def test_the_stack_is_configured_with_what_the_engine_knows_of_it() -> None:
    """ConfigureStack carries the stack, project, organization, dry-run flag, config, the
    secret config keys and the stack tags."""
    req = stack_configure_request(graph())
    assert (req.stack, req.project, req.organization, req.dry_run) == ("dev", "proj", "contoso", True)
    assert dict(req.config) == {"proj:a": "1", "proj:pw": "hunter2"}
    assert list(req.config_secret_keys) == ["proj:pw"]
    assert dict(req.tags) == {"team": "data"}
    assert stack_configure_request(graph(dry_run=False)).dry_run is False


def test_every_resource_option_reaches_the_analyzer() -> None:
    """The options the engine sends: protect, ignoreChanges, deleteBeforeReplace (and whether
    it was set), additionalSecretOutputs, aliases, parent and customTimeouts."""
    g = graph()
    opts = _options(g[SA_URN])
    assert opts.protect is True
    assert list(opts.ignoreChanges) == ["tags"]
    assert (opts.deleteBeforeReplace, opts.deleteBeforeReplaceDefined) == (False, True)
    assert list(opts.additionalSecretOutputs) == ["key"]
    assert list(opts.aliases) == list(g[SA_URN].options.aliases)
    assert opts.parent == PARENT_URN
    ct = opts.customTimeouts
    assert (ct.create, ct.update, ct.delete) == (60.0, 30.0, 15.0)


def test_delete_before_replace_true_is_sent_as_true_and_defined() -> None:
    sa = graph()[SA_URN]
    r = Resource(sa.urn, sa.type, sa.name, True, options=ResourceOptions(delete_before_replace=True))
    opts = _options(r)
    assert (opts.deleteBeforeReplace, opts.deleteBeforeReplaceDefined) == (True, True)


def test_unset_options_are_sent_as_the_engine_sends_them() -> None:
    """deleteBeforeReplace unset is 'not defined'; customTimeouts are always sent, zeros when unset."""
    opts = _options(graph()[RG_URN])
    assert (opts.protect, opts.deleteBeforeReplace, opts.deleteBeforeReplaceDefined) == (False, False, False)
    assert opts.HasField("customTimeouts")
    ct = opts.customTimeouts
    assert (ct.create, ct.update, ct.delete) == (0.0, 0.0, 0.0)
    assert opts.parent == ""


def test_an_analyze_request_names_the_resource_its_inputs_and_its_provider() -> None:
    """Type, URN, name (the URN's last part), marshaled properties (resource references as
    ids, unknown when the id is), options and the provider with its inputs."""
    g = graph()
    requests = _Requests(g)
    req = requests.analyze(g[SA_URN], requests.marshal(g[SA_URN].inputs))
    assert (req.type, req.urn, req.name) == (T, SA_URN, "sa")
    props = json_format.MessageToDict(req.properties)
    assert props["kind"] == "StorageV2"
    assert props["rg"] == "/rg"
    assert props["key"]["value"] == "s3cret"
    assert req.options.protect is True
    assert (req.provider.type, req.provider.urn, req.provider.name) == (
        "pulumi:providers:azure-native",
        PROVIDER_URN,
        "default_3_0_0",
    )
    assert json_format.MessageToDict(req.provider.properties) == {"x": 1.0}
    assert not requests.analyze(g[RG_URN], struct_pb2.Struct()).HasField("provider")


def test_a_provider_reference_to_a_resource_not_in_the_graph_sends_no_provider() -> None:
    g = graph()
    sa = g[SA_URN]
    orphan = Resource(sa.urn, sa.type, sa.name, True, provider="urn:pulumi:dev::proj::pulumi:providers:x::p::id")
    g2 = graph(resources=(orphan,))
    assert not _Requests(g2).analyze(orphan, struct_pb2.Struct()).HasField("provider")


def test_the_stack_request_carries_outputs_and_links_of_every_live_resource() -> None:
    """AnalyzeStack: outputs, parent, dependencies, non-empty property dependencies and the
    provider of each resource given (the caller leaves out deleted ones)."""
    g = graph()
    live = [r for r in g.resources if not r.delete]
    req = _Requests(g).stack(live)
    by_urn = {r.urn: r for r in req.resources}
    assert list(by_urn) == [r.urn for r in live]
    sa = by_urn[SA_URN]
    assert (sa.type, sa.name, sa.parent) == (T, "sa", PARENT_URN)
    assert list(sa.dependencies) == [RG_URN]
    assert {k: list(v.urns) for k, v in sa.propertyDependencies.items()} == {"rg": [RG_URN]}
    assert json_format.MessageToDict(sa.properties)["kind"] == "StorageV2"
    assert sa.options.protect is True
    assert sa.provider.urn == PROVIDER_URN
    assert not by_urn[RG_URN].HasField("provider")


# --------------------------------------------------------------------------- answers → findings


def _policy(name: str, level: int, severity: int = 0, kind: int = RESOURCE, description: str = "") -> Any:
    return proto.PolicyInfo(
        name=name,
        description=description or f"{name} says so.",
        enforcementLevel=level,
        severity=severity,
        policy_type=kind,
    )


@dataclass
class ScriptedAnalyzer:
    """An analyzer whose answers are fixed: it records every call it gets."""

    policies: list[Any]
    remediate: dict[str, Any] = field(default_factory=dict)
    analyze: dict[str, Any] = field(default_factory=dict)
    stack: Any = None
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def __call__(self, method: str, request: Any) -> Any:
        self.calls.append((method, request))
        if method == "GetAnalyzerInfo":
            return proto.AnalyzerInfo(name="scripted", policies=self.policies)
        if method == "Remediate":
            return self.remediate.get(request.urn, proto.RemediateResponse())
        if method == "Analyze":
            return self.analyze.get(request.urn, proto.AnalyzeResponse())
        if method == "AnalyzeStack":
            return self.stack or proto.AnalyzeResponse()
        return None


def _session(analyzer: ScriptedAnalyzer, levels: dict[str, EnforcementLevel] | None = None) -> PackSession:
    policies = {name: PolicyConfig(level, {}) for name, level in (levels or {}).items()}
    return PackSession(call=analyzer, name="scripted", version="1.2.3", config=PackConfig("scripted", policies))


def test_a_remediation_that_cant_run_during_preview_is_an_advisory_unknown() -> None:
    """A Remediate diagnostic is reported as an advisory 'unknown' finding of the resource,
    with the policy's severity from GetAnalyzerInfo and the pack's own version."""
    diag = "can't run remediation 'fix-tags' from policy pack 'scripted@v0.0.1' during preview: unknown"
    analyzer = ScriptedAnalyzer(
        policies=[_policy("fix-tags", 3, severity=3)],
        remediate={
            SA_URN: proto.RemediateResponse(
                remediations=[proto.Remediation(policyName="fix-tags", description="Fixes tags.", diagnostic=diag)]
            )
        },
    )
    found = analyze_graph(graph(), [_session(analyzer)])
    (f,) = found.findings
    assert (f.kind, f.enforcement_level, f.severity) == (FindingKind.UNKNOWN, EnforcementLevel.ADVISORY, Severity.HIGH)
    assert (f.pack, f.pack_version, f.policy, f.policy_type) == ("scripted", "1.2.3", "fix-tags", "resource")
    assert (f.urn, f.resource_type, f.description, f.message) == (SA_URN, T, "Fixes tags.", diag)
    assert found.remediations == ()


def test_remediated_properties_are_reported_with_the_keys_they_change_and_applied_in_preview() -> None:
    """A Remediate answer with properties is a remediation (changed keys sorted); in preview
    the next call sees the remediated properties, on state it does not."""
    fixed = struct_pb2.Struct()
    fixed.update(
        {
            "kind": "BlobStorage",
            "extra": True,
            "rg": "/rg",
            "key": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "s3cret"},
        }
    )
    analyzer = ScriptedAnalyzer(
        policies=[_policy("fix-kind", 3)],
        remediate={
            SA_URN: proto.RemediateResponse(
                remediations=[
                    proto.Remediation(policyName="fix-kind", description="Fixes kind.", properties=fixed),
                    proto.Remediation(policyName="no-op", description="Says nothing."),
                ]
            )
        },
    )
    found = analyze_graph(graph(), [_session(analyzer)])
    (rem,) = found.remediations
    assert (rem.pack, rem.pack_version, rem.policy, rem.urn, rem.resource_type) == (
        "scripted",
        "1.2.3",
        "fix-kind",
        SA_URN,
        T,
    )
    assert rem.description == "Fixes kind."
    assert rem.changed == ("extra", "kind")
    assert rem.properties["kind"] == "BlobStorage"
    analyzed = [req for method, req in analyzer.calls if method == "Analyze" and req.urn == SA_URN]
    assert json_format.MessageToDict(analyzed[0].properties)["kind"] == "BlobStorage"

    on_state = ScriptedAnalyzer(policies=analyzer.policies, remediate=analyzer.remediate)
    analyze_graph(graph(), [_session(on_state)], apply_remediations=False)
    analyzed = [req for method, req in on_state.calls if method == "Analyze" and req.urn == SA_URN]
    assert json_format.MessageToDict(analyzed[0].properties)["kind"] == "StorageV2"


def test_analyze_diagnostics_take_the_resource_and_remediate_becomes_mandatory() -> None:
    """Analyze diagnostics are attached to the resource analyzed whatever URN they carry;
    a remediate level is reported as mandatory; a missing severity comes from the policy's
    info; the "can't run policy" message makes an unknown."""
    unknown = "can't run policy 'p-unknown' from policy pack 'scripted@v0.0.1' during preview: x"
    analyzer = ScriptedAnalyzer(
        policies=[_policy("p-fix", 3, severity=2), _policy("p-unknown", 0, severity=1)],
        analyze={
            SA_URN: proto.AnalyzeResponse(
                diagnostics=[
                    proto.AnalyzeDiagnostic(
                        policyName="p-fix", description="D", message="D\nbad", enforcementLevel=3, urn="elsewhere"
                    ),
                    proto.AnalyzeDiagnostic(
                        policyName="p-unknown", description="U", message=unknown, enforcementLevel=0, severity=4
                    ),
                ]
            )
        },
    )
    found = analyze_graph(graph(), [_session(analyzer)])
    fix, unk = found.findings
    assert (fix.kind, fix.enforcement_level, fix.severity, fix.urn, fix.resource_type) == (
        FindingKind.VIOLATION,
        EnforcementLevel.MANDATORY,
        Severity.MEDIUM,
        SA_URN,
        T,
    )
    assert (fix.policy_type, fix.description, fix.message, fix.pack_version) == ("resource", "D", "D\nbad", "1.2.3")
    assert (unk.kind, unk.enforcement_level, unk.severity) == (
        FindingKind.UNKNOWN,
        EnforcementLevel.ADVISORY,
        Severity.CRITICAL,
    )


def test_stack_diagnostics_keep_their_urn_and_find_its_type() -> None:
    """AnalyzeStack diagnostics point where the policy said (type looked up in the graph;
    none for the whole stack)."""
    analyzer = ScriptedAnalyzer(
        policies=[_policy("joins", 1, kind=STACK)],
        stack=proto.AnalyzeResponse(
            diagnostics=[
                proto.AnalyzeDiagnostic(
                    policyName="joins", description="J", message="J\na", enforcementLevel=1, urn=SA_URN
                ),
                proto.AnalyzeDiagnostic(policyName="joins", description="J", message="J\nb", enforcementLevel=1),
                proto.AnalyzeDiagnostic(
                    policyName="joins", description="J", message="J\nc", enforcementLevel=1, urn="nowhere"
                ),
            ],
            not_applicable=[proto.PolicyNotApplicable(policy_name="joins", reason="no CDC")],
        ),
    )
    found = analyze_graph(graph(), [_session(analyzer)])
    a, b, c, na = found.findings
    assert (a.urn, a.resource_type, a.policy_type, a.enforcement_level) == (
        SA_URN,
        T,
        "stack",
        EnforcementLevel.MANDATORY,
    )
    assert (b.urn, b.resource_type) == ("", "")
    assert (c.urn, c.resource_type) == ("nowhere", "")
    assert (na.kind, na.urn, na.resource_type, na.policy_type, na.message) == (
        FindingKind.NOT_APPLICABLE,
        "",
        "",
        "stack",
        "no CDC",
    )
    assert (na.enforcement_level, na.description) == (EnforcementLevel.MANDATORY, "joins says so.")
    assert found.stack_policies == ("scripted/joins",)


def test_policies_run_are_those_enabled_and_implementing_validate() -> None:
    """Each live resource lists the enabled resource policies that ran on it, without those
    that don't implement validate; disabled ones (by info or by config) never count; deleted
    resources are not analyzed."""
    analyzer = ScriptedAnalyzer(
        policies=[
            _policy("a", 1),
            _policy("b", 0, severity=2),
            _policy("off", 2),
            _policy("off-by-config", 1),
            _policy("remediate-only", 3),
            _policy("stacky", 0, kind=STACK),
        ],
        analyze={
            SA_URN: proto.AnalyzeResponse(
                not_applicable=[
                    proto.PolicyNotApplicable(
                        policy_name="remediate-only", reason="Policy does not implement validate"
                    ),
                    proto.PolicyNotApplicable(policy_name="b", reason="only for CDC"),
                ]
            )
        },
    )
    found = analyze_graph(graph(), [_session(analyzer, {"off-by-config": EnforcementLevel.DISABLED})])
    ran = {r.urn: r.policies for r in found.evaluated}
    assert GONE_URN not in ran
    assert ran[SA_URN] == ("scripted/a", "scripted/b")
    assert ran[RG_URN] == ("scripted/a", "scripted/b", "scripted/remediate-only")
    assert found.stack_policies == ("scripted/stacky",)
    nas = [
        (f.policy, f.message, f.enforcement_level, f.severity)
        for f in found.findings
        if f.kind is FindingKind.NOT_APPLICABLE
    ]
    assert nas == [
        ("remediate-only", "Policy does not implement validate", EnforcementLevel.REMEDIATE, Severity.UNSPECIFIED),
        ("b", "only for CDC", EnforcementLevel.ADVISORY, Severity.MEDIUM),
    ]
    assert not [m for m, _ in analyzer.calls if m == "Remediate" and _.urn == GONE_URN]


def test_the_session_is_configured_once_unless_told_not_to() -> None:
    """ConfigureStack before GetAnalyzerInfo (unless the pack process already had it), and
    Configure only when the config has policies."""
    analyzer = ScriptedAnalyzer(policies=[_policy("a", 1)])
    analyze_graph(graph(resources=()), [_session(analyzer, {"a": EnforcementLevel.ADVISORY})])
    assert [m for m, _ in analyzer.calls] == ["ConfigureStack", "GetAnalyzerInfo", "Configure", "AnalyzeStack"]

    quiet = ScriptedAnalyzer(policies=[_policy("a", 1)])
    session = _session(quiet, {"a": EnforcementLevel.ADVISORY})
    session.stack_configured = True
    analyze_graph(graph(resources=()), [session])
    assert [m for m, _ in quiet.calls] == ["GetAnalyzerInfo", "Configure", "AnalyzeStack"]

    bare = ScriptedAnalyzer(policies=[_policy("a", 1)])
    analyze_graph(graph(resources=()), [_session(bare, {"a": EnforcementLevel.ADVISORY})], configure=False)
    assert [m for m, _ in bare.calls] == ["GetAnalyzerInfo", "AnalyzeStack"]

    unconfigured = ScriptedAnalyzer(policies=[_policy("a", 1)])
    analyze_graph(graph(resources=()), [_session(unconfigured)])
    assert [m for m, _ in unconfigured.calls] == ["ConfigureStack", "GetAnalyzerInfo", "AnalyzeStack"]


def test_an_answer_about_a_policy_the_pack_never_listed_is_advisory_and_bare() -> None:
    """A not-applicable answer for a policy missing from GetAnalyzerInfo is kept, at the
    default advisory level, with no description or severity to fill in."""
    analyzer = ScriptedAnalyzer(
        policies=[_policy("known", 1, severity=4)],
        analyze={
            SA_URN: proto.AnalyzeResponse(not_applicable=[proto.PolicyNotApplicable(policy_name="ghost", reason="r")])
        },
    )
    (na,) = analyze_graph(graph(), [_session(analyzer)]).findings
    assert (na.policy, na.kind, na.enforcement_level) == (
        "ghost",
        FindingKind.NOT_APPLICABLE,
        EnforcementLevel.ADVISORY,
    )
    assert (na.description, na.severity, na.message) == ("", Severity.UNSPECIFIED, "r")
