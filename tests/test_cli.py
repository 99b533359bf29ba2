"""The command line: exit codes, one-line errors, the JSON report's documented shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest

from cdcml.cli.options import TUNING_HINT
from cdcml.report import REPORT_SCHEMA
from tests.fixtures.cli import cli, one_line_error

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "policies" / "cdc-ml-guardrails"


@pytest.fixture(scope="module")
def seed_json() -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "cdcml.cli", "preview", "--stack", "seed", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_seed_json_report_validates_against_the_documented_shape(seed_json):
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    jsonschema.validate(seed_json, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_seed_verdicts_name_each_broken_guardrail(seed_json):
    by_policy: dict[str, list[dict]] = {}
    for f in seed_json["findings"]:
        if f["kind"] == "violation":
            by_policy.setdefault(f["policy"], []).append(f)
    cdc_urn = "urn:pulumi:seed::cdcml::azure-native:datafactory:ChangeDataCapture::orders-cdc"
    (rec,) = by_policy["cdc-enforce-recurrence-bounds"]
    assert rec["urn"] == cdc_urn and rec["enforcementLevel"] == "mandatory" and "every 1 minute" in rec["message"]
    (mode,) = by_policy["cdc-enforce-mode-allowlist"]
    assert mode["urn"] == cdc_urn and '"Incremental"' in mode["message"]
    tagged = {f["urn"].rsplit("::", 1)[1] for f in by_policy["governance-require-tags"]}
    assert {"cdc-ml-rg", "cdc-factory", "cdc-events", "ml-workspace"} <= tagged
    assert seed_json["summary"]["exitCode"] == 1 and seed_json["summary"]["mandatory"] >= 2


def test_every_evaluated_resource_lists_the_policies_that_ran(seed_json):
    urns = [r["urn"] for r in seed_json["resources"]]
    assert "urn:pulumi:seed::cdcml::pulumi:pulumi:Stack::cdcml-seed" in urns
    cdc = next(r for r in seed_json["resources"] if r["type"] == "azure-native:datafactory:ChangeDataCapture")
    assert "cdc-ml-guardrails/cdc-enforce-recurrence-bounds" in cdc["policies"]


def test_the_text_report_groups_findings_and_exits_one(capsys):
    code, out, _ = cli(capsys, "preview", str(ROOT), "--stack", "seed")
    assert code == 1
    assert "orders-cdc" in out and "cdc-enforce-mode-allowlist" in out and "FAIL" in out


def write_project(tmp_path: Path, program: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  azure-native:location: westeurope\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(program))
    return tmp_path


def test_a_clean_program_exits_zero(capsys, tmp_path):
    d = write_project(
        tmp_path,
        """\
        from pulumi_azure_native import resources
        resources.ResourceGroup("rg", tags={"owner": "a", "cost-center": "b", "environment": "dev",
                                            "data-classification": "internal"})
    """,
    )
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK))
    assert code == 0, out + err
    assert "PASS" in out


def test_a_program_that_raises_exits_two_with_one_line(capsys, tmp_path):
    d = write_project(tmp_path, "raise RuntimeError('no landing zone configured')\n")
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK))
    assert code == 2 and out == ""
    assert one_line_error(err) == (
        "cdcml: error: program demo failed at __main__.py:1: RuntimeError: no landing zone configured"
    )


KEYS_PROGRAM = """\
    import pulumi
    from pulumi_azure_native import resources, storage
    keys = storage.list_storage_account_keys_output(account_name="acct", resource_group_name="rg")
    shared = pulumi.StackReference("acme/net/shared")
    resources.ResourceGroup("rg", tags={"owner": "a", "cost-center": "b", "environment": "dev",
                                        "data-classification": "internal", "vnet": shared.require_output("vnetId")})
    pulumi.export("key", keys.keys[0].value)
