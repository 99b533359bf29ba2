"""`cdcml preview` as a run: the packs load in their own processes while the program runs
in its own; errors come in the order they always did (a pack's first), nothing is left
running when one part fails, and the time limits come from the environment unless given."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cdcml.errors import PackError, ProgramError, ProjectError
from cdcml.runs.preview import preview
from cdcml.workers import POOL, Timeouts, WorkerFailure, live_workers

THING = """
import pulumi

class Thing(pulumi.CustomResource):
    def __init__(self, name, props, opts=None):
        super().__init__("test:index:Thing", name, props, opts)

{body}
"""

PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy
{load}
def check(args, report_violation):
    if args.props.get("bad"):
        report_violation("bad")

PolicyPack("run-pack", [ResourceValidationPolicy(name="check", description="Checks.", validate=check,
                                                 enforcement_level=EnforcementLevel.MANDATORY)])
"""


def project(tmp: Path, body: str = 'Thing("a", {"bad": True})') -> Path:
    d = tmp / "prog"
    d.mkdir()
    (d / "Pulumi.yaml").write_text("name: run\nruntime: python\n")
    (d / "Pulumi.dev.yaml").write_text("config: {}\n")
    (d / "__main__.py").write_text(THING.format(body=textwrap.dedent(body)))
    return d


def pack(tmp: Path, load: str = "") -> Path:
    d = tmp / "pack"
    d.mkdir()
    (d / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 2.0.0\n")
    (d / "__main__.py").write_text(PACK.format(load=load))
    return d


def in_use() -> set[int]:
    idle = {w.pid for _k, w in POOL._idle}
    return set(live_workers()) - idle


def test_a_preview_runs_the_program_and_the_pack_in_their_own_processes(tmp_path: Path) -> None:
    verdict = preview(project(tmp_path), "dev", pack_dirs=[pack(tmp_path)], timeouts=Timeouts())
    (report,) = verdict.stacks
    assert [f.policy for f in report.findings.mandatory] == ["check"]
    assert [(p.name, p.version) for p in verdict.packs] == [("run-pack", "2.0.0")]
    assert [p.name for p in verdict.policies] == ["check"]
    assert in_use() == set(), "every worker is closed or back in the pool"


def test_a_pack_error_comes_before_an_unknown_stack_as_it_always_did(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="failed to load"):
        preview(project(tmp_path), "nosuch", pack_dirs=[pack(tmp_path, load="raise ValueError('x')")])
    (tmp_path / "b").mkdir()
    prog, good = project(tmp_path / "b"), pack(tmp_path / "b")
    with pytest.raises(ProjectError, match="unknown stack 'nosuch'"):
        preview(prog, "nosuch", pack_dirs=[good])
    assert in_use() == set()


def test_a_failing_pack_stops_the_program_already_running(tmp_path: Path) -> None:
    prog = project(tmp_path, "import time\ntime.sleep(600)\n")
    with pytest.raises(PackError, match="failed to load"):
        preview(prog, "dev", pack_dirs=[pack(tmp_path, load="raise ValueError('x')")])
    assert in_use() == set()


def test_the_limits_come_from_the_environment_when_not_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDCML_PROGRAM_TIMEOUT", "1")
    with pytest.raises(WorkerFailure, match=r"^program run \(__main__\.py\) timed out after 1 s"):
        preview(project(tmp_path, "while True:\n    pass\n"), "dev", pack_dirs=[pack(tmp_path)])
    assert in_use() == set()


def test_a_bad_engine_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="engine must be"):
        preview(project(tmp_path), "dev", engine="thread")


OFFLINE = """
from pulumi_azure_native import storage
args = {"account_name": "acct", "resource_group_name": "rg"}
shared = pulumi.StackReference("acme/net/shared")
output_key = storage.list_storage_account_keys_output(**args).keys[0].value
plain_key = storage.list_storage_account_keys(**args).keys[0].value
Thing("a", {"key": output_key, "plain": plain_key, "vnet": shared.require_output("vnetId"),
            "hub": shared.get_output("hubKey")})
"""

ECHO_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def echo(args, report_violation):
    if args.resource_type == "test:index:Thing":
        report_violation("saw " + repr(dict(args.props)))

PolicyPack("echo", [ResourceValidationPolicy(name="echo", description="Echoes.", validate=echo,
                                             enforcement_level=EnforcementLevel.ADVISORY)])
