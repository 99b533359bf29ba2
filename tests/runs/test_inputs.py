"""The inputs each command reads, listed from its flags with the runs' own defaults: what
no report may be written to."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcml.engine.pack import DEFAULT_PACK, bundled_pack
from cdcml.errors import BackendError
from cdcml.model import RunInput
from cdcml.runs.inputs import analyze_inputs, preview_inputs, verify_inputs

ROOT = Path(__file__).resolve().parents[2]


def _roles(inputs: tuple[RunInput, ...]) -> list[tuple[str, str, bool]]:
    return [(i.role, str(i.path), i.tree) for i in inputs]


@pytest.fixture(autouse=True)
def _no_passphrase_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)


def test_preview_reads_the_project_the_stack_file_the_packs_and_their_configs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    inputs = preview_inputs(tmp_path, "prod", ["p1", "p2"], ["c1.json"])
    assert _roles(inputs) == [
        ("the project file", str(tmp_path / "Pulumi.yaml"), False),
        ("the stack config file", str(tmp_path / "Pulumi.prod.yaml"), False),
        ("the --policy-pack directory", "p1", True),
        ("the --policy-pack directory", "p2", True),
        ("the --policy-pack-config file", "c1.json", False),
    ]


def test_preview_defaults_to_the_projects_pack_and_names_the_passphrase_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "pass.txt")
    (tmp_path / "Pulumi.yml").write_text("name: x\n")
    (tmp_path / DEFAULT_PACK).mkdir(parents=True)
    (tmp_path / DEFAULT_PACK / "PulumiPolicy.yaml").write_text("runtime: python\n")
    inputs = preview_inputs(tmp_path / "Pulumi.yml", "dev")
    assert _roles(inputs) == [
        ("the project file", str(tmp_path / "Pulumi.yml"), False),
        ("the stack config file", str(tmp_path / "Pulumi.dev.yaml"), False),
        ("the policy pack directory", str(tmp_path / DEFAULT_PACK), True),
        ("the PULUMI_CONFIG_PASSPHRASE_FILE", "pass.txt", False),
    ]


def test_a_project_without_a_pack_of_its_own_uses_the_guardrails_that_come_with_cdcml(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\n")
    bundled = bundled_pack()
    assert bundled is not None and (bundled / "PulumiPolicy.yaml").is_file()
    assert ("the policy pack directory", str(bundled), True) in _roles(preview_inputs(tmp_path, "dev"))


def test_verify_reads_what_the_preview_of_the_stack_reads_and_the_narrowing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    (tmp_path / "Pulumi.yaml").write_text("name: x\n")
    inputs = verify_inputs(tmp_path / "Pulumi.yaml", "dev", ["p1"], ["c1.json"])
    assert inputs[:-1] == preview_inputs(tmp_path / "Pulumi.yaml", "dev", ["p1"], ["c1.json"])
    assert _roles(inputs)[-1] == ("the cdcml-verify.yaml file", str(tmp_path / "cdcml-verify.yaml"), False)


def test_the_project_file_is_pulumi_yaml_when_both_spellings_exist(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yml").write_text("")
    (tmp_path / "Pulumi.yaml").write_text("")
    assert preview_inputs(tmp_path, "dev")[0].path == tmp_path / "Pulumi.yaml"
    assert preview_inputs(tmp_path / "Pulumi.yaml", "dev")[0].path == tmp_path / "Pulumi.yaml"


def test_analyze_of_a_file_reads_it_the_packs_waivers_and_baseline(tmp_path: Path) -> None:
    inputs = analyze_inputs("s.json", None, ["pack"], ["c.json"], waivers=Path("w.yaml"), baseline="b.json")
    assert _roles(inputs) == [
        ("the --file input", "s.json", False),
        ("the --policy-pack directory", "pack", True),
        ("the --policy-pack-config file", "c.json", False),
        ("the --waivers file", "w.yaml", False),
        ("the --baseline file", "b.json", False),
    ]


def test_analyze_names_the_passphrase_file_that_decrypts_the_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "pass.txt")
    assert _roles(analyze_inputs("-", "s3://bucket", ["pack"])) == [
        ("the --policy-pack directory", "pack", True),
        ("the PULUMI_CONFIG_PASSPHRASE_FILE", "pass.txt", False),
    ]


def test_standard_input_is_no_path(tmp_path: Path) -> None:
    assert analyze_inputs("-", None, ["pack"]) == (RunInput("the --policy-pack directory", Path("pack"), tree=True),)


def test_analyze_defaults_to_the_repositorys_pack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT / "src")
    assert _roles(analyze_inputs("s.json", None)) == [
        ("the --file input", "s.json", False),
        ("the policy pack directory", str(ROOT / DEFAULT_PACK), True),
    ]
    monkeypatch.chdir(tmp_path)  # outside any repository: the guardrails that come with cdcml
    assert _roles(analyze_inputs("s.json", None)) == [
        ("the --file input", "s.json", False),
        ("the policy pack directory", str(bundled_pack()), True),
    ]


def test_a_file_backend_protects_its_state_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path)
    for url in ("file://b", f"FILE://{tmp_path}/b?no_tmp_dir=true"):
        inputs = analyze_inputs(None, url, ["pack"])
        assert inputs[0] == RunInput("the backend's state", (tmp_path / "b").resolve() / ".pulumi", tree=True)


def test_remote_backends_have_no_local_path() -> None:
    assert analyze_inputs(None, "s3://bucket/prefix", ["pack"]) == analyze_inputs(None, "azblob://c", ["pack"])
    assert len(analyze_inputs(None, "s3://bucket/prefix", ["pack"])) == 1


def test_a_missing_file_backend_is_the_backends_own_error(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="does not exist"):
        analyze_inputs(None, f"file://{tmp_path}/none", ["pack"])
