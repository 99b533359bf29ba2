"""A public corpus of small third-party-style Pulumi programs (``contract_tests/corpus``),
each run the way ``cdcml preview`` runs it — the program in its own process, the
guardrails pack in its own — in both output modes.

Every program declares what real programs declare (user-assigned identities, invokes in
both forms, a StackReference, apply chains, a component in its own module, dependsOn,
protect, explicit providers, transformations and resource transforms, config objects,
secrets, aliases, a read resource). Each case pins the number of resources captured and a
few properties the capture must keep (dependency edges, secret-ness, resource options,
invoke answers), and the run must end in a verdict (exit 0 or 1), never in an input error (exit 2).

The programs were written for this suite; none is copied from another project.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cdcml.capture.invokes import DEFAULT_OBJECT_ID, DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID
from cdcml.errors import CdcmlError
from cdcml.model import Resource, ResourceGraph, Verdict, thaw
from cdcml.model.values import contains_secret, contains_unknown, is_secret, is_unknown, reveal
from cdcml.runs.preview import preview
from contract_tests.conftest import ROOT

CORPUS = Path(__file__).resolve().parent / "corpus"
GUARDRAILS = ROOT / "policies" / "cdc-ml-guardrails"
MODES = ("preview", "resolved")
AN = "azure-native:"

Check = Callable[[ResourceGraph, str], None]


@dataclass(frozen=True)
class Program:
    """A corpus program: its stack, the resources a capture records (the root stack and
    providers included) and what else must hold, per output mode."""

    stack: str
    resources: int
    check: Check
    xfail: dict[str, str] = field(default_factory=dict)


# ---- reading a graph


def res(graph: ResourceGraph, name: str, type_: str = "") -> Resource:
    (found,) = [r for r in graph.resources if r.name == name and r.type.endswith(type_)]
    return found


def of_type(graph: ResourceGraph, type_: str) -> list[Resource]:
    return [r for r in graph.resources if r.type == AN + type_ or r.type == type_]


def depends(graph: ResourceGraph, name: str, *on: str) -> bool:
    deps = set(res(graph, name).dependencies)
    return all(res(graph, o).urn in deps for o in on)


def plain(value: Any) -> Any:
    return thaw(reveal(value))


# ---- the programs' checks


def uai_storage(g: ResourceGraph, mode: str) -> None:
    uai, account, writer = res(g, "landing-id"), res(g, "landing"), res(g, "landing-writer")
    assert account.inputs["identity"]["type"] == "UserAssigned"
    assert uai.urn in account.property_dependencies["identity"]
    assert uai.urn in writer.property_dependencies["principalId"]
    if mode == "resolved":
        assert set(account.outputs["identity"]["userAssignedIdentities"]) == {uai.id}
        assert writer.inputs["principalId"] == uai.outputs["principalId"]


def client_config(g: ResourceGraph, mode: str) -> None:
    props = res(g, "vault").inputs["properties"]
    assert props["tenantId"] == DEFAULT_TENANT_ID  # the plain invoke, answered in both modes
    assert props["accessPolicies"][0]["objectId"] == DEFAULT_OBJECT_ID  # and its _output form
    assert res(g, "rg").inputs["tags"] == {"subscription": DEFAULT_SUBSCRIPTION_ID}
    assert g.outputs["tenant"] == DEFAULT_TENANT_ID


def existing_rg(g: ResourceGraph, mode: str) -> None:
    ns = res(g, "events")
    assert ns.inputs["resourceGroupName"] == "rg-shared-weu"
    assert ns.inputs["location"] == "westeurope"  # from getResourceGroup's answer
    assert depends(g, "changes", "events")


def storage_keys(g: ResourceGraph, mode: str) -> None:
    value = res(g, "legacy-connection").inputs["properties"]["value"]
    assert is_secret(value)
    assert depends(g, "legacy-connection", "vault")
    # The keys invoke has no offline answer: the connection string is an unknown, still secret
    # (in preview the account name is unknown too, so the SDK never calls the invoke).
    assert is_unknown(reveal(value))
    if mode == "resolved":
        assert any("listStorageAccountKeys" in d and "--invokes FILE" in d for d in g.diagnostics)


def stack_reference(g: ResourceGraph, mode: str) -> None:
    (ref,) = of_type(g, "pulumi:pulumi:StackReference")
    assert ref.name == "contoso/network/prod" and ref.inputs["name"] == "contoso/network/prod"
    endpoint = res(g, "private-blob")
    assert ref.urn in endpoint.property_dependencies["subnet"]
    assert depends(g, "private-blob", "private")
    # Another stack's outputs can't be read offline: unknown, the edge kept.
    assert is_unknown(endpoint.inputs["subnet"]["id"])


def apply_chains(g: ResourceGraph, mode: str) -> None:
    ns = res(g, "ns")
    assert ns.inputs["tags"] == {"team": "data-science"}
    assert depends(g, "scoring", "ns", "orders")
    assert res(g, "rg").urn in ns.property_dependencies["namespaceName"]
    if mode == "preview":
        assert is_unknown(ns.inputs["namespaceName"]) and is_unknown(res(g, "scoring").inputs["userMetadata"])
    else:
        assert ns.inputs["namespaceName"] == res(g, "rg").outputs["name"][:20] + "-ns"
        meta = json.loads(res(g, "scoring").inputs["userMetadata"])
        hub = res(g, "orders").outputs["name"]
        assert meta == {"namespace": ns.inputs["namespaceName"], "hub": hub, "team": "Data Science"}
        assert g.outputs["endpoint"].startswith("sb://" + ns.inputs["namespaceName"])


def component_module(g: ResourceGraph, mode: str) -> None:
    zones = of_type(g, "corpus:landing:LandingZone")
    assert sorted(z.name for z in zones) == ["archive", "primary"]
    containers = of_type(g, "storage:BlobContainer")
    assert sorted(c.inputs["containerName"] for c in containers) == ["archive", "curated", "raw"]
    assert res(g, "primary-raw").parent == res(g, "primary").urn
    assert depends(g, "primary-raw", "primary-account")
    assert res(g, "archive-account").inputs["isHnsEnabled"] is False
    assert list(g.outputs["archiveContainers"]) == ["archive"]


def depends_on(g: ResourceGraph, mode: str) -> None:
    assert depends(g, "baseline", "logs")
    for i in range(3):  # depending on a component waits for its children
        assert depends(g, f"acct{i}", "baselineaudit")
    assert depends(g, "summary", "acct0", "acct1", "acct2")


def protect_options(g: ResourceGraph, mode: str) -> None:
    assert res(g, "rg").options.protect
    lake = res(g, "lake").options
    assert lake.protect and lake.retain_on_delete and lake.ignore_changes == ("tags",)
    assert lake.custom_timeouts is not None and lake.custom_timeouts.create == 1800.0
    bronze = res(g, "bronze").options
    assert bronze.delete_before_replace is True and bronze.replace_on_changes == ("containerName",)
    assert not res(g, "bronze").options.protect


def explicit_provider(g: ResourceGraph, mode: str) -> None:
    primary, dr = res(g, "primary", "providers:azure-native"), res(g, "dr", "providers:azure-native")
    assert primary.inputs["location"] == "westeurope" and dr.inputs["location"] == "northeurope"
    assert res(g, "main-rg").provider.startswith(primary.urn + "::")
    assert res(g, "mainacct").provider.startswith(primary.urn + "::")
    assert res(g, "dr-rg").provider.startswith(dr.urn + "::")  # through the component's providers
    assert res(g, "dracct").provider.startswith(dr.urn + "::")
    assert res(g, "dracct").parent == res(g, "dr", "corpus:dr:Region").urn


def transformations(g: ResourceGraph, mode: str) -> None:
    assert res(g, "rg").inputs["tags"] == {"env": "dev", "cost-center": "cc-4711"}
    assert res(g, "acct").inputs["tags"] == {"cost-center": "cc-4711"}
    assert res(g, "acct").inputs["minimumTlsVersion"] == "TLS1_2"  # the transform wins over the program
    assert res(g, "ns").inputs["tags"] == {"cost-center": "cc-4711"}
    assert "tags" not in res(g, "hub").inputs


def resource_transforms(g: ResourceGraph, mode: str) -> None:
    acct = res(g, "acct").inputs
    assert acct["minimumTlsVersion"] == "TLS1_2" and acct["allowBlobPublicAccess"] is False
    assert res(g, "rg").options.protect and not res(g, "acct").options.protect  # the stack transform's
    assert depends(g, "acct", "rg")


def config_objects(g: ResourceGraph, mode: str) -> None:
    hubs = {h.name: h.inputs for h in of_type(g, "eventhub:EventHub")}
    assert {n: h["partitionCount"] for n, h in hubs.items()} == {"orders": 4.0, "customers": 2.0}
    assert all(h["retentionDescription"]["retentionTimeInHours"] == 72.0 for h in hubs.values())
    groups = of_type(g, "eventhub:ConsumerGroup")
    assert sorted(c.name for c in groups) == ["customers-training", "orders-scoring", "orders-training"]
    assert depends(g, "orders-scoring", "orders", "ns")
    ns = res(g, "ns").inputs
    assert ns["zoneRedundant"] is True and ns["sku"] == {"name": "Standard", "tier": "Standard", "capacity": 2.0}


def secrets(g: ResourceGraph, mode: str) -> None:
    server = res(g, "source")
    assert is_secret(server.inputs["administratorLoginPassword"])
    assert reveal(server.inputs["administratorLoginPassword"]) == "not-a-real-password-1!"
    assert not contains_secret(server.inputs["administratorLogin"])
    linked = res(g, "orders-sql")
    assert is_secret(linked.inputs["properties"]["password"]["value"])
    assert contains_secret(linked.inputs["properties"]["connectionString"])
    assert linked.options.additional_secret_outputs == ("properties",)
    assert is_secret(linked.outputs["properties"])
    assert is_secret(g.outputs["connection"]) and not is_secret(g.outputs["server"])
    assert depends(g, "orders-sql", "factory", "source", "orders")


def eventhub_capture(g: ResourceGraph, mode: str) -> None:
    hub = res(g, "changes")
    assert hub.inputs["captureDescription"]["destination"]["identity"] == {"type": "SystemAssigned"}
    assert depends(g, "changes", "capture-writer", "ns", "archive")
    if mode == "resolved":
        writer = res(g, "capture-writer")
        assert writer.inputs["principalId"] == res(g, "ns").outputs["identity"]["principalId"]
        assert depends(g, "capture-writer", "ns", "capture")


def aliases(g: ResourceGraph, mode: str) -> None:
    assert "urn:pulumi:dev::aliases::azure-native:resources:ResourceGroup::rg" in res(g, "rg-main").options.aliases
    lake = res(g, "lake")
    assert lake.parent == res(g, "data").urn
    assert "urn:pulumi:dev::aliases::azure-native:storage:StorageAccount::lake" in lake.options.aliases


def existing_resource(g: ResourceGraph, mode: str) -> None:
    shared = res(g, "shared")
    assert shared.external and shared.id.endswith("/storageAccounts/stshared")
    assert depends(g, "cdc", "shared")
    # Its name is the last segment of its id, so the container names the real account.
    assert shared.outputs["name"] == "stshared" and res(g, "cdc").inputs["accountName"] == "stshared"
    assert is_unknown(g.outputs["sharedKind"])  # a read resource's state isn't known offline


def ml_workspace(g: ResourceGraph, mode: str) -> None:
    (ws,) = of_type(g, "machinelearningservices:Workspace")
    assert {res(g, n).urn for n in ("mlcorpst", "mlcorp-kv", "mlcorp-ai")} <= set(ws.dependencies)
    (store,) = of_type(g, "machinelearningservices:Datastore")
    assert ws.urn in store.dependencies
    assert store.inputs["properties"]["credentials"] == {"credentialsType": "None"}
    if mode == "resolved":
        assert g.outputs["workspacePrincipal"] == ws.outputs["identity"]["principalId"]


def uai_factory(g: ResourceGraph, mode: str) -> None:
    runner, factory = res(g, "factory-runner"), res(g, "factory")
    assert factory.inputs["identity"]["type"] == "SystemAssigned,UserAssigned"
    assert runner.urn in factory.property_dependencies["identity"]
    if mode == "resolved":
        assert set(factory.inputs["identity"]["userAssignedIdentities"]) == {runner.id}
        assert g.outputs["runnerPrincipal"] == runner.outputs["principalId"]
    else:
        assert contains_unknown(factory.inputs["identity"])


PROGRAMS: dict[str, Program] = {
    "uai-storage": Program("dev", 6, uai_storage),
    "client-config": Program("dev", 4, client_config),
    "existing-rg": Program("dev", 4, existing_rg),
    "storage-keys": Program("dev", 6, storage_keys),
    "stack-reference": Program("prod", 7, stack_reference),
    "apply-chains": Program("dev", 6, apply_chains),
    "component-module": Program("dev", 10, component_module),
    "depends-on": Program("dev", 10, depends_on),
    "protect-options": Program("prod", 5, protect_options),
    "explicit-provider": Program("dev", 8, explicit_provider),
    "transformations": Program("dev", 6, transformations),
    "resource-transforms": Program("dev", 4, resource_transforms),
    "config-objects": Program("test", 9, config_objects),
    "secrets": Program("dev", 7, secrets),
    "eventhub-capture": Program("prod", 8, eventhub_capture),
    "aliases": Program("dev", 5, aliases),
    "existing-resource": Program("dev", 4, existing_resource),
    "ml-workspace": Program("dev", 9, ml_workspace),
    "uai-factory": Program("dev", 5, uai_factory),
}


@functools.cache
def run(name: str, mode: str) -> Verdict:
    """The corpus program's ``cdcml preview`` verdict under the guardrails (once per mode)."""
    return preview(CORPUS / name, PROGRAMS[name].stack, pack_dirs=[GUARDRAILS], mode=mode)