"""


@pytest.mark.parametrize("mode", ["preview", "resolved"])
def test_a_preview_uses_invoke_answers_and_a_referenced_stacks_export_and_keeps_their_secrets(
    tmp_path: Path, mode: str
) -> None:
    """End to end, the program in its own process: `.keys[0]` of an answered invoke (both
    forms) and another stack's outputs from its export file reach the inputs in both modes;
    a secret answer or output a policy echoes is redacted in the findings."""
    from cdcml.capture.program import capture_program
    from cdcml.model.values import secret
    from cdcml.state.export import dumps, export_stack

    def shared() -> None:
        import pulumi

        pulumi.export("vnetId", "/subscriptions/s/vnet")
        pulumi.export("hubKey", pulumi.Output.secret("hub-key-value"))

    export = tmp_path / "shared.json"
    export.write_bytes(dumps(export_stack(capture_program(shared, project="net", stack="shared", mode="resolved"))))
    invokes = tmp_path / "invokes.yaml"
    invokes.write_text(
        "invokes:\n  - token: azure-native:storage:listStorageAccountKeys\n    secret: true\n"
        "    result: {keys: [{keyName: key1, value: sup3r-s3cret-key, permissions: FULL}]}\n"
    )
    echo = tmp_path / "echo"
    echo.mkdir()
    (echo / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (echo / "__main__.py").write_text(ECHO_PACK)
    graphs = []
    verdict = preview(
        project(tmp_path, OFFLINE),
        "dev",
        pack_dirs=[echo],
        mode=mode,
        invokes_file=invokes,
        stack_references=[f"acme/net/shared={export}"],
        on_captured=graphs.append,
        timeouts=Timeouts(),
    )
    thing = next(r for r in graphs[0].resources if r.type == "test:index:Thing")
    assert thing.inputs["key"] == secret("sup3r-s3cret-key")
    assert thing.inputs["plain"] == "sup3r-s3cret-key"  # the SDK's plain form drops secretness
    assert thing.inputs["vnet"] == "/subscriptions/s/vnet" and thing.inputs["hub"] == secret("hub-key-value")
    assert not [d for d in graphs[0].diagnostics if "offline" in d]
    (finding,) = verdict.stacks[0].findings.violations
    assert "/subscriptions/s/vnet" in finding.message
    assert "sup3r-s3cret-key" not in finding.message and "hub-key-value" not in finding.message
    assert finding.message.count("[secret]") == 3, finding.message  # key, plain and hub, echoed and redacted


REFERENCING = """
shared = pulumi.StackReference("acme/net/shared")
Thing("a", {"vnet": shared.get_output("vnetId"), "hub": shared.get_output("hubKey")})
"""


@pytest.mark.parametrize("passphrase", ["correct horse", None])
def test_a_referenced_stacks_passphrase_secret_reaches_the_program_only_with_the_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, passphrase: str | None
) -> None:
    """With the passphrase the program gets the plaintext as a secret (redacted where a
    policy echoes it); without it the reference's outputs are unknown and the run's
    warnings name the reference and the output, never a value."""
    from cdcml.capture.program import capture_program
    from cdcml.model.values import is_unknown, secret
    from cdcml.state.export import dumps, export_stack

    def shared() -> None:
        import pulumi

        pulumi.export("vnetId", "/subscriptions/s/vnet")
        pulumi.export("hubKey", pulumi.Output.secret("hub-key-value"))

    graph = capture_program(shared, project="net", stack="shared", mode="resolved")
    export = tmp_path / "shared.json"
    export.write_bytes(dumps(export_stack(graph, secrets="passphrase", passphrase="correct horse")))
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    if passphrase is None:
        monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    else:
        monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", passphrase)
    echo = tmp_path / "echo"
    echo.mkdir()
    (echo / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (echo / "__main__.py").write_text(ECHO_PACK)
    graphs = []
    verdict = preview(
        project(tmp_path, REFERENCING),
        "dev",
        pack_dirs=[echo],
        mode="resolved",
        stack_references=[f"acme/net/shared={export}"],
        on_captured=graphs.append,
        timeouts=Timeouts(),
    )
    thing = next(r for r in graphs[0].resources if r.type == "test:index:Thing")
    messages = " ".join(f.message for f in verdict.stacks[0].findings.violations)
    assert "hub-key-value" not in messages and "hub-key-value" not in " ".join(verdict.warnings)
    if passphrase is not None:
        assert thing.inputs["hub"] == secret("hub-key-value") and thing.inputs["vnet"] == "/subscriptions/s/vnet"
        assert not [w for w in verdict.warnings if "--stack-reference" in w]
        assert "[secret]" in messages
    else:
        assert is_unknown(thing.inputs["vnet"])
        (note,) = [w for w in verdict.warnings if "--stack-reference" in w]
        assert note.startswith("--stack-reference acme/net/shared: the secret output(s) hubKey can't be decrypted")


LIB = """
from __main__ import Thing


def things(name):
    return Thing(f"{name}-bad", {"bad": True})  # declared here
