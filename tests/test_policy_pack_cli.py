"""`cdcml policy new` and `cdcml policy validate-config`, and the pack `policy ls` shows by
default: the CrossGuard workflow of the Pulumi CLI, on local packs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fixtures.cli import cli, one_line_error

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACK = ROOT / "policies" / "cdc-ml-guardrails"
NEW_POLICIES = ["storage-account-minimum-tls", "storage-account-limit"]


@pytest.fixture
def new_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    d = tmp_path / "my-pack"
    code, out, err = cli(capsys, "policy", "new", str(d))
    assert code == 0, err
    assert out.startswith(f"Created Policy Pack my-pack in {d}:") and err == ""
    return d


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    return env


def test_new_writes_a_pack_shaped_like_pulumis_template(new_pack: Path) -> None:
    import yaml

    files = sorted(str(p.relative_to(new_pack)) for p in new_pack.rglob("*") if p.is_file())
    assert files == sorted(
        [
            ".gitignore",
            "PulumiPolicy.yaml",
            "README.md",
            "__main__.py",
            "policies.py",
            "requirements.txt",
            "tests/conftest.py",
            "tests/test_policies.py",
        ]
    )
    doc = yaml.safe_load((new_pack / "PulumiPolicy.yaml").read_text())
    assert doc["runtime"]["name"] == "python" and doc["description"] and doc["version"] == "0.0.1"
    assert 'name="my-pack"' in (new_pack / "__main__.py").read_text()
    requirements = (new_pack / "requirements.txt").read_text()
    assert "pulumi-policy" in requirements and "cdcml-guard" in requirements


def test_the_new_packs_tests_pass_under_pytest(new_pack: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests"],
        cwd=new_pack,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "8 passed" in proc.stdout


def test_policy_ls_lists_the_new_packs_policies(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "policy", "ls", "--json", "--policy-pack", str(new_pack))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["pack"] == {"name": "my-pack", "version": "0.0.1"}
    assert [p["name"] for p in doc["policies"]] == NEW_POLICIES
    assert [p["config"][0]["name"] for p in doc["policies"]] == ["minimumTlsVersion", "maxStorageAccounts"]


def test_preview_runs_the_new_pack(new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  azure-native:location: westeurope\n")
    (project / "__main__.py").write_text(
        textwrap.dedent(
            """\
            from pulumi_azure_native import resources, storage
            rg = resources.ResourceGroup("rg")
            storage.StorageAccount("old", resource_group_name=rg.name, kind="StorageV2",
                                   sku={"name": "Standard_LRS"}, minimum_tls_version="TLS1_0")
            storage.StorageAccount("new", resource_group_name=rg.name, kind="StorageV2",
                                   sku={"name": "Standard_LRS"}, minimum_tls_version="TLS1_2")
            """
        )
    )
    code, out, err = cli(capsys, "preview", str(project), "--policy-pack", str(new_pack), "--json")
    assert code == 1, out + err
    violations = [f for f in json.loads(out)["findings"] if f["kind"] == "violation"]
    assert [(f["pack"], f["policy"], f["urn"].rsplit("::", 1)[1]) for f in violations] == [
        ("my-pack", "storage-account-minimum-tls", "old")
    ]
    config = tmp_path / "tls.json"
    config.write_text('{"storage-account-minimum-tls": {"minimumTlsVersion": "TLS1_0"}}')
    code, out, err = cli(
        capsys, "preview", str(project), "--policy-pack", str(new_pack), "--policy-pack-config", str(config)
    )
    assert code == 0, out + err


def test_new_refuses_a_directory_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "mine"
    d.mkdir()
    (d / "README.md").write_text("my notes\n")
    code, out, err = cli(capsys, "policy", "new", str(d))
    assert code == 2 and out == ""
    assert "is not empty; pass --force" in one_line_error(err)
    assert (d / "README.md").read_text() == "my notes\n" and sorted(p.name for p in d.iterdir()) == ["README.md"]


def test_new_with_force_names_every_file_it_replaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "mine"
    d.mkdir()
    (d / "README.md").write_text("my notes\n")
    (d / "keep.txt").write_text("mine\n")
    code, out, err = cli(capsys, "policy", "new", str(d), "--force", "--name", "team.guard_rails-1")
    assert code == 0 and out.startswith("Created Policy Pack team.guard_rails-1"), err
    assert [line for line in err.splitlines() if line.strip()] == [f"warning: replaced {d / 'README.md'}"]
    assert (d / "keep.txt").read_text() == "mine\n" and "# team.guard_rails-1" in (d / "README.md").read_text()
    code, _, err = cli(capsys, "policy", "new", str(d), "--force", "--name", "team.guard_rails-1")
    assert code == 0 and err == ""  # the same files again: nothing replaced


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--name", "no spaces"), "'no spaces' is not a valid policy pack name"),
        (("--name", "x" * 101), "is not a valid policy pack name"),
    ],
)
def test_new_refuses_a_bad_name(tmp_path: Path, capsys: pytest.CaptureFixture[str], args, message) -> None:
    code, _, err = cli(capsys, "policy", "new", str(tmp_path / "p"), *args)
    assert code == 2 and message in one_line_error(err) and not (tmp_path / "p").exists()


def test_new_refuses_a_directory_name_that_is_no_pack_name(tmp_path: Path, capsys) -> None:
    code, _, err = cli(capsys, "policy", "new", str(tmp_path / "my pack"))
    assert code == 2 and "(the directory's name); pass --name NAME" in one_line_error(err)


def test_new_refuses_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f").write_text("")
    code, _, err = cli(capsys, "policy", "new", str(tmp_path / "f"))
    assert code == 2 and "exists and is not a directory" in one_line_error(err)


# ---- validate-config


def _config(tmp_path: Path, doc: object, name: str = "c.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_a_valid_config_is_confirmed(new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = _config(tmp_path, {"all": "advisory", "storage-account-minimum-tls": {"minimumTlsVersion": "TLS1_3"}})
    code, out, err = cli(capsys, "policy", "validate-config", str(new_pack), "--config", str(c))
    assert (code, err) == (0, "")
    assert out == f"Policy Pack configuration is valid (my-pack 0.0.1, {c}).\n"


def test_the_guardrails_example_configs_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    for c in sorted((PACK / "config").glob("*.json")):
        code, out, err = cli(capsys, "policy", "validate-config", "--config", str(c))  # default: the run's pack
        assert code == 0, out + err
        assert out.startswith("Policy Pack configuration is valid (cdc-ml-guardrails ")


def test_an_invalid_config_lists_each_problem_with_its_policy(
    new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = _config(
        tmp_path,
        {
            "storage-account-minimum-tls": {"minimumTlsVersion": "SSL3"},
            "storage-account-limit": {"enforcementLevel": "strict"},
            "all": 3,
        },
    )
    code, out, err = cli(capsys, "policy", "validate-config", str(new_pack), "--config", str(c))
    assert code == 1 and err == ""
    assert out.splitlines() == [
        f"Policy Pack configuration is invalid (my-pack 0.0.1, {c}):",
        '  storage-account-limit: "strict" is not a valid enforcement level',
        "  all: 3 is not a valid value; must be a string or object",
        "  storage-account-minimum-tls: minimumTlsVersion: 'SSL3' is not one of ['TLS1_0', 'TLS1_1', 'TLS1_2', "
        "'TLS1_3']",
    ]


def test_a_wrong_type_is_a_problem_as_json(new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = _config(tmp_path, {"storage-account-limit": {"maxStorageAccounts": "ten"}})
    code, out, _ = cli(capsys, "policy", "validate-config", str(new_pack), "--config", str(c), "--json")
    assert code == 1
    assert json.loads(out) == {
        "pack": {"name": "my-pack", "version": "0.0.1"},
        "config": str(c),
        "valid": False,
        "problems": [
            {"policy": "storage-account-limit", "message": "maxStorageAccounts: 'ten' is not of type 'integer'"}
        ],
        "warnings": [],
    }


def test_an_unknown_policy_name_is_a_warning_as_the_cli_ignores_it(
    new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = _config(tmp_path, {"no-such-policy": "mandatory"})
    code, out, err = cli(capsys, "policy", "validate-config", str(new_pack), "--config", str(c))
    assert code == 0 and out.startswith("Policy Pack configuration is valid")
    assert "pack my-pack has no policy 'no-such-policy'; the entry is ignored" in " ".join(err.split())


def test_an_unknown_policy_name_with_properties_and_no_level_is_a_problem_as_the_cli_refuses_it(
    new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI sends an entry left without a level to ``Configure``, which refuses it
    (``invalid enforcement level ""``): a problem naming the entry, and no warning as well."""
    c = _config(tmp_path, {"no-such-policy": {"limit": 1}, "typo": {"enforcementLevel": "advisory", "x": 1}})
    code, out, err = cli(capsys, "policy", "validate-config", str(new_pack), "--config", str(c), "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["problems"] == [
        {
            "policy": "no-such-policy",
            "message": "pack my-pack has no policy 'no-such-policy'; the Pulumi CLI refuses an entry with properties "
            'and no enforcementLevel (invalid enforcement level "") for it',
        }
    ]
    assert doc["warnings"] == [f"policy pack config {c}: pack my-pack has no policy 'typo'; the entry is ignored"]
    assert "'typo'" in err and "'no-such-policy'" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "c.json: No such file or directory"),
        ("{not json", "invalid JSON at line 1"),
        ("[1, 2]", "expected a JSON object of policy names"),
    ],
)
def test_bad_input_is_one_line_exit_two(
    new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content, message
) -> None:
    c = tmp_path / "c.json"
    if content is not None:
        c.write_text(content)
    code, out, err = cli(capsys, "policy", "validate-config", str(new_pack), "--config", str(c))
    assert code == 2 and out == "" and message in one_line_error(err)


