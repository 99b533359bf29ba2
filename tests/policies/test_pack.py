"""The pack shell policies/cdc-ml-guardrails and its example configurations."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from cdcml import __version__
from cdcml.engine.config import load_pack_config_file, reconcile, unknown_policy_names
from cdcml.engine.pack import Pack, load_pack
from cdcml.model import EnforcementLevel
from cdcml.policies.catalogue import POLICIES

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policies" / "cdc-ml-guardrails"
CONFIGS = sorted((PACK_DIR / "config").glob("*.json"))


@cache
def pack() -> Pack:
    return load_pack(PACK_DIR)


def test_the_pack_is_built_from_the_catalogue_with_its_metadata_from_pulumipolicy_yaml() -> None:
    doc = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    p = pack()
    assert (p.name, p.version) == (doc["name"], str(doc["version"])) == ("cdc-ml-guardrails", __version__)
    assert p.description == doc["description"].strip()
    assert p.readme == doc["readme"].strip() and p.readme.startswith("# cdc-ml-guardrails")
    assert list(p.policies) == list(POLICIES)
    info = p.analyzer_info()
    assert info.readme == p.readme and len(info.policies) == len(POLICIES)


def test_the_pack_has_one_version_cdcmls_and_installs_that_release() -> None:
    """The version source is cdcml.__version__ (pyproject reads it); PulumiPolicy.yaml needs a
    literal for the Pulumi CLI, and requirements.txt pins the release the pack is built from:
    both copies equal it, so a published pack installs the library it was tested with."""
    doc = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert str(doc["version"]) == __version__
    lines = (PACK_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert requirements == [f"cdcml-guard=={__version__}"]


def test_with_no_config_every_policy_runs_at_its_own_level_with_its_schema_defaults() -> None:
    """No initial_config: an entry without enforcementLevel would demote the policy to advisory."""
    config = reconcile(pack())
    assert not pack().initial_config
    for policy in POLICIES:
        assert config.level(policy.name) == EnforcementLevel(policy.enforcement_level.value)
        schema = policy.config_schema.properties if policy.config_schema else {}
        assert (config.properties(policy.name) or {}) == {k: v["default"] for k, v in schema.items()}


@pytest.mark.parametrize("path", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_example_configs_are_valid_for_the_pack(path: Path) -> None:
    file_config = load_pack_config_file(path)
    assert not unknown_policy_names(pack(), file_config)
    reconcile(pack(), file_config)  # raises PackConfigError on any schema violation


def test_there_is_an_example_config_per_environment() -> None:
    assert {c.stem for c in CONFIGS} == {"dev", "prod"}


def test_environment_aware_policies_are_pinned_to_the_config_environment() -> None:
    env_aware = [p.name for p in POLICIES if p.config_schema and "environment" in p.config_schema.properties]
    assert env_aware
    for path in CONFIGS:
        config = reconcile(pack(), load_pack_config_file(path))
        for name in env_aware:
            assert (config.properties(name) or {}).get("environment") == path.stem, (path.stem, name)


def test_dev_remediates_what_is_safe_to_fix_and_prod_enforces_governance() -> None:
    dev = reconcile(pack(), load_pack_config_file(PACK_DIR / "config" / "dev.json"))
    prod = reconcile(pack(), load_pack_config_file(PACK_DIR / "config" / "prod.json"))
    assert dev.level("governance-require-tags") is EnforcementLevel.REMEDIATE
    assert dev.level("network-disable-blob-anonymous-access") is EnforcementLevel.REMEDIATE
    assert dev.level("network-disable-factory-public-access") is EnforcementLevel.ADVISORY
    assert prod.level("governance-require-tags") is EnforcementLevel.MANDATORY
    assert prod.level("network-disable-factory-public-access") is EnforcementLevel.MANDATORY
    assert (prod.properties("governance-enforce-allowed-locations") or {})["allowedLocations"]