"""


@pytest.mark.parametrize("outputs", ["preview", "resolved"])
def test_preview_of_a_program_using_an_invoke_and_a_stack_reference_in_both_modes(capsys, tmp_path, outputs):
    """`.keys[0]` of an unanswered invoke is unknown, not a crash, and the report names the
    invoke; with --invokes and --stack-reference the diagnostics are gone and no secret of
    the answers is printed."""
    from cdcml.capture.program import capture_program
    from cdcml.state.export import dumps, export_stack

    def shared() -> None:
        import pulumi

        pulumi.export("vnetId", "/subscriptions/s/vnet")
        pulumi.export("hubKey", pulumi.Output.secret("hub-key-value"))

    (tmp_path / "prog").mkdir()
    d = write_project(tmp_path / "prog", KEYS_PROGRAM)
    export = tmp_path / "shared.json"
    export.write_bytes(dumps(export_stack(capture_program(shared, project="net", stack="shared", mode="resolved"))))
    invokes = tmp_path / "invokes.yaml"
    invokes.write_text(
        "invokes:\n  - token: azure-native:storage:listStorageAccountKeys\n"
        "    result: {keys: [{value: {4dabf18193072939515e22adb298388d: 1b47061264138c4ac30d75fd1eb44270, "
        "value: sup3r-s3cret-key}}]}\n"
    )
    base = ["preview", str(d), "--policy-pack", str(PACK), "--outputs", outputs, "--json"]
    code, out, err = cli(capsys, *base)
    assert code == 0, out + err
    report = json.loads(out)
    assert (
        "no offline answer for invoke azure-native:storage:listStorageAccountKeys: its result is unknown "
        "(answer it with --invokes FILE)"
    ) in report["diagnostics"]
    code, out, err = cli(capsys, *base, "--invokes", str(invokes), "--stack-reference", f"acme/net/shared={export}")
    assert code == 0, out + err
    report = json.loads(out)
    assert not [d for d in report["diagnostics"] if "offline" in d]
    assert "sup3r-s3cret-key" not in out + err and "hub-key-value" not in out + err


def test_a_program_failing_on_an_unanswered_invoke_names_it_in_its_one_line_error(capsys, tmp_path):
    d = write_project(
        tmp_path,
        """\
        from pulumi_azure_native import storage
        storage.list_storage_account_keys(account_name="acct", resource_group_name="rg").keys[0]
    """,
    )
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), "--outputs", "resolved")
    assert code == 2 and out == ""
    assert one_line_error(err) == (
        "cdcml: error: program demo failed at __main__.py:2: TypeError: 'NoneType' object is not subscriptable "
        "(no offline answer for invoke azure-native:storage:listStorageAccountKeys; answer it with --invokes FILE)"
    )


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--invokes", "missing.yaml", "invokes file missing.yaml does not exist"),
        ("--invokes", "bad.yaml", "invokes file bad.yaml entry #1: 'result' is a required property"),
        ("--stack-reference", "acme/net/shared", "--stack-reference 'acme/net/shared': expected NAME=SOURCE"),
        ("--stack-reference", "a/b/c=missing.json", "--stack-reference a/b/c: state file missing.json does not exist"),
    ],
)
def test_a_missing_or_invalid_answer_file_exits_two_with_one_line(capsys, tmp_path, monkeypatch, flag, value, message):
    d = write_project(tmp_path, "raise RuntimeError('must not run')\n")
    (tmp_path / "bad.yaml").write_text("invokes: [{token: a:b:getC}]\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), flag, value)
    assert code == 2 and out == ""
    assert one_line_error(err).startswith(f"cdcml: error: {message}"), err


def test_a_wrong_passphrase_for_a_referenced_stack_exits_two_with_one_line(capsys, tmp_path, monkeypatch):
    from cdcml.capture.program import capture_program
    from cdcml.state.export import dumps, export_stack

    def shared() -> None:
        import pulumi

        pulumi.export("hubKey", pulumi.Output.secret("hub-key-value"))

    d = write_project(tmp_path, "raise RuntimeError('must not run')\n")
    export = tmp_path / "shared.json"
    graph = capture_program(shared, project="net", stack="shared", mode="resolved")
    export.write_bytes(dumps(export_stack(graph, secrets="passphrase", passphrase="the right one")))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "a wrong one")
    code, out, err = cli(
        capsys, "preview", str(d), "--policy-pack", str(PACK), "--stack-reference", f"acme/net/shared={export}"
    )
    assert code == 2 and out == ""
    assert one_line_error(err).startswith(
        f"cdcml: error: --stack-reference acme/net/shared: {export}: incorrect passphrase"
    )
    assert "a wrong one" not in err and "the right one" not in err


def test_a_report_on_the_invokes_file_is_refused(capsys, tmp_path):
    d = write_project(tmp_path, "raise RuntimeError('must not run')\n")
    invokes = tmp_path / "invokes.yaml"
    invokes.write_text("invokes: []\n")
    code, out, err = cli(
        capsys, "preview", str(d), "--policy-pack", str(PACK), "--invokes", str(invokes), "--sarif", str(invokes)
    )
    assert code == 2 and out == ""
    assert one_line_error(err) == f"cdcml: error: --sarif {invokes}: is the --invokes file of this run"


def test_an_invalid_pack_config_exits_two_with_one_line(capsys, tmp_path):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"cdc-enforce-recurrence-bounds": {"minLatencyMinutes": "fast"}}))
    code, out, err = cli(
        capsys, "preview", str(ROOT), "-s", "seed", "--policy-pack", str(PACK), "--policy-pack-config", str(cfg)
    )
    assert code == 2 and out == ""
    line = one_line_error(err)
    assert "cdc-enforce-recurrence-bounds: minLatencyMinutes: 'fast' is not of type 'number'" in line


def test_a_missing_pack_directory_exits_two(capsys, tmp_path):
    code, out, err = cli(capsys, "preview", str(ROOT), "-s", "seed", "--policy-pack", str(tmp_path / "nope"))
    assert code == 2 and out == ""
    assert "policy pack directory" in one_line_error(err)


def test_an_unknown_stack_exits_two(capsys):
    code, out, err = cli(capsys, "preview", str(ROOT), "--stack", "nope")
    assert code == 2 and out == ""
    assert "unknown stack 'nope'" in one_line_error(err)


def test_a_usage_error_exits_two_with_one_line(capsys):
    code, _, err = cli(capsys, "preview", "--outputs", "sideways")
    assert code == 2
    assert "Invalid value for '--outputs'" in one_line_error(err)


def test_an_unknown_config_policy_is_a_warning_not_an_error(capsys, tmp_path):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"no-such-policy": "mandatory"}))
    code, _, err = cli(capsys, "preview", str(ROOT), "-s", "seed", "--policy-pack-config", str(cfg), "--json")
    assert code == 1
    assert "has no policy 'no-such-policy'" in err


def test_an_unknown_config_policy_with_properties_and_no_level_exits_two_naming_it(capsys, tmp_path):
    """The CLI refuses such an entry when it configures the pack (``invalid enforcement level
    ""``); cdcml refuses it too, saying which entry names no policy, in text and JSON runs alike."""
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"no-such-policy": {"limit": 3}}))
    for extra in ([], ["--json"]):
        code, out, err = cli(capsys, "preview", str(ROOT), "-s", "seed", "--policy-pack-config", str(cfg), *extra)
        assert code == 2 and out == ""
        line = one_line_error(err)
        assert f"policy pack config {cfg}: pack cdc-ml-guardrails has no policy 'no-such-policy'" in line
        assert 'invalid enforcement level ""' in line


def test_preview_reports_carry_the_warnings_of_the_run(capsys, tmp_path):
    """A warning of `cdcml preview` (here: a config entry for a policy the pack doesn't
    have) reaches the JSON report and the SARIF notifications, as it does for `policy
    analyze`, not only stderr: in CI the reports are what people read."""
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"no-such-policy": "mandatory"}))
    sarif = tmp_path / "r.sarif"
    code, out, _ = cli(
        capsys, "preview", str(ROOT), "-s", "seed", "--policy-pack-config", str(cfg), "--json", "--sarif", str(sarif)
    )
    assert code == 1
    doc = json.loads(out)
    jsonschema.validate(doc, REPORT_SCHEMA)
    (warning,) = doc["warnings"]
    assert "has no policy 'no-such-policy'" in warning
    notes = json.loads(sarif.read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes if n["level"] == "warning"] == [warning]


@pytest.mark.parametrize("module", ["cdcml", "cdcml.cli"])
def test_the_installed_entry_point_never_prints_a_traceback(tmp_path, module):
    """`python -m cdcml` and `python -m cdcml.cli` are the cdcml command."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", module, "preview", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_line_error(proc.stderr).endswith("not a Pulumi project directory")


