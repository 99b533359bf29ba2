"""What policies read (cdcml.testing.reads) and the kill matrix built on it
(cdcml.testing.kill_matrix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from cdcml.capture import capture
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import DEFAULT_PACK, load_pack, pack_from_policies
from cdcml.model import FindingKind
from cdcml.model.values import UNKNOWN, secret
from cdcml.testing import GraphBuilder
from cdcml.testing.kill_matrix import apply, config_families, kill_matrix, weakenings
from cdcml.testing.reads import record_reads

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "azure-native:storage:StorageAccount"


def _https_only(args, report):
    if args.resource_type == ACCOUNT and args.props.get("enableHttpsTrafficOnly") is not True:
        report("HTTPS only")


def _min_days(args, report):
    if args.resource_type == ACCOUNT and args.props["retention"]["days"] < 7:
        report("keep a week")


def _reads_but_never_fires(args, report):
    if args.resource_type == ACCOUNT:
        _ = args.props.get("kind")


def _every_account_tagged(args, report):
    for r in args.resources:
        if r.resource_type == ACCOUNT and "owner" not in (r.props.get("tags") or {}):
            report("untagged account")


POLICIES = [
    ResourceValidationPolicy(name="https-only", description="HTTPS only.", validate=_https_only),
    ResourceValidationPolicy(name="min-days", description="A week.", validate=_min_days),
    ResourceValidationPolicy(name="reads-kind", description="Reads kind.", validate=_reads_but_never_fires),
    StackValidationPolicy(name="tagged", description="Tagged.", validate=_every_account_tagged),
]


def pack():
    return pack_from_policies("small", list(POLICIES), enforcement_level="mandatory")


def graph(**overrides):
    props = {
        "enableHttpsTrafficOnly": True,
        "retention": {"days": 30},
        "kind": "StorageV2",
        "tags": {"owner": "data"},
        "location": "westeurope",
    }
    props.update(overrides)
    g = GraphBuilder(echo_inputs=True)  # "retention" is made up: no SDK output has it
    g.add(ACCOUNT, "sa", props)
    g.add("azure-native:resources:ResourceGroup", "rg", {"location": "westeurope"})
    return g.build()


def test_each_policy_reads_exactly_the_paths_it_touches_resource_and_stack_policies_alike():
    reads, _ = record_reads(graph(), [pack()])
    by_name = {r.policy: r.paths for r in reads}
    assert by_name["https-only"] == {ACCOUNT: frozenset({("enableHttpsTrafficOnly",)})}
    assert by_name["min-days"] == {ACCOUNT: frozenset({("retention",), ("retention", "days")})}
    assert by_name["reads-kind"] == {ACCOUNT: frozenset({("kind",)})}
    assert by_name["tagged"] == {ACCOUNT: frozenset({("tags",), ("tags", "owner")})}
    assert all(("location",) not in paths for r in reads for paths in r.paths.values())


@pytest.mark.parametrize("stack", ["seed", "prod"])
def test_recording_reads_changes_no_finding_on_the_reference_stacks(stack):
    """The recording view hands policies exactly what the SDK's proxy does: the findings
    with and without it are equal, unknowns included."""
    g = capture(ROOT, stack)
    packs = [load_pack(DEFAULT_PACK)]
    _, recorded = record_reads(g, packs)
    assert recorded[0] == evaluate(g, packs)


def test_an_unknown_read_through_the_recording_view_is_still_an_unknown_finding():
    g = graph(enableHttpsTrafficOnly=UNKNOWN)
    _, (found,) = record_reads(g, [pack()])
    assert found == evaluate(g, [pack()])
    assert [f.policy for f in found.findings if f.kind is FindingKind.UNKNOWN] == ["https-only"]


def test_weakenings_change_only_read_properties_in_every_class_and_skip_unknowns_and_secrets():
    g = graph(kind=secret("StorageV2"))
    reads, _ = record_reads(g, [pack()])
    ws = weakenings(g, reads)
    described = {(w.path, w.kind, w.value) for w in ws}
    assert (("enableHttpsTrafficOnly",), "flipped", False) in described
    assert (("enableHttpsTrafficOnly",), "removed", None) in described
    assert (("retention", "days"), "boundary", 0) in described
    assert (("retention", "days"), "boundary", 29) in described
    assert (("tags",), "removed", None) in described
    assert all(w.path != ("location",) for w in ws)  # no policy reads it
    assert all(w.path != ("kind",) for w in ws)  # a secret is never weakened
    assert all(w.type == ACCOUNT for w in ws)


def test_applying_a_weakening_changes_that_resource_alone_in_inputs_and_outputs():
    g = graph()
    reads, _ = record_reads(g, [pack()])
    w = next(w for w in weakenings(g, reads) if w.path == ("retention", "days") and w.value == 0)
    changed = apply(g, w)
    account = changed.get(w.urn)
    assert account is not None
    assert account.inputs["retention"]["days"] == 0 and account.outputs["retention"]["days"] == 0
    assert [r for r in changed.resources if r.urn != w.urn] == [r for r in g.resources if r.urn != w.urn]
    removed = apply(g, next(x for x in weakenings(g, reads) if x.path == ("tags",) and x.kind == "removed"))
    assert "tags" not in removed.get(w.urn).inputs


def test_the_kill_matrix_names_what_each_policy_catches_and_what_nothing_notices():
    m = kill_matrix(graph(), [pack()])
    assert set(m.policies) == {"small/https-only", "small/min-days", "small/reads-kind", "small/tagged"}
    assert m.kills["small/https-only"] == {"flipped": 1, "removed": 1}
    assert m.kills["small/min-days"]["boundary"] == 3  # 0, 1 and -1 are under a week; 29, 31, 2**31-1 are not
    assert m.kills["small/tagged"]["removed"] == 2  # tags, tags.owner
    assert m.never_fire == ("small/reads-kind",)
    unnoticed = {(w.path, w.kind, w.value) for w in m.unnoticed}
    assert (("retention", "days"), "boundary", 31) in unnoticed
    assert (("kind",), "enum-member", "BlobStorage") in unnoticed
    # StorageAccountArgs requires kind: no program can leave it out, so it is never removed
    assert not [
        w
        for w in weakenings(graph(), record_reads(graph(), [pack()])[0])
        if w.path == ("kind",) and w.kind == "removed"
    ]
    # Removing what min-days reads makes it raise: a crash, not a pass.
    crashes = {(w.path, w.kind): message for w, message in m.crashed}
    assert set(crashes) == {(("retention",), "removed"), (("retention", "days"), "removed")}
    assert all("policy small/min-days raised" in message and "KeyError" in message for message in crashes.values())
    assert m.generated == len(weakenings(graph(), record_reads(graph(), [pack()])[0]))


# --- config-value and added --------------------------------------------------------------------

STORAGE = "azure-native:storage:StorageAccount"
CLASSES_CONFIG = {
    "classes": {"type": "array", "items": {"type": "string"}, "default": ["public", "internal", "secret"]},
    "requireFor": {"type": "array", "items": {"type": "string"}, "default": ["secret"]},
    "mode": {"type": "string", "enum": ["strict", "lax"], "default": "strict"},
}


def _secret_needs_https(args, report):
    """Reports an account tagged with a class in requireFor that allows plain HTTP."""
    wanted = args.get_config().get("requireFor") or ["secret"]
    label = (args.props.get("tags") or {}).get("class")
    if args.resource_type == STORAGE and label in wanted and args.props.get("supportsHttpsTrafficOnly") is False:
        report("secret data over HTTP")


def _no_inline_password(args, report):
    if args.resource_type == STORAGE and args.props.get("sasPolicy") is not None:
        report("a SAS policy is set")


def _config_pack():
    policies = [
        ResourceValidationPolicy(
            name="secret-https", description="HTTPS for secrets.", validate=_secret_needs_https, config_schema=None
        ),
        ResourceValidationPolicy(name="no-sas", description="No SAS policy.", validate=_no_inline_password),
    ]
    from pulumi_policy import PolicyConfigSchema

    policies[0].config_schema = PolicyConfigSchema(properties=CLASSES_CONFIG)
    return pack_from_policies("cfg", policies, enforcement_level="mandatory")


def _config_graph():
    g = GraphBuilder()
    g.add(
        STORAGE,
        "sa",
        {"supportsHttpsTrafficOnly": False, "tags": {"class": "internal", "owner": "data"}, "location": "westeurope"},
    )
    return g.build()


def test_config_families_are_the_string_lists_and_enums_of_each_policys_config():
    families = config_families([_config_pack()])
    assert set(families) == {"cfg/secret-https"}
    assert frozenset({"public", "internal", "secret"}) in families["cfg/secret-https"]
    assert frozenset({"strict", "lax"}) in families["cfg/secret-https"]


def test_a_value_a_config_list_holds_is_tried_with_every_other_listed_value():
    g, packs = _config_graph(), [_config_pack()]
    reads, _ = record_reads(g, packs)
    ws = weakenings(g, reads, config_families(packs))
    tried = {w.value for w in ws if w.path == ("tags", "class") and w.kind == "config-value"}
    assert tried == {"public", "secret"}
    # a value no config list holds gets no config-value weakening
    assert not [w for w in ws if w.path == ("tags", "owner") and w.kind == "config-value"]
    m = kill_matrix(g, packs)
    assert m.kills["cfg/secret-https"] == {"config-value": 1}
    assert [w.value for w, _ in m.caught if w.kind == "config-value"] == ["secret"]


def test_a_key_a_policy_looked_up_but_the_resource_lacks_is_added_with_a_value_of_its_sdk_type():
    g, packs = _config_graph(), [_config_pack()]
    reads, _ = record_reads(g, packs)
    by_name = {r.policy: r.paths for r in reads}
    assert ("sasPolicy",) in by_name["no-sas"][STORAGE]  # the read of an absent key is recorded
    added = [w for w in weakenings(g, reads) if w.kind == "added"]
    sas = [w for w in added if w.path == ("sasPolicy",)]
    # SasPolicyArgs: sasExpirationPeriod (a string) is required; expirationAction is not (the SDK defaults it)
    assert [w.value for w in sas] == [{"sasExpirationPeriod": "cdcml-added"}]
    assert sas[0].describe() == "StorageAccount sa: sasPolicy added {'sasExpirationPeriod': 'cdcml-added'}"
    changed = apply(g, sas[0]).get(sas[0].urn)
    assert changed is not None and changed.inputs["sasPolicy"]["sasExpirationPeriod"] == "cdcml-added"
    m = kill_matrix(g, packs)
    assert m.kills["cfg/no-sas"] == {"added": 1}


def test_an_absent_boolean_or_enum_is_added_with_each_value():
    def reads_absent(args, report):
        if args.resource_type == STORAGE:
            _ = args.props.get("allowBlobPublicAccess"), args.props.get("minimumTlsVersion")

    p = pack_from_policies("p", [ResourceValidationPolicy(name="r", description="r", validate=reads_absent)])
    g = GraphBuilder()
    g.add(STORAGE, "sa", {"location": "westeurope"})
    graph_ = g.build()
    reads, _ = record_reads(graph_, [p])
    added = {(w.path, w.value) for w in weakenings(graph_, reads) if w.kind == "added"}
    assert {v for path, v in added if path == ("allowBlobPublicAccess",)} == {True, False}
    assert {v for path, v in added if path == ("minimumTlsVersion",)} >= {"TLS1_0", "TLS1_2"}


# --- acceptance (cdcml-verify.yaml's sensitive: section) and the law's verdict ------------------


def _subject(tmp_path, text):
    from cdcml.capture.project import Project, StackConfig
    from cdcml.testing.verify import Subject

    if text is not None:
        (tmp_path / "cdcml-verify.yaml").write_text(text, encoding="utf-8")
    project = Project(name="p", directory=tmp_path, runtime="python", main=tmp_path)
    return Subject(project, StackConfig(stack="prod", values={}), [pack()])


ACCEPTING = """
sensitive:
  never-fires:
    small/reads-kind: "kind is informational here"
  unnoticed:
    - {type: "azure-native:storage:*", path: "retention.days", class: boundary, to: [31, 2147483647],
       why: "longer is stronger"}
