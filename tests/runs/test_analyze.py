"""Analyzing state has `pulumi policy analyze`'s semantics (AnalyzeSnapshot): deleted
resources skipped, Analyze on stored inputs with dry-run on, AnalyzeStack on stored
outputs with parents and dependencies linked, remediations reported and not applied."""

from __future__ import annotations

import dataclasses
import json
import math
import struct
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from cdcml import secrets
from cdcml.engine.config import PackConfig, reconcile
from cdcml.engine.pack import pack_from_policies
from cdcml.errors import StateError
from cdcml.model import FindingKind
from cdcml.model.values import SECRET_SIG, SIG_KEY
from cdcml.runs.analyze import analyze_file, analyze_graphs
from cdcml.state.decode import load_state
from cdcml.state.properties import FLOAT_SIG
from tests.fixtures.cli import cli, one_line_error
from tests.fixtures.state.builders import AUDIT_PACK, legacy_layout, project_layout, write_tree
from tests.fixtures.state.secrets import (
    LINKED_SERVICE,
    PASSPHRASE,
    PASSWORD,
    ciphertexts,
    encrypted_state,
    linked_service_graph,
)

STACK = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
FACTORY = "urn:pulumi:dev::proj::azure-native:datafactory:Factory::f"
CDC = "urn:pulumi:dev::proj::azure-native:datafactory:ChangeDataCapture::c"


def state(**overrides: Any) -> dict[str, Any]:
    resources = [
        {"urn": STACK, "custom": False, "type": "pulumi:pulumi:Stack"},
        {
            "urn": FACTORY,
            "custom": True,
            "id": "/f",
            "type": "azure-native:datafactory:Factory",
            "parent": STACK,
            "inputs": {"location": "westeurope", "size": 3},
            "outputs": {"location": "westeurope", "provisioningState": "Succeeded"},
        },
        {
            "urn": CDC,
            "custom": True,
            "id": "/c",
            "type": "azure-native:datafactory:ChangeDataCapture",
            "parent": STACK,
            "dependencies": [FACTORY],
            "propertyDependencies": {"factoryName": [FACTORY]},
            "inputs": {"factoryName": "f", "password": {SIG_KEY: SECRET_SIG, "ciphertext": "v1:x:y"}},
            "outputs": {"factoryName": "f", "status": "Running"},
        },
        {"urn": CDC + "-old", "custom": True, "id": "/old", "type": "x:y:Z", "delete": True},
    ]
    for r in resources:
        r.update(overrides.get(r["urn"], {}))
    return {"version": 3, "deployment": {"manifest": {"time": "", "magic": "", "version": ""}, "resources": resources}}