def test_a_report_on_an_input_of_preview_is_refused_before_the_program_runs(capsys, tmp_path):
    """Both commands check their report paths against the run's inputs before any work:
    the program (which would fail) never runs, and the stack file is untouched."""
    d = write_project(tmp_path, "raise RuntimeError('must not run')\n")
    before = (d / "Pulumi.dev.yaml").read_bytes()
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), "--sarif", str(d / "Pulumi.dev.yaml"))
    assert code == 2 and out == ""
    assert one_line_error(err) == (
        f"cdcml: error: --sarif {d / 'Pulumi.dev.yaml'}: is the stack config file of this run"
    )
    assert (d / "Pulumi.dev.yaml").read_bytes() == before


def test_a_report_on_an_input_of_policy_analyze_is_refused(capsys, tmp_path):
    state = tmp_path / "stack.json"
    state.write_text("not even JSON")
    code, out, err = cli(
        capsys, "policy", "analyze", "--file", str(state), "--policy-pack", str(PACK), "--junit", str(state)
    )
    assert code == 2 and out == ""
    assert one_line_error(err) == f"cdcml: error: --junit {state}: is the --file input of this run"
    assert state.read_text() == "not even JSON"


def test_policy_ls_shows_a_packs_metadata_as_escaped_plain_text(capsys, tmp_path):
    """A pack's policy names reach `policy ls` as plain text: an ESC sequence is escaped,
    markup is not interpreted."""
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0[bold]\n")
    (tmp_path / "__main__.py").write_text(
        textwrap.dedent(
            """\
            from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

            PolicyPack(
                name="odd",
                enforcement_level=EnforcementLevel.MANDATORY,
                policies=[ResourceValidationPolicy(
                    name="x\\x1b[2K\\rPASS[red]y", description="d", validate=lambda args, report: None
                )],
            )
            """
        )
    )
    code, out, err = cli(capsys, "policy", "ls", "--policy-pack", str(tmp_path))
    assert code == 0, err
    assert "\x1b" not in out and "\r" not in out
    assert "x\\x1b[2K\\rPASS[red]y" in out and "odd@1.0.0[bold]" in out