stacks:
  prod:
    sensitive:
      unnoticed-fail: true
      unnoticed:
        - {type: "*", path: "**", class: removed, why: "removals: the provider defaults (test)"}
"""


def test_acceptance_rules_match_by_type_path_class_and_value_and_stack_sections_add_to_the_global_one(tmp_path):
    import yaml

    from cdcml.testing.acceptance import parse_acceptance

    accepted = parse_acceptance(yaml.safe_load(ACCEPTING), "prod")
    assert accepted.unnoticed_fail is True
    assert accepted.never_fires == {"small/reads-kind": "kind is informational here"}
    first, removals = accepted.unnoticed
    ws = {(w.path, w.kind, w.value): w for w in weakenings(graph(), record_reads(graph(), [pack()])[0])}
    assert first.matches(ws[("retention", "days"), "boundary", 31])
    assert not first.matches(ws[("retention", "days"), "boundary", 29])  # not listed in to:
    assert not first.matches(ws[("retention", "days"), "removed", None])
    assert removals.matches(ws[("tags", "owner"), "removed", None])
    several = parse_acceptance(
        {"sensitive": {"unnoticed": [{"type": "*", "path": ["kind", "tags.*"], "why": "y"}]}}, "p"
    )
    assert several.unnoticed[0].matches(ws[("tags", "owner"), "removed", None])
    assert several.unnoticed[0].matches(ws[("kind",), "enum-member", "Storage"])
    assert not several.unnoticed[0].matches(ws[("tags",), "removed", None])
    assert not removals.matches(ws[("enableHttpsTrafficOnly",), "flipped", False])
    other = parse_acceptance(yaml.safe_load(ACCEPTING), "dev")
    assert other.unnoticed_fail is False and len(other.unnoticed) == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("sensitive: {never-fires: {small/reads-kind: ''}}", "sensitive.never-fires.small/reads-kind: 'why' must be"),
        ("sensitive: {never-fires: {reads-kind: why}}", "'reads-kind' is not a pack/policy name"),
        ("sensitive: {unnoticed: [{type: '*', path: x}]}", "sensitive.unnoticed[0]: 'why' must be a non-empty string"),
        ("sensitive: {unnoticed: [{path: x, why: y}]}", "sensitive.unnoticed[0]: 'type' must be"),
        ("sensitive: {unnoticed: [{type: '*', path: [], why: y}]}", "'path' must be a non-empty string or a list"),
        ("sensitive: {unnoticed: [{type: '*', path: x, why: y, class: bent}]}", "'class' must be one of"),
        ("sensitive: {unnoticed: [{type: '*', path: x, why: y, colour: red}]}", "unknown key 'colour'"),
        ("sensitive: {unnoticed-fail: yes please}", "sensitive.unnoticed-fail: expected true or false"),
        ("sensitive: {surely: 1}", "unknown key 'surely'"),
        (
            "stacks: {prod: {sensitive: {unnoticed: [{type: '*', path: '', why: y}]}}}",
            "stacks.prod.sensitive.unnoticed[0]",
        ),
    ],
)
def test_a_bad_acceptance_entry_is_a_one_line_error_naming_the_file_and_the_entry(tmp_path, text, error):
    from cdcml.errors import ConfigError
    from cdcml.testing.acceptance import acceptance

    subject = _subject(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        acceptance(subject.project, "prod")
    message = str(raised.value.message)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "cdcml-verify.yaml"))
    assert error in message


def _law(tmp_path, text):
    from cdcml.testing.verify import _sensitive

    without_crashes = pack_from_policies(
        "small", [p for p in POLICIES if p.name != "min-days"], enforcement_level="mandatory"
    )
    subject = _subject(tmp_path, text)
    subject = type(subject)(subject.project, subject.config, [without_crashes])
    return _sensitive(graph(), subject)


def test_without_acceptance_the_law_fails_on_each_never_firing_policy_and_only_lists_unnoticed_ones(tmp_path):
    result, matrix = _law(tmp_path, None)
    assert matrix.never_fire == ("small/reads-kind",)
    assert result.failures == 1 and not result.holds
    assert result.counterexample == "never fires here: small/reads-kind"
    assert matrix.unexplained == matrix.unnoticed and matrix.unnoticed
    assert any(n.startswith("unnoticed: StorageAccount sa:") for n in result.notes)


def test_an_accepted_never_firing_policy_holds_and_unexplained_weakenings_fail_only_when_asked(tmp_path):
    accepted = "sensitive: {never-fires: {small/reads-kind: informational}}\n"
    result, matrix = _law(tmp_path, accepted)
    assert result.holds
    assert matrix.accepted_never_fire == {"small/reads-kind": "informational"}
    assert "1 never fire (1 accepted)" in result.notes[0]
    strict = accepted + "stacks: {prod: {sensitive: {unnoticed-fail: true}}}\n"
    result, matrix = _law(tmp_path, strict)
    assert result.failures == len(matrix.unnoticed) > 0
    assert result.counterexample is not None
    assert "unnoticed, unexplained: StorageAccount sa: kind 'StorageV2' → 'Storage'" in result.counterexample
    explained = strict.replace(
        "sensitive: {never-fires: {small/reads-kind: informational}}",
        "sensitive: {never-fires: {small/reads-kind: informational}, unnoticed: [{type: '*', path: '**', why: all}]}",
    )
    result, matrix = _law(tmp_path, explained)
    assert result.holds and matrix.unexplained == ()
    assert [len(ws) for _, ws in matrix.accepted_unnoticed] == [len(matrix.unnoticed)]
    assert "0 unexplained" in result.notes[1]


def test_a_union_discriminator_is_never_changed_and_a_required_key_never_removed():
    linked = "azure-native:datafactory:LinkedService"

    def reads_linked(args, report):
        if args.resource_type == linked:
            _ = args.props["properties"]["type"], args.props["properties"].get("url"), args.props.get("factoryName")

    p = pack_from_policies("p", [ResourceValidationPolicy(name="r", description="r", validate=reads_linked)])
    g = GraphBuilder()
    g.add(linked, "ls", {"factoryName": "f", "properties": {"type": "AzureBlobFS", "url": "https://x"}})
    graph_ = g.build()
    ws = weakenings(graph_, record_reads(graph_, [p])[0])
    assert not [w for w in ws if w.path == ("properties", "type")]  # the discriminator of the union
    assert not [w for w in ws if w.path == ("factoryName",) and w.kind == "removed"]  # required by LinkedServiceArgs
    assert [w.kind for w in ws if w.path == ("properties", "url")] == ["removed"]  # AzureBlobFS's url is optional


@pytest.mark.parametrize("stack", ["prod", "fanin"])
def test_the_repositorys_acceptance_parses_fails_on_the_unexplained_and_names_only_real_policies(stack):
    from cdcml.capture.project import load_project
    from cdcml.testing.acceptance import acceptance

    accepted = acceptance(load_project(ROOT), stack)
    assert accepted.unnoticed_fail is True
    names = {f"{p.name}/{q.name}" for p in [load_pack(DEFAULT_PACK)] for q in p.policies}
    assert set(accepted.never_fires) <= names
    assert accepted.unnoticed and all(rule.why for rule in accepted.unnoticed)


def test_the_acceptance_knows_every_mutation_class():
    from cdcml.testing import acceptance as acc
    from cdcml.testing.kill_matrix import CLASSES

    assert acc.CLASSES == CLASSES