def recorder() -> tuple[list[tuple[str, Any]], Any]:
    seen: list[tuple[str, Any]] = []

    def resource_policy(args: Any, report: Any) -> None:
        seen.append(("analyze", (args.urn, dict(args.props), pulumi.runtime.is_dry_run(), args.opts.parent)))

    def stack_policy(args: Any, report: Any) -> None:
        for r in args.resources:
            seen.append(
                (
                    "stack",
                    (
                        r.urn,
                        dict(r.props),
                        r.parent.urn if r.parent else None,
                        [d.urn for d in r.dependencies],
                        {k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
                    ),
                )
            )

    pack = pack_from_policies(
        "rec",
        [
            ResourceValidationPolicy(name="rec-resource", description="Record.", validate=resource_policy),
            StackValidationPolicy(name="rec-stack", description="Record.", validate=stack_policy),
        ],
    )
    return seen, pack


def test_analyze_sees_stored_inputs_with_dry_run_and_stack_policies_see_outputs():
    seen, pack = recorder()
    graph = load_state(state())
    audit = analyze_graphs([graph], [pack], [reconcile(pack)])
    analyzed = {urn: rest for kind, (urn, *rest) in seen if kind == "analyze"}
    assert CDC + "-old" not in analyzed  # delete: true is skipped
    assert set(analyzed) == {STACK, FACTORY, CDC}
    props, dry_run, parent = analyzed[FACTORY]
    assert props == {"location": "westeurope", "size": 3.0} and dry_run is True and parent == STACK
    assert analyzed[CDC][0]["password"] == "[secret]"  # ciphertext is never decrypted
    stack = {urn: rest for kind, (urn, *rest) in seen if kind == "stack"}
    assert set(stack) == {STACK, FACTORY, CDC}
    props, parent, deps, pdeps = stack[CDC]
    assert props == {"factoryName": "f", "status": "Running"}  # outputs, not inputs
    assert (parent, deps, pdeps) == (STACK, [FACTORY], {"factoryName": [FACTORY]})
    assert [r.urn for r in audit.stacks[0].findings.evaluated] == [STACK, FACTORY, CDC]


def test_remediations_are_reported_and_not_applied():
    def add_tag(args: Any) -> Any:
        props = args.props
        props["tags"] = {"owner": "platform"}
        return props

    def needs_tag(args: Any, report: Any) -> None:
        if args.resource_type.endswith("Factory") and "tags" not in args.props:
            report("no tags")

    pack = pack_from_policies(
        "fix",
        [
            ResourceValidationPolicy(
                name="add-tag",
                description="Tag it.",
                remediate=add_tag,
                enforcement_level=EnforcementLevel.REMEDIATE,
            ),
            ResourceValidationPolicy(
                name="needs-tag",
                description="Tagged.",
                validate=needs_tag,
                enforcement_level=EnforcementLevel.MANDATORY,
            ),
        ],
    )
    graph = load_state(state())
    report = analyze_graphs([graph], [pack], [reconcile(pack)]).stacks[0]
    rems = [r for r in report.findings.remediations if r.urn == FACTORY]
    assert rems and rems[0].changed == ("tags",) and rems[0].properties["tags"] == {"owner": "platform"}
    # Not applied: the analysis still sees the stored inputs, without tags.
    assert [f.urn for f in report.findings.violations if f.policy == "needs-tag"] == [FACTORY]
    assert report.exit_code == 1


def test_a_stack_without_resources_is_not_analyzed():
    seen, pack = recorder()
    graph = load_state({"version": 3, "checkpoint": {"stack": "organization/p/s"}})
    report = analyze_graphs([graph], [pack], [PackConfig("rec")]).stacks[0]
    assert seen == [] and report.findings.findings == () and report.exit_code == 0


def test_a_nan_number_a_policy_would_receive_fails_the_stack_clearly(tmp_path):
    nan = {SIG_KEY: FLOAT_SIG, "value": struct.pack(">d", math.nan).hex()}
    doc = state(**{FACTORY: {"inputs": {"ratio": nan}}})
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(StateError) as e:
        analyze_file(path, pack_dirs=[AUDIT_PACK])
    assert f"{FACTORY} inputs.ratio is NaN or infinite" in e.value.message


def test_the_audit_pack_verdicts_on_a_state_file(tmp_path):
    from tests.fixtures.state.builders import variant_doc

    path = tmp_path / "seed.json"
    path.write_text(json.dumps(variant_doc("cdcml", "seed", compliant=False), indent=4))
    audit = analyze_file(path, pack_dirs=[AUDIT_PACK])
    report = audit.stacks[0]
    mandatory = [(f.policy, f.urn.rsplit("::", 1)[-1]) for f in report.mandatory]
    assert mandatory == [("cdc-recurrence", "orders-cdc")]
    assert sorted(f.urn.rsplit("::", 1)[-1] for f in report.findings.violations if f.policy == "owner-tag") == [
        "cdc-events",
        "cdc-factory",
        "cdc-ml-rg",
        "ml-workspace",
    ]
    assert not [f for f in report.findings if f.kind is FindingKind.UNKNOWN]
    assert report.artifact.lines  # a plain JSON file: findings point at the resource's line
    line = report.artifact.lines["urn:pulumi:seed::cdcml::azure-native:datafactory:ChangeDataCapture::orders-cdc"]
    assert "orders-cdc" in path.read_text().splitlines()[line - 1]
    assert audit.exit_code == 1


# --------------------------------------------------------------------------- secrets in state

GUARDRAILS = Path(__file__).resolve().parents[2] / "policies" / "cdc-ml-guardrails"


def _inline_secret_findings(verdict: Any) -> list[Any]:
    return [
        f
        for f in verdict.stacks[0].findings.violations
        if f.policy == "identity-disallow-inline-secrets" and f.urn == LINKED_SERVICE
    ]


@pytest.fixture
def encrypted_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(encrypted_state(), indent=4))
    yield path
    secrets.forget_all()


