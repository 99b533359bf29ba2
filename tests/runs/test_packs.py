"""The packs of a run (cdcml.runs.packs)."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_the_packs_of_a_run_are_the_given_ones_else_the_default_else_one_line(tmp_path, monkeypatch):
    from cdcml.errors import PackError
    from cdcml.runs import packs as packs_module
    from cdcml.runs.packs import packs_of_run

    assert packs_of_run(["a", "b"], tmp_path) == [Path("a"), Path("b")]
    assert packs_of_run([], tmp_path) == packs_module.default_pack_dirs(tmp_path) != []
    monkeypatch.setattr(packs_module, "bundled_pack", lambda: None)
    with pytest.raises(PackError) as e:
        packs_of_run([], tmp_path)
    assert e.value.message == (
        f"no policy pack: pass --policy-pack DIR (there is no policies/cdc-ml-guardrails in {tmp_path} or above it, "
        "and cdcml's own guardrails are not installed)"
    )


PACK = """\
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy

PolicyPack("{name}", [
    ResourceValidationPolicy(
        name="limit", description="A limit.", validate=lambda args, report: None,
        config_schema=PolicyConfigSchema(properties={{"limit": {{"type": "integer", "default": 1}}}}),
    ),
], enforcement_level=EnforcementLevel.ADVISORY)
"""


def _packs(root: Path, *names: str) -> list[Path]:
    dirs = []
    for name in names:
        d = root / name
        d.mkdir()
        (d / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
        (d / "__main__.py").write_text(PACK.format(name=name))
        dirs.append(d)
    return dirs


def _config(root: Path, name: str, limit: int) -> Path:
    path = root / name
    path.write_text(f'{{"limit": {{"limit": {limit}}}}}')
    return path


def _limits(configs) -> list[int]:
    return [(c.properties("limit") or {}).get("limit", 1) for c in configs]


def test_a_pack_config_can_name_its_pack_instead_of_taking_its_position(tmp_path):
    """`--policy-pack-config NAME=FILE` configures the pack named NAME, wherever it is; the
    unnamed files still pair with the packs by position (issue 15, item 2)."""
    from cdcml.runs.packs import ConfigFile, config_file, load_packs

    dirs = _packs(tmp_path, "alpha", "beta")
    beta = _config(tmp_path, "beta.json", 7)
    alpha = _config(tmp_path, "alpha.json", 3)
    assert _limits(load_packs(dirs, [f"beta={beta}"], project="p", stack="s")[1]) == [1, 7]
    assert _limits(load_packs(dirs, [alpha, f"beta={beta}"], project="p", stack="s")[1]) == [3, 7]
    assert _limits(load_packs(dirs, [f"beta={beta}", alpha], project="p", stack="s")[1]) == [3, 7]
    assert config_file(f"beta={beta}").path == beta and config_file(beta).pack is None
    nested = tmp_path / "team=a" / "beta.json"  # the name is what precedes the first '='
    assert config_file(f"beta={nested}") == ConfigFile(nested, "beta")
    assert config_file("missing.json") == ConfigFile(Path("missing.json"))  # not there: still a path
    odd = tmp_path / "x=y.json"  # an existing file whose name has '=' is a file
    odd.write_text("{}")
    assert config_file(odd).path == odd and config_file(odd).pack is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            ["gamma={beta}"],
            "--policy-pack-config gamma={beta}: no policy pack named gamma in this run (packs: alpha, beta)",
        ),
        (["beta={beta}", "beta={alpha}"], "--policy-pack-config beta={alpha}: pack beta already has beta={beta}"),
        (
            ["{alpha}", "{beta}", "alpha={alpha}"],
            "--policy-pack-config alpha={alpha}: pack alpha is also configured by position ({alpha})",
        ),
        (["{alpha}", "{beta}", "{alpha}"], "3 --policy-pack-config files for 2 --policy-pack directories"),
    ],
)
def test_named_pack_configs_that_match_no_pack_or_twice_are_one_line_errors(tmp_path, values, message):
    """In process and with each pack in its own process alike."""
    from cdcml.errors import PackConfigError
    from cdcml.runs.packs import load_packs, start_packs

    dirs = _packs(tmp_path, "alpha", "beta")
    files = {"alpha": _config(tmp_path, "alpha.json", 3), "beta": _config(tmp_path, "beta.json", 7)}
    given = [v.format(**files) for v in values]
    with pytest.raises(PackConfigError) as e:
        load_packs(dirs, given, project="p", stack="s")
    assert e.value.message == message.format(**files)
    with pytest.raises(PackConfigError) as e:
        _start(start_packs, dirs, given)
    assert e.value.message == message.format(**files)


def test_the_named_config_file_is_an_input_of_the_run(tmp_path):
    """A report may not overwrite a NAME=FILE config: the file part is the run's input."""
    from cdcml.runs.inputs import preview_inputs

    inputs = preview_inputs(tmp_path, "dev", ["alpha"], [f"alpha={tmp_path / 'a.json'}"])
    assert inputs[-1].path == tmp_path / "a.json"


def _start(start_packs, dirs, given) -> None:
    start_packs(dirs, given, project="p", stack="s", timeout=60).result().release()


def test_a_run_on_the_bundled_guardrails_says_so(tmp_path):
    """A project with no pack of its own, run without --policy-pack, is told its verdict is
    the bundled CDC→ML guardrails' and how to run its own pack; nothing is said when a
    pack was given or the project has one."""
    from cdcml.engine.pack import DEFAULT_PACK, bundled_pack
    from cdcml.runs.packs import default_pack_notes, packs_of_run

    (note,) = default_pack_notes([], packs_of_run([], tmp_path), tmp_path)
    assert note == (
        f"no --policy-pack and no {DEFAULT_PACK} in {tmp_path} or above it: checked against the CDC→ML "
        "guardrails that come with cdcml (pass --policy-pack DIR to run your own pack)"
    )
    assert default_pack_notes(["mine"], [Path("mine")], tmp_path) == []
    own = tmp_path / DEFAULT_PACK
    own.mkdir(parents=True)
    (own / "PulumiPolicy.yaml").write_text("runtime: python\n")
    assert packs_of_run([], tmp_path) == [own] != [bundled_pack()]
    assert default_pack_notes([], packs_of_run([], tmp_path), tmp_path) == []