def test_a_missing_pack_or_config_option_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = _config(tmp_path, {})
    code, _, err = cli(capsys, "policy", "validate-config", str(tmp_path / "nopack"), "--config", str(c))
    assert code == 2 and "does not exist" in one_line_error(err)
    code, _, err = cli(capsys, "policy", "validate-config", str(tmp_path))
    assert code == 2 and "Missing option '--config'" in one_line_error(err)


# ---- the default pack of policy ls / docs / validate-config


def test_policy_ls_outside_the_repository_lists_the_bundled_guardrails(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cdcml", "policy", "ls", "--json"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["pack"]["name"] == "cdc-ml-guardrails" and len(doc["policies"]) > 50


def test_policy_ls_in_a_project_with_its_own_pack_lists_that_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pack a run would use: a project's policies/cdc-ml-guardrails, from the project or below it."""
    code, _, err = cli(capsys, "policy", "new", str(tmp_path / "policies" / "cdc-ml-guardrails"), "--name", "ours")
    assert code == 0, err
    (tmp_path / "stacks").mkdir()
    monkeypatch.chdir(tmp_path / "stacks")
    code, out, err = cli(capsys, "policy", "ls", "--json")
    assert code == 0, err
    assert json.loads(out)["pack"]["name"] == "ours"
    c = _config(tmp_path, {"storage-account-limit": {"maxStorageAccounts": -1}})
    code, out, _ = cli(capsys, "policy", "validate-config", "--config", str(c))
    assert code == 1 and "storage-account-limit: maxStorageAccounts: -1 is less than the minimum of 0" in out