def test_with_the_passphrase_the_guardrails_see_the_encrypted_linked_service_password(encrypted_file, monkeypatch):
    """identity-disallow-inline-secrets finds the password in the decrypted connection
    string, as under `pulumi policy analyze` with the passphrase; no report text has it."""
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    verdict = analyze_file(encrypted_file, pack_dirs=[GUARDRAILS])
    (finding,) = _inline_secret_findings(verdict)
    assert finding.is_mandatory_violation and "embeds a password" in finding.message
    assert verdict.exit_code == 1
    assert not [w for w in verdict.warnings if "could not be decrypted" in w]
    assert PASSWORD not in json.dumps([f.message for f in verdict.stacks[0].findings.findings])


def test_from_the_passphrase_file_too(encrypted_file, monkeypatch, tmp_path):
    (tmp_path / "pw").write_text(PASSPHRASE + "\n")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(tmp_path / "pw"))
    assert _inline_secret_findings(analyze_file(encrypted_file, pack_dirs=[GUARDRAILS]))


def test_without_the_passphrase_the_run_warns_which_values_the_policies_could_not_see(encrypted_file):
    verdict = analyze_file(encrypted_file, pack_dirs=[GUARDRAILS])
    assert _inline_secret_findings(verdict) == []  # the password is "[secret]" to the policy
    (note,) = [w for w in verdict.warnings if "could not be decrypted" in w]
    assert note.startswith(
        "stack organization/cdcml/dev: 4 secret value(s) could not be decrypted (set PULUMI_CONFIG_PASSPHRASE or "
        "PULUMI_CONFIG_PASSPHRASE_FILE)"
    )
    assert "azure-native:datafactory:LinkedService::orders-link inputs.properties.connectionString" in note
    assert note.endswith("so the verdict may differ")
    assert not [c for c in ciphertexts(json.loads(encrypted_file.read_text())) if c in note]


