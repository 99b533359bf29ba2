"""`cdcml verify`: the laws run with Hypothesis on a project and its packs
(cdcml.testing.verify, cdcml.testing.spaces, the CLI command)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from cdcml.capture.project import load_project, load_stack_config
from cdcml.cli import run
from cdcml.engine.pack import load_pack
from cdcml.errors import CdcmlError, ConfigError
from cdcml.testing.spaces import config_space
from cdcml.testing.verify import Subject, verify

PROGRAM = """\
import pulumi

cfg = pulumi.Config()


class Thing(pulumi.CustomResource):
    def __init__(self, name, props, opts=None):
        super().__init__("test:index:Thing", name, props, opts)


Thing("a", {"public": cfg.get_bool("public") or False, "size": cfg.get_int("size") or 1, "owner": "team"})
"""

PACK = """\
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def private(args, report):
    if args.resource_type == "test:index:Thing" and args.props.get("public"):
        report("the thing is public")


def small(args, report):
    if args.resource_type == "test:index:Thing" and args.props.get("size", 0) > 12:
        report("the thing is too large")


PolicyPack("tiny-pack", [
    ResourceValidationPolicy(name="private", description="Things are private.", validate=private),
    ResourceValidationPolicy(name="small", description="Things are small.", validate=small),
], enforcement_level=EnforcementLevel.MANDATORY)
"""


def project(root: Path, declarations: str = "", stack: str = "config:\n  tiny:size: '4'\n") -> Path:
    d = root / "tiny"
    d.mkdir(parents=True, exist_ok=True)
    (d / "Pulumi.yaml").write_text("name: tiny\nruntime: python\n" + declarations)
    (d / "Pulumi.dev.yaml").write_text(stack)
    (d / "__main__.py").write_text(PROGRAM)
    return d


def pack(root: Path) -> Path:
    d = root / "tiny-pack"
    d.mkdir(parents=True, exist_ok=True)
    (d / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (d / "__main__.py").write_text(PACK)
    return d


DECLARED = textwrap.dedent(
    """\
    config:
      tiny:public:
        type: boolean
        default: false
      tiny:size:
        type: integer
        default: 4
    """
)


def subject(root: Path, declarations: str = DECLARED) -> Subject:
    proj = load_project(project(root, declarations))
    return Subject(proj, load_stack_config(proj, "dev"), [load_pack(pack(root))])


def test_conforms_fails_on_a_declared_value_a_policy_forbids_and_shrinks_to_it(tmp_path):
    """The declared boolean takes both values; `public: true` breaks the private policy,
    and the counterexample is that configuration with the violation named."""
    result = verify(subject(tmp_path), laws=["conforms"], examples=30, seed=7)
    (conforms,) = result.results
    assert not conforms.holds and not result.holds
    assert conforms.counterexample is not None
    assert "tiny:public = true" in conforms.counterexample
    assert "tiny-pack/private on a: the thing is public" in conforms.counterexample
    assert conforms.notes[0] == "space: Pulumi.yaml config declarations"


def test_a_seed_replays_the_same_run(tmp_path):
    first = verify(subject(tmp_path), laws=["conforms", "deterministic"], examples=15, seed=42)
    again = verify(subject(tmp_path), laws=["conforms", "deterministic"], examples=15, seed=42)
    assert [(r.law, r.examples, r.failures, r.counterexample) for r in first.results] == [
        (r.law, r.examples, r.failures, r.counterexample) for r in again.results
    ]
    assert first.seed == again.seed == 42


def test_without_declarations_conforms_runs_on_the_stacks_own_values_and_says_so(tmp_path):
    result = verify(subject(tmp_path, declarations=""), laws=["conforms"], examples=5, seed=1)
    (conforms,) = result.results
    assert conforms.holds and conforms.notes == ("no configuration space declared: the stack's own values",)


def test_the_narrowing_file_fixes_keys_and_a_bad_one_is_named(tmp_path):
    s = subject(tmp_path)
    (s.project.directory / "cdcml-verify.yaml").write_text("fixed:\n  tiny:public: false\n")
    (conforms,) = verify(s, laws=["conforms"], examples=40, seed=3).results
    # public can't vary any more; size moves around the stack's 4 and shrinks to the
    # smallest size the small policy forbids.
    assert conforms.counterexample is not None
    assert "tiny:public = false" in conforms.counterexample and "tiny:size = 13" in conforms.counterexample
    space = config_space(s.project, s.config)
    assert space.fixed == {"tiny:public": "false"} and set(space.varying) == {"tiny:size"}
    (s.project.directory / "cdcml-verify.yaml").write_text("stacks:\n  dev:\n    strategy: no.such:thing\n")
    with pytest.raises(ConfigError, match=r"strategy 'no\.such:thing' can't be imported"):
        config_space(s.project, s.config)
    (s.project.directory / "cdcml-verify.yaml").write_text("fixd: {}\n")
    with pytest.raises(ConfigError, match="unknown key 'fixd'"):
        config_space(s.project, s.config)


def test_the_other_laws_hold_on_a_sound_pack_and_sensitive_names_what_never_fires(tmp_path):
    result = verify(subject(tmp_path), laws=["sensitive", "discreet", "deterministic", "monotone"], examples=5, seed=5)
    by_law = {r.law: r for r in result.results}
    assert by_law["discreet"].holds and by_law["deterministic"].holds
    assert by_law["monotone"].holds and by_law["monotone"].notes == ("no numeric or allow-list config in the packs",)
    # Flipping `public` fires private; moving size to 2**31-1 fires small: both are killed.
    assert by_law["sensitive"].holds, by_law["sensitive"].counterexample
    assert result.matrix is not None and set(result.matrix.kills) == {"tiny-pack/private", "tiny-pack/small"}


def test_an_unknown_law_is_refused(tmp_path):
    with pytest.raises(CdcmlError, match="unknown law 'kind'"):
        verify(subject(tmp_path), laws=["kind"])


def test_the_command_prints_the_table_writes_junit_and_exits_1_on_a_failing_law(tmp_path, capsys):
    d, p = project(tmp_path, DECLARED), pack(tmp_path)
    junit = tmp_path / "verify.xml"
    args = ["verify", str(d), "--stack", "dev", "--policy-pack", str(p), "--examples", "20", "--seed", "9"]
    code = run([*args, "--junit", str(junit)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("cdcml verify tiny/dev  (seed 9)")
    assert "conforms" in out and "FAILS" in out and "replay with --seed 9" in out
    xml = junit.read_text()
    assert xml.count("<testcase ") == 7 and 'name="conforms"' in xml and 'name="well-typed"' in xml
    assert xml.count("<failure ") == 1  # conforms


def test_the_command_prints_one_json_document_and_refuses_bad_input_in_one_line(tmp_path, capsys):
    d, p = project(tmp_path, DECLARED), pack(tmp_path)
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"no-such-policy": "advisory"}))
    code = run(
        [
            "verify",
            str(d),
            "--stack",
            "dev",
            "--policy-pack",
            str(p),
            "--policy-pack-config",
            str(cfg),
            "--laws",
            "deterministic,discreet",
            "--json",
            "--seed",
            "2",
        ]
    )
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert code == 0 and doc["holds"] is True and [law["law"] for law in doc["laws"]] == ["discreet", "deterministic"]
    (warning,) = doc["warnings"]  # the config's warning is in the JSON too, not only on stderr
    assert warning.endswith("has no policy 'no-such-policy'; the entry is ignored") and warning in captured.err
    code = run(["verify", str(d), "--stack", "dev", "--policy-pack", str(p), "--laws", "conforms,kind"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.strip().splitlines() == [
        "cdcml: error: Invalid value for '--laws': unknown law 'kind' (laws: conforms, sensitive, robust, discreet, "
        "deterministic, monotone, well-typed) (see 'cdcml verify --help')"
    ]


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("tiny/Pulumi.dev.yaml", "is the stack config file"),
        ("tiny/cdcml-verify.yaml", "is the cdcml-verify.yaml file"),
        ("tiny-pack/verify.xml", "is inside the --policy-pack directory {pack}"),
    ],
)
def test_the_junit_file_may_not_be_an_input_of_the_run(tmp_path, capsys, target, says):
    """Reports never clobber: a --junit path that is the stack's config, the narrowing
    file or a file of a pack is refused in one line before anything runs, and the input
    is left as it was."""
    d, p = project(tmp_path, DECLARED), pack(tmp_path)
    (d / "cdcml-verify.yaml").write_text("fixed:\n  tiny:public: false\n")
    junit = tmp_path / target
    before = junit.read_bytes() if junit.exists() else None
    code = run(["verify", str(d), "--stack", "dev", "--policy-pack", str(p), "--junit", str(junit)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err == f"cdcml: error: --junit {junit}: {says.format(pack=p)} of this run\n"
    assert (junit.read_bytes() if junit.exists() else None) == before


def test_without_a_policy_pack_verify_runs_the_guardrails_that_come_with_cdcml(tmp_path, capsys):
    """A project with no pack of its own is verified against the bundled guardrails, as
    `cdcml preview` is."""
    d = project(tmp_path)
    code = run(["verify", str(d), "--stack", "dev", "--laws", "deterministic", "--examples", "2", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["laws"][0]["law"] == "deterministic" and doc["laws"][0]["examples"] >= 1


def test_a_program_raising_on_a_generated_configuration_is_a_law_failure_with_that_configuration(tmp_path):
    s = subject(tmp_path)
    main = s.project.directory / "__main__.py"
    main.write_text(main.read_text() + "if cfg.get_int('size') == 7:\n    raise ValueError('seven is unlucky')\n")
    (s.project.directory / "cdcml-verify.yaml").write_text("fixed:\n  tiny:public: false\n")
    (conforms,) = verify(s, laws=["conforms"], examples=60, seed=11).results
    assert conforms.counterexample is not None
    assert "tiny:size = 7" in conforms.counterexample
    assert "the program failed: program tiny failed at __main__.py:13: ValueError: seven is unlucky" in (
        conforms.counterexample
    )


def test_without_hypothesis_installed_verify_says_what_to_install(tmp_path):
    """A base install has no Hypothesis: one line naming the extra, exit 2."""
    from tests.fixtures.not_installed import run_without

    d = project(tmp_path, DECLARED)
    args = ["-m", "cdcml.cli", "verify", str(d), "--stack", "dev", "--policy-pack", str(pack(tmp_path))]
    proc = run_without(tmp_path, ["hypothesis"], *args, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == (
        "cdcml: error: cdcml verify needs Hypothesis, which is not installed: pip install 'cdcml-guard[testing]'"
    )


def test_a_counterexample_shows_secret_configuration_values_as_secret(tmp_path):
    from cdcml.capture.project import encrypt_for_tests

    salt, ciphertext = encrypt_for_tests("pw", b"saltsalt", "hunter2-plain", b"twelve bytes")
    d = project(tmp_path, DECLARED, f"encryptionsalt: {salt}\nconfig:\n  tiny:token:\n    secure: {ciphertext}\n")
    proj = load_project(d)
    s = Subject(proj, load_stack_config(proj, "dev", passphrase="pw"), [load_pack(pack(tmp_path))])
    assert s.config.values["tiny:token"] == "hunter2-plain"
    (conforms,) = verify(s, laws=["conforms"], examples=20, seed=4).results
    assert conforms.counterexample is not None and "tiny:token = [secret]" in conforms.counterexample
    assert "hunter2-plain" not in conforms.counterexample


def test_loading_the_subject_warns_about_secure_config_it_could_not_decrypt(tmp_path, monkeypatch):
    from cdcml.capture.project import encrypt_for_tests
    from cdcml.testing.verify import load_subject

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    salt, ciphertext = encrypt_for_tests("pw", b"saltsalt", "hunter2-plain", b"twelve bytes")
    d = project(tmp_path, DECLARED, f"encryptionsalt: {salt}\nconfig:\n  tiny:token:\n    secure: {ciphertext}\n")
    subject_, warnings = load_subject(d, "dev", [pack(tmp_path)])
    assert subject_.config.values["tiny:token"] == "[secret]"
    assert [w for w in warnings if w.startswith("config key tiny:token is secure and could not be decrypted")]


def test_the_stacks_own_values_are_captured_once_across_the_laws(tmp_path, monkeypatch):
    """The graph of the stack's own values serves every law: conforms on a space of one
    point (no declarations) and the laws on the stack's graph don't capture it again."""
    import cdcml.testing.verify as verify_module

    calls = []
    real = verify_module.capture_project

    def counting(*args, **kwargs):
        calls.append(args[1].values)
        return real(*args, **kwargs)

    monkeypatch.setattr(verify_module, "capture_project", counting)
    result = verify(subject(tmp_path, declarations=""), laws=["conforms", "deterministic"], examples=5, seed=1)
    assert result.holds and len(calls) == 1


def test_a_counterexample_from_the_input_cannot_drive_the_terminal_or_break_the_junit_file():
    """A policy's message (or a configuration value) reaches the counterexample as it is:
    the table shows its control characters escaped, on the counterexample's own lines, and
    the JUnit file stays well-formed XML."""
    import xml.etree.ElementTree as ET

    from cdcml.cli.verify import _junit, _text
    from cdcml.testing.verify import LawResult, Verification

    hostile = "tiny-pack/private on a: \x1b[2K\rPASS\x0cmore\u2028fake line\ufffe"
    v = Verification("tiny\x1b]0;x\x07", "dev", 3, (LawResult("conforms", 4, 1, 0.5, hostile, ("note \x1b[31m",)),))
    text = _text(v)
    assert not any(c in text for c in "\x1b\r\x0c\x07\u2028")
    assert "  tiny-pack/private on a: \\x1b[2K\\rPASS\\x0cmore\\u2028fake line\ufffe\n" in text
    assert text.startswith("cdcml verify tiny\\x1b]0;x\\x07/dev  (seed 3)")
    assert "  conforms: note \\x1b[31m\n" in text
    failure = ET.fromstring(_junit(v)).find("testsuite/testcase/failure")
    assert failure is not None and failure.text is not None and failure.text.startswith("tiny-pack/private on a: ")


def test_verify_reports_each_laws_examples_as_they_run(tmp_path):
    """The progress a terminal shows: each law's start, then its running count of examples
    (1, 2, … up to the examples asked for); the one-shot laws report no examples."""
    s = subject(tmp_path)
    started: list[str] = []
    counts: dict[str, list[int]] = {}
    verify(
        s,
        laws=["deterministic", "discreet"],
        examples=6,
        seed=4,
        on_law=started.append,
        on_example=lambda law, n: counts.setdefault(law, []).append(n),
    )
    assert started == ["discreet", "deterministic"]
    assert set(counts) == {"deterministic"}
    assert counts["deterministic"] == list(range(1, len(counts["deterministic"]) + 1))
    assert 1 <= len(counts["deterministic"]) <= 6


def test_the_command_shows_no_progress_when_stderr_is_not_a_terminal(tmp_path, capsys):
    d, p = project(tmp_path, DECLARED), pack(tmp_path)
    code = run(["verify", str(d), "--stack", "dev", "--policy-pack", str(p), "--laws", "deterministic", "--seed", "1"])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == "" and "deterministic" in captured.out


ANSWERED = """\
import pulumi
from pulumi_azure_native import storage