"""


def multi_file(tmp: Path) -> Path:
    prog = project(tmp, "import lib\n\nThing('top', {'bad': True})\nlib.things('x')\n")
    (prog / "lib.py").write_text(LIB)
    return prog


def test_a_previews_findings_point_at_the_programs_lines_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Positions cross the program's process as project-relative paths; the run locates
    them like the stack's file: relative to the working directory (SARIF's %SRCROOT%)."""
    prog = multi_file(tmp_path)
    monkeypatch.chdir(tmp_path)
    (report,) = preview(prog, "dev", pack_dirs=[pack(tmp_path)], timeouts=Timeouts()).stacks
    by_name = {r.name: r.urn for r in report.graph}
    main = (prog / "__main__.py").read_text().splitlines()
    main_line = next(i for i, line in enumerate(main, 1) if line.startswith("Thing('top'"))
    top, inner = report.sources[by_name["top"]], report.sources[by_name["x-bad"]]
    assert (top.file.uri, top.file.base_id, top.line) == ("prog/__main__.py", "%SRCROOT%", main_line)
    assert top.file.base_uri == tmp_path.resolve().as_uri() + "/"
    assert (str(inner), inner.column) == ("prog/lib.py:6", 0)
    assert report.graph[by_name["x-bad"]].source_position is not None
    assert report.graph[by_name["x-bad"]].source_position.path == "lib.py"
    assert report.graph.stack_urn not in report.sources


def test_a_program_outside_the_working_directory_is_located_by_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prog = multi_file(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    (report,) = preview(prog, "dev", pack_dirs=[pack(tmp_path)], timeouts=Timeouts()).stacks
    inner = next(s for urn, s in report.sources.items() if urn.endswith("::x-bad"))
    assert (inner.file.uri, inner.file.base_id) == ((prog / "lib.py").resolve().as_uri(), "")
    assert str(inner) == f"{(prog / 'lib.py').resolve()}:6"


# --------------------------------------------------------------------------- secure config

SECURE_PROGRAM = """
cfg = pulumi.Config()
token = cfg.require_secret("token")
Thing("a", {"bad": token.apply(lambda t: t.startswith("tok-"))})
"""


def secure_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str = SECURE_PROGRAM) -> tuple[Path, str]:
    """A program whose one resource is bad only when it sees the real secure token."""
    from cdcml.capture.project import encrypt_for_tests

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    d = project(tmp_path, "import pulumi\n" + textwrap.dedent(body))
    salt, ct = encrypt_for_tests("preview-passphrase", b"saltsalt", "tok-a1b2c3d4e5", b"twelve bytes")
    (d / "Pulumi.dev.yaml").write_text(f"encryptionsalt: {salt}\nconfig:\n  run:token:\n    secure: {ct}\n")
    return d, ct


def test_an_undecryptable_secure_key_is_named_in_the_runs_warnings(tmp_path, monkeypatch):
    """Without the passphrase the program sees "[secret]", the violation disappears, and
    the run says which key and that the verdict may differ — never the ciphertext."""
    prog, ct = secure_project(tmp_path, monkeypatch)
    checks = pack(tmp_path)
    verdict = preview(prog, "dev", pack_dirs=[checks])
    assert verdict.stacks[0].findings.mandatory == ()
    (note,) = [w for w in verdict.warnings if "run:token" in w]
    assert note == (
        "config key run:token is secure and could not be decrypted (set PULUMI_CONFIG_PASSPHRASE or "
        "PULUMI_CONFIG_PASSPHRASE_FILE, or pass --config run:token=VALUE); the program and the policies saw the "
        'placeholder "[secret]", so the verdict may differ'
    )
    assert ct not in " ".join(verdict.warnings)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "preview-passphrase")
    verdict = preview(prog, "dev", pack_dirs=[checks])
    assert [f.policy for f in verdict.stacks[0].findings.mandatory] == ["check"]
    assert not [w for w in verdict.warnings if "run:token" in w]


def test_a_program_failing_on_the_placeholder_says_it_saw_one(tmp_path, monkeypatch):
    body = """
    token = pulumi.Config().require_secret("token")
    def check(t):
        if not t.startswith("tok-"):
            raise ValueError("the token must start with tok-")
        return t
    Thing("a", {"token": token.apply(check)})
    """
    prog, ct = secure_project(tmp_path, monkeypatch, body)
    with pytest.raises(ProgramError) as e:
        preview(prog, "dev", pack_dirs=[pack(tmp_path)])
    message = e.value.message
    assert "the token must start with tok-" in message
    assert message.endswith(
        "(the program saw the placeholder '[secret]' for secure config run:token, which could not be decrypted: "
        "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)"
    )
    assert ct not in message
