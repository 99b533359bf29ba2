"""Pack loading: any Python pack directory, in-process, without starting its server."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import pytest

from cdcml.engine.pack import load_pack, pack_from_policies
from cdcml.errors import PackError
from cdcml.model import EnforcementLevel

ROOT = Path(__file__).resolve().parents[2]


def make_pack(
    tmp_path: Path, main: str, yaml_text: str = "runtime: python\nversion: 1.2.3\n", files: dict[str, str] | None = None
) -> Path:
    d = tmp_path / "pack"
    d.mkdir()
    (d / "PulumiPolicy.yaml").write_text(yaml_text)
    (d / "__main__.py").write_text(textwrap.dedent(main))
    for name, text in (files or {}).items():
        (d / name).write_text(textwrap.dedent(text))
    return d


MINIMAL = """\
    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, Severity
    PolicyPack(
        name="minimal",
        policies=[ResourceValidationPolicy(name="p", description="A policy.", validate=lambda a, r: None,
                                           severity=Severity.LOW)],
        enforcement_level=EnforcementLevel.MANDATORY,
        initial_config={"p": EnforcementLevel.ADVISORY},
        description="A pack.",
    )
    print("after PolicyPack: never reached under the CLI")
"""


def test_a_pack_loads_without_blocking_and_keeps_its_metadata(tmp_path, capsys):
    result: list = []
    t = threading.Thread(target=lambda: result.append(load_pack(make_pack(tmp_path, MINIMAL))), daemon=True)
    t.start()
    t.join(timeout=20)
    assert not t.is_alive(), "PolicyPack(...) must not block"
    pack = result[0]
    assert (pack.name, pack.version, pack.enforcement_level) == ("minimal", "1.2.3", EnforcementLevel.MANDATORY)
    assert pack.policy_names() == ("p",)
    assert pack.description == "A pack."
    assert set(pack.initial_config) == {"p"}
    info = pack.analyzer_info()
    assert info.name == "minimal" and [p.name for p in info.policies] == ["p"]
    assert "after PolicyPack" not in capsys.readouterr().out, "code after PolicyPack(...) never runs"


def test_the_repository_pack_loads_from_the_catalogue():
    pack = load_pack(ROOT / "policies" / "cdc-ml-guardrails")
    from cdcml.policies.catalogue import POLICIES

    assert pack.name == "cdc-ml-guardrails"
    assert pack.policy_names() == tuple(p.name for p in POLICIES)


def test_sibling_modules_import_and_are_forgotten_after_loading(tmp_path):
    d = make_pack(
        tmp_path,
        """\
        from pulumi_policy import PolicyPack, ResourceValidationPolicy
        from rules import DESCRIPTION
        PolicyPack(name="with-helpers", policies=[ResourceValidationPolicy(name="p", description=DESCRIPTION,
                                                                          validate=lambda a, r: None)])
    """,
        files={"rules.py": 'DESCRIPTION = "From a sibling module."\n'},
    )
    import sys

    pack = load_pack(d)
    assert pack.policies[0].description == "From a sibling module."
    assert "rules" not in sys.modules


def test_the_sdk_validation_still_applies(tmp_path):
    d = make_pack(
        tmp_path,
        """\
        from pulumi_policy import PolicyPack
        PolicyPack(name="bad name!", policies=[])
    """,
    )
    with pytest.raises(PackError, match=r"__main__\.py:2: TypeError: Invalid policy pack name bad name!"):
        load_pack(d)


@pytest.mark.parametrize(
    ("yaml_text", "main", "message"),
    [
        (None, MINIMAL, "has no PulumiPolicy.yaml"),
        ("runtime: nodejs\n", MINIMAL, "runtime is 'nodejs'; cdcml runs Python policy packs only"),
        ("runtime: python\n", "x = 1\n", "finished without constructing PolicyPack"),
        ("runtime: python\n", "import sys\nsys.exit(3)\n", "exited while loading (code 3)"),
        ("runtime: python\n", "raise RuntimeError('no')\n", "failed to load at __main__.py:1: RuntimeError: no"),
    ],
)
def test_a_broken_pack_is_one_clear_line(tmp_path, yaml_text, main, message):
    d = make_pack(tmp_path, main, yaml_text or "runtime: python\n")
    if yaml_text is None:
        (d / "PulumiPolicy.yaml").unlink()
    with pytest.raises(PackError) as err:
        load_pack(d)
    assert message in err.value.message and "\n" not in err.value.message


def test_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(PackError, match="does not exist"):
        load_pack(tmp_path / "nope")


def test_packs_can_be_built_from_policy_objects():
    from pulumi_policy import ResourceValidationPolicy

    pack = pack_from_policies(
        "inline", [ResourceValidationPolicy(name="p", description="P.", validate=lambda a, r: None)]
    )
    assert pack.name == "inline" and pack.analyzer_info().policies[0].name == "p"
    with pytest.raises(TypeError, match="Invalid policy pack name"):
        pack_from_policies("no spaces allowed", list(pack.policies))


def test_the_wheel_carries_the_repositorys_guardrails_pack_where_bundled_pack_looks(tmp_path):
    """A regular wheel holds the pack's files as cdcml/guardrails; an editable one holds no
    file outside its .pth and metadata (a copy there made pytest fail on every run)."""
    import zipfile

    from hatchling.builders.wheel import WheelBuilder

    from cdcml.engine.pack import BUNDLED_PACK, DEFAULT_PACK

    builder = WheelBuilder(str(ROOT))
    names = {
        version: zipfile.ZipFile(path).namelist()
        for version in ("standard", "editable")
        for path in builder.build(directory=str(tmp_path / version), versions=[version])
    }
    pack_files = sorted(
        str(p.relative_to(ROOT / DEFAULT_PACK)) for p in (ROOT / DEFAULT_PACK).rglob("*") if p.is_file()
    )
    shipped = sorted(n.removeprefix(f"cdcml/{BUNDLED_PACK}/") for n in names["standard"] if f"/{BUNDLED_PACK}/" in n)
    assert shipped == [f for f in pack_files if f != "requirements.txt" and "__pycache__" not in f]
    assert "cdcml/__init__.py" in names["standard"]
    from cdcml import __version__

    # the one version source: the wheel's version is cdcml.__version__ (pyproject reads it)
    assert f"cdcml_guard-{__version__}.dist-info/METADATA" in names["standard"]
    assert [n for n in names["editable"] if not n.startswith("cdcml_guard-")] == ["_editable_impl_cdcml_guard.pth"]


def test_bundled_pack_prefers_the_installed_copy_and_falls_back_to_the_checkout(tmp_path):
    from cdcml.engine.pack import BUNDLED_PACK, DEFAULT_PACK, bundled_pack

    package = tmp_path / "site-packages" / "cdcml"
    (package / BUNDLED_PACK).mkdir(parents=True)
    assert bundled_pack(package) is None  # no PulumiPolicy.yaml there, and no checkout around it
    (package / BUNDLED_PACK / "PulumiPolicy.yaml").write_text("runtime: python\n")
    assert bundled_pack(package) == package / BUNDLED_PACK
    assert bundled_pack() == ROOT / DEFAULT_PACK  # this checkout, installed editable
    assert load_pack(bundled_pack()).name == "cdc-ml-guardrails"


def test_a_pulumipolicy_yaml_alias_bomb_or_bad_utf8_is_one_named_line(tmp_path):
    """PulumiPolicy.yaml is read like every input (cdcml.inputs): bounded aliases, strict UTF-8."""
    bomb = "runtime: python\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    d = make_pack(tmp_path, MINIMAL, yaml_text=bomb)
    with pytest.raises(PackError, match=r"PulumiPolicy\.yaml line \d+: .*alias"):
        load_pack(d)
    (d / "PulumiPolicy.yaml").write_bytes(b"runtime: python\ndescription: caf\xe9\n")
    with pytest.raises(PackError, match=r"PulumiPolicy\.yaml.*UTF-8"):
        load_pack(d)