class Thing(pulumi.CustomResource):
    def __init__(self, name, props, opts=None):
        super().__init__("test:index:Thing", name, props, opts)


key = storage.list_storage_account_keys(account_name="acct", resource_group_name="rg").keys[0].key_name
shared = pulumi.StackReference("acme/net/shared")
shared.require_output("owner").apply(lambda owner: Thing("a", {"public": False, "size": 1, "owner": owner, "key": key}))
"""


def answers(root: Path, *, passphrase: str | None = None) -> tuple[Path, Path]:
    """An invokes file answering the program's ``list_storage_account_keys`` and the
    export of ``acme/net/shared`` (its ``owner`` output a secret, passphrase-encrypted
    when *passphrase* is given)."""
    from cdcml.capture.program import capture_program
    from cdcml.state.export import dumps, export_stack

    def shared() -> None:
        import pulumi

        pulumi.export("owner", pulumi.Output.secret("team"))

    invokes = root / "invokes.yaml"
    invokes.write_text(
        "invokes:\n  - token: azure-native:storage:listStorageAccountKeys\n    result: {keys: [{keyName: key1}]}\n"
    )
    graph = capture_program(shared, project="net", stack="shared", mode="resolved")
    options = {"secrets": "passphrase", "passphrase": passphrase} if passphrase else {}
    export = root / "shared.json"
    export.write_bytes(dumps(export_stack(graph, **options)))
    return invokes, export


def test_verify_takes_the_answers_of_preview_so_a_program_using_invokes_and_stack_references_is_verified(
    tmp_path, capsys
):
    """`--invokes FILE --stack-reference NAME=SOURCE`, the options of `cdcml preview`: with
    them every capture of the laws gets the answers (the resource made inside the
    reference's `apply` exists, the invoke's key is the file's); without them the program
    fails on the unanswered invoke, an exit-2 error naming it."""
    from cdcml.testing.verify import load_subject

    d, p = project(tmp_path), pack(tmp_path)
    (d / "__main__.py").write_text(ANSWERED)
    invokes, export = answers(tmp_path)
    refs = [f"acme/net/shared={export}"]
    subject_, warnings = load_subject(d, "dev", [p], invokes_file=invokes, stack_references=refs)
    thing = next(r for r in subject_.graph().resources if r.type == "test:index:Thing")
    assert thing.inputs["key"] == "key1" and thing.inputs["owner"] == "team"  # inside the apply: plain
    assert warnings == []
    base = ["verify", str(d), "--stack", "dev", "--policy-pack", str(p), "--seed", "3", "--examples", "3"]
    code = run([*base, "--laws", "conforms", "--json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert captured.err.strip().endswith(
        "(no offline answer for invoke azure-native:storage:listStorageAccountKeys; answer it with --invokes FILE)"
    )
    code = run(
        [
            *base,
            "--laws",
            "conforms,discreet,well-typed",
            "--json",
            "--invokes",
            str(invokes),
            "--stack-reference",
            refs[0],
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["holds"], doc


def test_verify_warns_about_a_referenced_stacks_secrets_it_cannot_decrypt_and_refuses_a_wrong_passphrase(
    tmp_path, capsys, monkeypatch
):
    d, p = project(tmp_path), pack(tmp_path)
    (d / "__main__.py").write_text(ANSWERED)
    invokes, export = answers(tmp_path, passphrase="the passphrase")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    args = ["verify", str(d), "--policy-pack", str(p), "--laws", "deterministic", "--json", "--seed", "1"]
    args += ["--invokes", str(invokes), "--stack-reference", f"acme/net/shared={export}"]
    code = run(args)
    captured = capsys.readouterr()
    (warning,) = json.loads(captured.out)["warnings"]
    assert code == 0 and warning.startswith("--stack-reference acme/net/shared: the secret output(s) owner can't")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not it")
    code = run(args)
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith(f"cdcml: error: --stack-reference acme/net/shared: {export}: incorrect passphrase")
    assert len(captured.err.strip().splitlines()) == 1


def test_the_junit_file_may_not_be_the_invokes_file_of_the_run(tmp_path, capsys):
    d, p = project(tmp_path), pack(tmp_path)
    invokes = tmp_path / "invokes.yaml"
    invokes.write_text("invokes: []\n")
    code = run(["verify", str(d), "--policy-pack", str(p), "--invokes", str(invokes), "--junit", str(invokes)])
    captured = capsys.readouterr()
    assert code == 2 and captured.err == f"cdcml: error: --junit {invokes}: is the --invokes file of this run\n"
    assert invokes.read_text() == "invokes: []\n"
