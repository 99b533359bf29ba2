"""Capture keeps everything the engine would hand to policies.

The program in ``programs/small`` has a component, an explicit dependsOn, an explicit
provider, protect, ignoreChanges, deleteBeforeReplace, custom timeouts, a secret from a
passphrase-encrypted stack config, an invoke and stack outputs. These tests assert the
whole captured graph, in both output modes.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

from cdcml.capture.invokes import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID
from cdcml.capture.program import capture
from cdcml.model import CustomTimeouts, ResourceGraph
from cdcml.model.values import UNKNOWN, is_secret, is_unknown, reveal

PROGRAM = Path(__file__).parent / "programs" / "small"
PASSPHRASE = "correct horse battery staple"
S = "urn:pulumi:test::small::"
STACK = S + "pulumi:pulumi:Stack::small-test"
EU = S + "pulumi:providers:azure-native::eu"
# The default provider is named after the installed azure-native (the suite also runs at
# the lowest and newest releases the dependency ranges allow: scripts/test-versions.sh).
AZURE_NATIVE = metadata.version("pulumi-azure-native")
DEFAULT = S + "pulumi:providers:azure-native::default_" + AZURE_NATIVE.replace(".", "_")
LANDING = S + "small:index:Landing::landing"
RG = S + "azure-native:resources:ResourceGroup::rg"
ACCOUNT = S + "small:index:Landing$azure-native:storage:StorageAccount::landing-account"
FACTORY = S + "azure-native:datafactory:Factory::factory"
NS = S + "azure-native:eventhub:Namespace::ns"
SQL = S + "azure-native:datafactory:LinkedService::sql"
AUTONAME = re.compile(r"^(?P<logical>.+)[0-9a-f]{8}$")


@pytest.fixture(scope="module")
def both() -> tuple[ResourceGraph, ResourceGraph]:
    """The program captured once in each output mode: (preview, resolved)."""
    return (
        capture(PROGRAM, "test", mode="preview", passphrase=PASSPHRASE),
        capture(PROGRAM, "test", mode="resolved", passphrase=PASSPHRASE),
    )


@pytest.fixture(scope="module", params=["preview", "resolved"])
def graph(request: pytest.FixtureRequest, both: tuple[ResourceGraph, ResourceGraph]) -> ResourceGraph:
    """Each of the two captures in turn (the tests that hold in both modes)."""
    preview, resolved = both
    return preview if request.param == "preview" else resolved


def test_every_resource_is_captured_with_an_engine_form_urn(graph):
    assert {r.urn for r in graph} == {STACK, EU, DEFAULT, LANDING, RG, ACCOUNT, FACTORY, NS, SQL}
    assert all("pulumi:pulumi:Stack$" not in r.urn for r in graph)
    assert graph.stack_urn == STACK


def test_custom_and_component_resources_are_told_apart(graph):
    assert {r.urn for r in graph if not r.custom} == {STACK, LANDING}


def test_parents_are_kept(graph):
    parents = {r.urn: r.parent for r in graph}
    assert parents == {
        STACK: "",
        EU: STACK,
        DEFAULT: "",
        LANDING: STACK,
        RG: STACK,
        ACCOUNT: LANDING,
        FACTORY: STACK,
        NS: STACK,
        SQL: STACK,
    }


def test_dependencies_include_the_explicit_depends_on_and_property_dependencies(graph):
    assert set(graph[NS].dependencies) == {ACCOUNT, RG}, "dependsOn=[component] expands to its children"
    assert dict(graph[NS].property_dependencies)["resourceGroupName"] == (RG,)
    assert set(graph[SQL].dependencies) == {FACTORY, RG}
    assert dict(graph[SQL].property_dependencies)["factoryName"] == (FACTORY,)
    assert graph[ACCOUNT].dependencies == (RG,)


def test_explicit_and_default_provider_references(graph):
    assert graph[RG].provider.startswith(EU + "::")
    for urn in (ACCOUNT, FACTORY, NS, SQL):
        assert graph[urn].provider.startswith(DEFAULT + "::")
    assert graph[STACK].provider == graph[LANDING].provider == ""
    assert dict(graph[DEFAULT].inputs) == {"location": "westeurope", "version": AZURE_NATIVE}
    assert dict(graph[EU].inputs) == {"environment": "public", "location": "westeurope"}


def test_provider_ids_are_unknown_in_preview_and_known_when_resolved(graph):
    pid = graph[NS].provider.rsplit("::", 1)[1]
    assert is_unknown(pid) == (graph.source == "preview")


def test_resource_options_are_kept(graph):
    assert graph[RG].options.protect is True
    assert graph[FACTORY].options.ignore_changes == ("tags",)
    assert graph[FACTORY].options.delete_before_replace is True
    assert graph[NS].options.delete_before_replace is None
    assert graph[ACCOUNT].options.custom_timeouts == CustomTimeouts(create=300.0, update=0.0, delete=3600.0)


def test_type_aliases_are_recorded_as_alias_urns(graph):
    assert graph[FACTORY].options.aliases == (
        S + "azure-native:datafactory/v20170901preview:Factory::factory",
        S + "azure-native:datafactory/v20180601:Factory::factory",
    )
    assert all(a.startswith(S + "small:index:Landing$azure-native:storage/") for a in graph[ACCOUNT].options.aliases)


def test_auto_names_fill_the_name_inputs_before_policies_see_them(graph):
    for urn, prop, logical in (
        (RG, "resourceGroupName", "rg"),
        (FACTORY, "factoryName", "factory"),
        (NS, "namespaceName", "ns"),
        (ACCOUNT, "accountName", "landing-account"),
    ):
        m = AUTONAME.match(graph[urn].inputs[prop])
        assert m and m.group("logical") == logical


def test_the_secret_stays_a_secret_with_its_decrypted_value(graph):
    password = graph[SQL].inputs["properties"]["password"]["value"]
    assert is_secret(password) and reveal(password) == "S3cr3t-Passw0rd!"
    assert graph.config_secret_keys == ("small:sqlPassword",)


def test_config_is_read_as_the_cli_passes_it(graph):
    assert graph.config["small:environment"] == "test"
    assert graph.config["small:owner"] == "data-platform", "project-level config default"
    assert graph.config["small:network"] == '{"addressSpace":"10.20.0.0/16","subnets":["endpoints","integration"]}'
    assert graph.outputs["addressSpace"] == "10.20.0.0/16"


def test_the_invoke_is_answered_from_the_table(graph):
    assert dict(graph[ACCOUNT].inputs["tags"]) == {"owner": "data-platform", "tenant": DEFAULT_TENANT_ID}
    assert graph.diagnostics == ()


def test_stack_outputs_follow_the_output_mode(both):
    preview, resolved = both
    assert preview.outputs["environment"] == resolved.outputs["environment"] == "test"
    assert preview.outputs["namespaceName"] == UNKNOWN
    assert resolved.outputs["namespaceName"] == resolved[NS].inputs["namespaceName"]
    rg = resolved[RG].inputs["resourceGroupName"]
    account = resolved[ACCOUNT].inputs["accountName"]
    assert resolved.outputs["accountId"] == (
        f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/{rg}/providers/"
        f"Microsoft.Storage/storageAccounts/{account}"
    )


def test_no_input_or_dependency_edge_vanishes_in_either_mode(both):
    """Both modes register the same resources with the same input keys and the same edges:
    an output that can't be known becomes unknown, never None."""
    preview, resolved = both
    for r in preview:
        other = resolved[r.urn]
        assert set(r.inputs) == set(other.inputs), r.urn
        assert set(r.dependencies) == set(other.dependencies), r.urn
        assert dict(r.property_dependencies) == dict(other.property_dependencies), r.urn
    assert is_unknown(preview[SQL].inputs["factoryName"])
    assert resolved[SQL].inputs["factoryName"] == resolved[FACTORY].inputs["factoryName"]


def test_resolved_outputs_are_what_the_provider_fills(both):
    _, resolved = both
    factory = resolved[FACTORY]
    assert factory.id == (
        f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/"
        f"{resolved[RG].inputs['resourceGroupName']}/providers/Microsoft.DataFactory/factories/"
        f"{factory.inputs['factoryName']}"
    )
    assert factory.outputs["name"] == factory.inputs["factoryName"]
    assert factory.outputs["type"] == "Microsoft.DataFactory/factories"
    assert factory.outputs["azureApiVersion"] == "2018-06-01"
    assert re.fullmatch(r"[0-9a-f-]{36}", factory.outputs["identity"]["principalId"])
    assert is_unknown(factory.outputs["createTime"]), "an output-only value cdcml can't compute stays unknown"


def test_preview_outputs_are_unknown_unless_they_echo_an_input(both):
    preview, _ = both
    ns = preview[NS]
    assert is_unknown(preview[NS].id)
    assert ns.outputs["sku"] == {"name": "Standard"}
    assert is_unknown(ns.outputs["name"]) and is_unknown(ns.outputs["serviceBusEndpoint"])
