"""The CI files and the examples of docs/ci.md against their published schemas: the
SchemaStore schemas check-jsonschema vendors (offline: ``--builtin-schema vendor.*``, never
a schema URL), and pre-commit's own loaders where no schema is vendored."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.ci.action import ROOT
from tests.ci.projects import pack
from tests.ci.templates import azure_defaults, expand_azure

pytest.importorskip("check_jsonschema", reason="check-jsonschema is in the test extra")

DOC = ROOT / "docs" / "ci.md"
BLOCK = re.compile(r"^```yaml\n# (?P<name>\S+)\n(?P<body>.*?)^```$", re.S | re.M)


def doc_examples() -> dict[str, str]:
    """The YAML blocks of docs/ci.md whose first line names a file, by that name."""
    blocks = {m["name"]: f"# {m['name']}\n{m['body']}" for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}
    assert len(blocks) == len(BLOCK.findall(DOC.read_text(encoding="utf-8"))), "two examples name the same file"
    return blocks


def schema_of(name: str) -> str | None:
    if name.startswith(".github/workflows/"):
        return "vendor.github-workflows"
    return {"azure-pipelines.yml": "vendor.azure-pipelines", ".gitlab-ci.yml": "vendor.gitlab-ci"}.get(name)


REGEX_VARIANT = {"vendor.azure-pipelines": "nonunicode"}
"""The Azure schema's git-ref pattern (``^[^\\/~\\^\\: …``) escapes ``:``, which ECMAScript
regexes refuse in unicode mode (check-jsonschema's default: "Invalid character escape"); the
schema is read as ECMAScript without the ``u`` flag, as most validators of it do."""


def check(schema: str, *files: Path) -> None:
    variant = ["--regex-variant", REGEX_VARIANT[schema]] if schema in REGEX_VARIANT else []
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *variant, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_docs_have_every_example_this_test_knows_how_to_check() -> None:
    names = set(doc_examples())
    assert {".github/workflows/cdcml.yml", ".github/workflows/cdcml-plain.yml", "azure-pipelines.yml"} <= names
    assert ".pre-commit-config.yaml" in names
    unchecked = {n for n in names if schema_of(n) is None} - {".pre-commit-config.yaml"}
    assert not unchecked, f"examples no test validates: {unchecked}"


def test_action_yml_is_a_github_action() -> None:
    check("vendor.github-actions", ROOT / "action.yml")


def test_the_workflows_are_github_workflows(tmp_path: Path) -> None:
    files = [ROOT / "ci" / "github" / "example-workflow.yml"]
    for name, text in doc_examples().items():
        if schema_of(name) == "vendor.github-workflows":
            files.append(tmp_path / Path(name).name)
            files[-1].write_text(text)
    assert len(files) >= 4
    check("vendor.github-workflows", *files)


def test_the_workflow_schema_is_not_a_rubber_stamp(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: [push]\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: a/b@v1\n        run: echo both\n"
    )
    with pytest.raises(AssertionError):
        check("vendor.github-workflows", broken)


def test_the_azure_template_expanded_is_an_azure_pipeline(tmp_path: Path) -> None:
    """The vendored schema has no place for template directives as keys (``${{ each … }}``:
    'Additional properties are not allowed'), so the template is validated as Azure DevOps
    compiles it — parameters declared, the loop unrolled over two stacks — for both commands."""
    template = yaml.safe_load((ROOT / "ci" / "azure-pipelines" / "cdcml.yml").read_text(encoding="utf-8"))
    files = []
    for command in ("preview", "analyze"):
        values = azure_defaults(template, command=command, stacks=["dev", "prod"])
        expanded = {"parameters": template["parameters"], "steps": expand_azure(template["steps"], values)}
        files.append(tmp_path / f"{command}.yml")
        files[-1].write_text(yaml.safe_dump(expanded, sort_keys=False))
    check("vendor.azure-pipelines", *files)


def test_the_azure_example_is_an_azure_pipeline_and_passes_parameters_the_template_has(tmp_path: Path) -> None:
    text = doc_examples()["azure-pipelines.yml"]
    (tmp_path / "azure-pipelines.yml").write_text(text)
    check("vendor.azure-pipelines", tmp_path / "azure-pipelines.yml")
    template = yaml.safe_load((ROOT / "ci" / "azure-pipelines" / "cdcml.yml").read_text(encoding="utf-8"))
    (use,) = [s for s in yaml.safe_load(text)["steps"] if "template" in s]
    assert use["template"] == "ci/azure-pipelines/cdcml.yml@cdcml"
    azure_defaults(template, **use["parameters"])  # asserts each parameter is declared


def test_the_gitlab_example_is_a_gitlab_pipeline(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text(doc_examples()[".gitlab-ci.yml"])
    check("vendor.gitlab-ci", tmp_path / ".gitlab-ci.yml")


def test_the_pre_commit_hooks_load_as_pre_commit_loads_them(tmp_path: Path) -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = {h["id"]: h for h in clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"cdcml-preview", "cdcml-policy-pack-loads"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hooks["cdcml-preview"]["files"])
    for path in ("Pulumi.yaml", "infra/Pulumi.prod.yaml", "stacks/__main__.py", "policies/p/PulumiPolicy.yaml"):
        assert files.search(path), path
    assert not files.search("README.md")
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(doc_examples()[".pre-commit-config.yaml"])
    (repo,) = clientlib.load_config(str(config))["repos"]
    assert {h["id"] for h in repo["hooks"]} <= set(hooks)


def test_the_pack_loads_hook_runs_its_entry_and_fails_on_a_broken_pack(tmp_path: Path) -> None:
    """The hook's entry with the args docs/ci.md gives it, run as pre-commit would (in the
    repository root, no file names), with ``cdcml`` as ``python -m cdcml``."""
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (hook,) = [
        h for h in clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml")) if h["id"] == "cdcml-policy-pack-loads"
    ]
    entry = hook["entry"].split()
    assert entry[0] == "cdcml"
    good = pack(tmp_path / "repo")
    broken = tmp_path / "repo" / "policies" / "broken"
    broken.mkdir()
    (broken / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (broken / "__main__.py").write_text("raise ValueError('boom')\n")
    codes = {}
    for name, directory in (("good", good), ("broken", broken)):
        argv = [sys.executable, "-m", "cdcml", *entry[1:], "--policy-pack", str(directory)]
        proc = subprocess.run(argv, cwd=tmp_path / "repo", capture_output=True, text=True, timeout=60)
        codes[name] = proc.returncode
    assert codes == {"good": 0, "broken": 2}