@pytest.mark.parametrize("command", [("preview",), ("policy", "analyze")])
def test_both_commands_take_the_input_size_limit_from_a_flag_or_the_environment(command, capsys):
    code, out, _ = cli(capsys, *command, "--help")
    assert code == 0 and "--max-input-size BYTES" in out and "CDCML_MAX_INPUT_SIZE" in out
    code, out, err = cli(capsys, *command, "--max-input-size", "0")
    assert code == 2 and out == ""
    assert "Invalid value for '--max-input-size': must be at least 1 byte" in one_line_error(err)


def test_the_limit_holds_for_the_run_and_is_restored_after_it(capsys, monkeypatch, tmp_path):
    from cdcml.inputs import DEFAULT_MAX_INPUT_SIZE, max_input_size

    state = ROOT / "contract_tests" / "golden" / "inputs" / "state" / "seed.json"
    code, _, err = cli(
        capsys, "policy", "analyze", "--file", str(state), "--policy-pack", str(PACK), "--max-input-size", "2k"
    )
    assert code == 2 and "larger than 2 KiB, the input size limit" in one_line_error(err)
    assert max_input_size() == DEFAULT_MAX_INPUT_SIZE
    monkeypatch.setenv("CDCML_MAX_INPUT_SIZE", "3K")
    code, _, err = cli(capsys, "policy", "analyze", "--file", str(state), "--policy-pack", str(PACK))
    assert code == 2 and "larger than 3 KiB" in one_line_error(err)
    code, _, err = cli(
        capsys, "policy", "analyze", "--file", str(state), "--policy-pack", str(PACK), "--max-input-size", "1G"
    )
    assert code == 1, err  # the flag wins over the environment
    assert max_input_size() == DEFAULT_MAX_INPUT_SIZE


UNTAGGED_STORAGE = """\
    from pulumi_azure_native import resources, storage
    tags = {"owner": "a", "cost-center": "b", "environment": "dev", "data-classification": "internal"}
    rg = resources.ResourceGroup("rg", tags=tags)
    storage.StorageAccount("landing", resource_group_name=rg.name, kind="StorageV2",
                           sku=storage.SkuArgs(name="Standard_LRS"), tags=tags)
"""


def test_preview_fails_on_mandatory_findings_and_hints_at_waivers_and_pack_config(capsys, tmp_path):
    d = write_project(tmp_path, UNTAGGED_STORAGE)
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK))
    assert code == 1 and "identity-disable-storage-shared-key" in out and "FAIL" in out
    hints = [line for line in err.splitlines() if line.startswith("hint:")]
    assert hints == [TUNING_HINT]
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), "--json")
    assert code == 1 and "hint:" not in err and json.loads(out)["summary"]["mandatory"] >= 1


def test_preview_takes_waivers_and_a_baseline_like_policy_analyze(capsys, tmp_path):
    d = write_project(tmp_path, UNTAGGED_STORAGE)
    code, out, _ = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), "--json")
    assert code == 1
    first = json.loads(out)
    mandatory = sorted({f["policy"] for f in first["findings"] if f["enforcementLevel"] == "mandatory"})
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        + "".join(
            f"  - {{policy: {p}, urn: '*::landing', reason: landing zone migrates next sprint, "
            "owner: data-platform@contoso.com, expires: 2999-01-01}\n"
            for p in mandatory
        )
    )
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), "--waivers", str(waivers))
    assert code == 0, err
    assert "◌ waived" in out and f"{len(mandatory)} waived" in out.splitlines()[-1]
    assert "hint:" not in err
    waivers.write_text(waivers.read_text().replace("2999-01-01", "2020-01-01"))
    code, out, _ = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), "--waivers", str(waivers))
    assert code == 1 and out.count("✖ expired waiver #") == len(mandatory) and "waived by" not in out
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(first))
    code, out, _ = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), "--baseline", str(baseline), "--json")
    again = json.loads(out)
    assert code == 0 and again["findings"] == [] and again["summary"]["baselined"] == len(first["findings"])
    code, out, err = cli(capsys, "preview", str(d), "--policy-pack", str(PACK), "--waivers", str(tmp_path / "no.yaml"))
    assert (
        code == 2
        and out == ""
        and one_line_error(err).endswith("waiver file " + str(tmp_path / "no.yaml") + " does not exist")
    )