def _cases() -> list[Any]:
    cases = []
    for name, program in PROGRAMS.items():
        for mode in MODES:
            reason = program.xfail.get(mode)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(name, mode, marks=marks, id=f"{name}-{mode}"))
    return cases


def test_the_corpus_is_every_program_directory_and_at_least_fifteen() -> None:
    """Every program in contract_tests/corpus has a case, with its stack's config file."""
    dirs = sorted(p.name for p in CORPUS.iterdir() if (p / "Pulumi.yaml").is_file())
    assert dirs == sorted(PROGRAMS) and len(dirs) >= 15
    for name, program in PROGRAMS.items():
        assert (CORPUS / name / f"Pulumi.{program.stack}.yaml").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(("name", "mode"), _cases())
def test_each_corpus_program_is_captured_faithfully_and_judged(name: str, mode: str) -> None:
    """The program runs as ``cdcml preview --outputs MODE`` runs it; the guardrails judge
    it (exit 0 or 1, never 2); the graph has the expected resources and properties."""
    program = PROGRAMS[name]
    try:
        verdict = run(name, mode)
    except CdcmlError as e:
        pytest.fail(f"cdcml preview would exit 2: {e}")
    assert verdict.exit_code in (0, 1)
    (report,) = verdict.stacks
    graph = report.graph
    assert len(graph.resources) == program.resources, [r.urn for r in graph.resources]
    assert graph.dry_run is (mode == "preview")
    program.check(graph, mode)