def test_a_wrong_passphrase_stops_the_run_as_the_pulumi_cli_does(encrypted_file, monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not-the-state-passphrase")
    with pytest.raises(StateError) as e:
        analyze_file(encrypted_file, pack_dirs=[GUARDRAILS])
    assert e.value.message.startswith(f"{encrypted_file}: incorrect passphrase")


def test_each_stack_of_a_backend_is_decrypted_and_warned_about_on_its_own(tmp_path, monkeypatch):
    """A backend run reads the passphrase once; a stack without secrets needs none, and
    the warning names the stack whose secrets stayed hidden."""
    from cdcml.runs.analyze import analyze_backend
    from cdcml.state.export import dumps, to_checkpoint

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    stacks = tmp_path / ".pulumi" / "stacks" / "cdcml"
    stacks.mkdir(parents=True)
    (stacks / "dev.json").write_bytes(
        dumps(to_checkpoint(linked_service_graph(), secrets="passphrase", passphrase=PASSPHRASE))
    )
    plain = dataclasses.replace(linked_service_graph(), stack="qa")
    (stacks / "qa.json").write_bytes(dumps(to_checkpoint(plain, secrets="plaintext")))
    verdict = analyze_backend(f"file://{tmp_path}", pack_dirs=[AUDIT_PACK])
    notes = [w for w in verdict.warnings if "could not be decrypted" in w]
    assert [n.split(":")[0] for n in notes] == ["stack organization/cdcml/dev"]
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    verdict = analyze_backend(f"file://{tmp_path}", pack_dirs=[AUDIT_PACK])
    assert not [w for w in verdict.warnings if "could not be decrypted" in w]
    secrets.forget_all()


# --------------------------------------------------------------------------- --jobs

_JOBS_WAIVERS = """\
version: 1
waivers:
  - policy: cdc-recurrence
    urn: "urn:pulumi:staging::analytics::*"
    reason: Staging runs every minute until the load test is over.
    owner: data-platform@contoso.com
    expires: 2099-09-30
  - policy: audit-test/owner-tag
    urn: "*"
    reason: A lapsed exception.
    owner: landing-zone@contoso.com
    expires: 2020-01-31
"""


def _every_report(capsys: Any, tmp: Path, url: str, jobs: str, extra: list[str]) -> dict[str, object]:
    """What `policy analyze --all --jobs N` prints (text and --json) and writes (SARIF, JUnit, Markdown)."""
    analyze = ["policy", "analyze", "--backend", url, "--all", "--policy-pack", str(AUDIT_PACK), "--jobs", jobs]
    out_dir = tmp / f"jobs-{jobs}"
    out_dir.mkdir()
    files = [a for f in ("sarif", "junit", "markdown") for a in (f"--{f}", str(out_dir / f"report.{f}"))]
    got: dict[str, object] = {
        "text": cli(capsys, *analyze, *extra, *files),
        "json": cli(capsys, *analyze, *extra, "--json"),
    }
    for f in ("sarif", "junit", "markdown"):
        got[f] = (out_dir / f"report.{f}").read_bytes()
    return got


@pytest.mark.parametrize("jobs", ["2", "3", "16"])
def test_jobs_give_the_report_of_one_process_byte_for_byte(tmp_path, capsys, jobs):
    """Invariant: `--jobs N` changes nothing a report says (text, JSON, SARIF, JUnit,
    Markdown), exit code and standard error included — stacks in the backend's order,
    waivers, locks and warnings as one process gives them."""
    backend = write_tree(tmp_path / "backend", project_layout())
    (tmp_path / "waivers.yaml").write_text(_JOBS_WAIVERS)
    extra = ["--waivers", str(tmp_path / "waivers.yaml")]
    one = _every_report(capsys, tmp_path, f"file://{backend}", "1", extra)
    many = _every_report(capsys, tmp_path, f"file://{backend}", jobs, extra)
    assert many == one
    code, text, _ = one["json"]  # type: ignore[misc]
    assert code == 1 and len(json.loads(text)["stacks"]) == 5


def test_jobs_over_a_legacy_backend_filtered_by_project_skip_the_same_stacks(tmp_path, capsys):
    backend = write_tree(tmp_path / "backend", legacy_layout())
    one = _every_report(capsys, tmp_path, f"file://{backend}", "1", ["--project", "cdcml"])
    assert _every_report(capsys, tmp_path, f"file://{backend}", "2", ["--project", "cdcml"]) == one


def test_a_broken_stack_in_a_job_is_the_error_of_one_process(tmp_path, capsys):
    objects = dict(project_layout())
    objects[".pulumi/stacks/cdcml/prod.json"] = b'{"version": 3, "checkpoint": {"stack": "organization/cdcml/prod", '
    backend = write_tree(tmp_path / "backend", objects)
    analyze = ["policy", "analyze", "--backend", f"file://{backend}", "--all", "--policy-pack", str(AUDIT_PACK)]
    code, _, err = cli(capsys, *analyze, "--jobs", "1")
    code_many, _, err_many = cli(capsys, *analyze, "--jobs", "3")
    assert code == code_many == 2
    assert one_line_error(err_many) == one_line_error(err) and "cdcml/prod" in err


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", ""])
def test_a_bad_jobs_value_is_one_line(tmp_path, capsys, value):
    code, _, err = cli(capsys, "policy", "analyze", "--backend", f"file://{tmp_path}", "--all", "--jobs", value)
    assert code == 2
    assert one_line_error(err) == (
        f"cdcml: error: --jobs must be a whole number of processes, 1 or more (got {value!r}) "
        "(see 'cdcml policy analyze --help')"
    )


def test_jobs_go_with_all(tmp_path, capsys):
    code, _, err = cli(capsys, "policy", "analyze", "--file", str(tmp_path / "s.json"), "--jobs", "2")
    assert code == 2 and "--jobs goes with --backend URL --all" in one_line_error(err)
