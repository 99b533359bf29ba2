"""The pack as the engine sees it: GetAnalyzerInfo of policies/cdc-ml-guardrails, asked
over gRPC of a pack process started like the CLI starts it, lists every catalogue
policy with the library's metadata and config schema; the example configs pass the
validation the CLI applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import empty_pb2, json_format

from cdcml.engine.config import load_pack_config_file, reconcile
from cdcml.engine.grpc_pack import PackProcess
from cdcml.engine.pack import load_pack
from cdcml.model import ResourceGraph
from cdcml.policies.catalogue import POLICIES

ROOT = Path(__file__).resolve().parent.parent
GUARDRAILS = ROOT / "policies" / "cdc-ml-guardrails"
LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}
SEVERITIES = {0: None, 1: "low", 2: "medium", 3: "high", 4: "critical"}


@pytest.fixture(scope="module")
def info():
    with PackProcess(GUARDRAILS, ResourceGraph(project="cdcml", stack="dev", resources=())) as proc:
        yield proc.call("GetAnalyzerInfo", empty_pb2.Empty())


def test_the_pack_lists_every_catalogue_policy_in_order(info):
    assert info.name == "cdc-ml-guardrails"
    assert [p.name for p in info.policies] == [p.name for p in POLICIES]
    assert info.supportsConfig


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_each_policy_carries_the_library_metadata(info, policy):
    got = next(p for p in info.policies if p.name == policy.name)
    assert got.description == policy.description
    assert LEVELS[got.enforcementLevel] == policy.enforcement_level.value
    assert SEVERITIES[got.severity] == (policy.severity.value if policy.severity else None)
    assert list(got.tags) == list(policy.tags or [])
    assert got.remediation_steps == (policy.remediation_steps or "")
    assert got.url == (policy.url or "")
    if policy.framework is not None:
        assert (got.framework.name, got.framework.version, got.framework.reference) == (
            policy.framework.name,
            policy.framework.version,
            policy.framework.reference,
        )
    schema = json_format.MessageToDict(got.configSchema.properties) if got.HasField("configSchema") else {}
    want = policy.config_schema.properties if policy.config_schema else {}
    assert schema == json_format.MessageToDict(json_format.ParseDict(want, got.configSchema.properties.__class__()))


def test_every_example_config_passes_the_cli_validation():
    pack = load_pack(GUARDRAILS)
    configs = sorted((GUARDRAILS / "config").glob("*.json"))
    assert configs, "the pack ships example configs"
    for path in configs:
        cfg = reconcile(pack, load_pack_config_file(path))
        assert set(cfg.policies) >= set(pack.policy_names()), path.name
