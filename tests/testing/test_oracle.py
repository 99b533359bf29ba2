"""The type oracle (cdcml.testing.oracle): ProTI's well-typed check for azure-native.

The invariant, over a sample of 120+ resource types from 80+ services and every type the
reference stacks declare: every bag ``resource_inputs(t)`` draws passes ``check_inputs``,
and every single deliberate breakage of such a bag (a required key dropped, a value of the
wrong type, a non-member in a closed enum) is reported, alone, at its path.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdcml.capture import capture
from cdcml.capture.sdk_types import ObjectType, SdkType, resource_tokens, resource_type
from cdcml.model import ResourceGraph
from cdcml.model.values import UNKNOWN, UNKNOWN_BOOLEAN, secret
from cdcml.testing.oracle import TypeProblem, check_inputs, check_outputs
from cdcml.testing.sdk_strategies import property_bags, resource_inputs
from conftest import examples

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
REFERENCE_TYPES = (
    "azure-native:applicationinsights:Component",
    "azure-native:authorization:ManagementLockAtResourceLevel",
    "azure-native:authorization:RoleAssignment",
    "azure-native:datafactory:ChangeDataCapture",
    "azure-native:datafactory:Factory",
    "azure-native:datafactory:IntegrationRuntime",
    "azure-native:datafactory:LinkedService",
    "azure-native:datafactory:ManagedPrivateEndpoint",
    "azure-native:eventgrid:SystemTopic",
    "azure-native:eventgrid:SystemTopicEventSubscription",
    "azure-native:eventhub:ConsumerGroup",
    "azure-native:eventhub:EventHub",
    "azure-native:eventhub:Namespace",
    "azure-native:eventhub:NamespaceNetworkRuleSet",
    "azure-native:keyvault:Vault",
    "azure-native:machinelearningservices:DataContainer",
    "azure-native:machinelearningservices:DataVersion",
    "azure-native:machinelearningservices:Datastore",
    "azure-native:machinelearningservices:Workspace",
    "azure-native:monitor:DiagnosticSetting",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:network:PrivateEndpoint",
    "azure-native:network:Subnet",
    "azure-native:network:VirtualNetwork",
    "azure-native:operationalinsights:Workspace",
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:resources:Resource",
    "azure-native:resources:ResourceGroup",
    "azure-native:sql:Database",
    "azure-native:sql:Server",
    "azure-native:sql:ServerBlobAuditingPolicy",
    "azure-native:storage:BlobContainer",
    "azure-native:storage:BlobServiceProperties",
    "azure-native:storage:ManagementPolicy",
    "azure-native:storage:StorageAccount",
)
"""Every azure-native type the reference stacks declare (a test keeps it complete)."""
SAMPLE = tuple(sorted(set(resource_tokens()[::19]) | set(REFERENCE_TYPES)))
_PLAIN = re.compile(r"^[A-Za-z0-9_\-$@]+$")


def _step(path: str, key: str) -> str:
    if not _PLAIN.match(key):
        return f'{path}["{key}"]'
    return f"{path}.{key}" if path else key


# --- the reference stacks ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def prod() -> ResourceGraph:
    return capture(ROOT, "prod")


def test_the_reference_types_are_every_azure_native_type_prod_declares(prod: ResourceGraph) -> None:
    declared = {r.type for r in prod.resources if r.type.startswith("azure-native:")}
    assert declared <= set(REFERENCE_TYPES)
    assert len(declared) >= 30


def test_every_prod_resource_has_well_typed_inputs(prod: ResourceGraph) -> None:
    """ProTI's well-typed law on the hardened stack: every azure-native resource's captured
    inputs (unknowns and secrets as the engine sends them) comply with the SDK's types."""
    checked = [r for r in prod.resources if r.type.startswith("azure-native:")]
    assert len(checked) >= 90
    problems = {r.name: [str(p) for p in check_inputs(r.type, r.inputs)] for r in checked}
    assert {name: found for name, found in problems.items() if found} == {}


# --- what the oracle reports -------------------------------------------------------------------


def _account(**changes: Any) -> dict[str, Any]:
    bag: dict[str, Any] = {"kind": "StorageV2", "resourceGroupName": "rg", "sku": {"name": "Standard_ZRS"}}
    bag.update(changes)
    return bag


def test_a_well_typed_bag_has_no_problem() -> None:
    bag = _account(
        accessTier="Hot",
        minimumTlsVersion="TLS1_2",
        networkRuleSet={"defaultAction": "Deny", "ipRules": [{"iPAddressOrRange": "10.0.0.0/8", "action": "Allow"}]},
        tags={"owner": "team", "odd key.with dots": "x"},
        encryption={"services": {"blob": {"enabled": True, "keyType": "Account"}}, "keySource": "Microsoft.Storage"},
    )
    assert check_inputs(STORAGE_ACCOUNT, bag) == []


def test_each_kind_of_problem_names_its_path() -> None:
    bag = _account(
        resourceGroupName=None,
        sku={"name": 42},
        accessTier="hot",
        resource_group_name="rg",
        networkRuleSet={"ipRules": [{"action": "Allow"}]},
        tags={"a b": 1},
        isHnsEnabled="true",
    )
    found = {(p.path, p.kind) for p in check_inputs(STORAGE_ACCOUNT, bag)}
    assert found == {
        ("resourceGroupName", "missing"),
        ("sku.name", "type"),
        ("accessTier", "enum"),
        ("resource_group_name", "unknown-property"),
        ("networkRuleSet.ipRules[0].iPAddressOrRange", "missing"),
        ('tags["a b"]', "type"),
        ("isHnsEnabled", "type"),
    }


def test_a_problem_says_what_was_expected_and_what_was_found() -> None:
    (problem,) = check_inputs(STORAGE_ACCOUNT, _account(accessTier="hot"))
    assert problem == TypeProblem("accessTier", "enum", 'one of "Hot", "Cool", "Premium", "Cold"', 'a string "hot"')
    assert str(problem) == 'accessTier: expected one of "Hot", "Cool", "Premium", "Cold", found a string "hot"'


def test_unknowns_are_accepted_wherever_any_value_could_be() -> None:
    bag = _account(resourceGroupName=UNKNOWN, sku=UNKNOWN, accessTier=UNKNOWN, isHnsEnabled=UNKNOWN_BOOLEAN)
    bag["networkRuleSet"] = {"ipRules": UNKNOWN, "virtualNetworkRules": [UNKNOWN]}
    assert check_inputs(STORAGE_ACCOUNT, bag) == []


def test_secrets_are_checked_inside_and_never_shown() -> None:
    assert check_inputs(STORAGE_ACCOUNT, _account(sku=secret({"name": "Premium_LRS"}), accessTier=secret("Cool"))) == []
    problems = check_inputs(
        STORAGE_ACCOUNT, _account(accessTier=secret("hunter2-secret"), encryption=secret("s3cret-x"))
    )
    assert {(p.path, p.kind) for p in problems} == {("accessTier", "enum"), ("encryption", "type")}
    assert all("hunter2" not in str(p) and "s3cret" not in str(p) for p in problems)
    assert {p.found for p in problems} == {"a secret (a string)"}


def test_numbers_on_the_wire() -> None:
    """The wire has only doubles: a whole float is an integer; a bool is no number."""
    event_hub = "azure-native:eventhub:ConsumerGroup"
    assert check_inputs(event_hub, {"resourceGroupName": "r", "namespaceName": "n", "eventHubName": "e"}) == []
    integer = SdkType("integer")
    from cdcml.testing.oracle import check_value

    assert check_value(integer, 4.0) == [] and check_value(integer, 4) == []
    assert [p.kind for p in check_value(integer, 4.5)] == ["type"]
    assert [p.kind for p in check_value(integer, True)] == ["type"]
    assert [p.kind for p in check_value(SdkType("number"), False)] == ["type"]


def test_a_discriminated_union_is_checked_against_the_member_its_discriminator_names() -> None:
    token = "azure-native:datafactory:LinkedService"
    base = {"resourceGroupName": "r", "factoryName": "f"}
    assert check_inputs(token, {**base, "properties": {"type": "AzureBlobFS", "url": "https://x"}}) == []
    problems = check_inputs(token, {**base, "properties": {"type": "AzureBlobFS", "bogus": 1}})
    assert [(p.path, p.kind) for p in problems] == [("properties.bogus", "unknown-property")]
    (problem,) = check_inputs(token, {**base, "properties": {"type": 7}})
    assert (problem.path, problem.kind) == ("properties.type", "type")


def test_outputs_are_checked_against_the_output_types() -> None:
    outputs = {"provisioningState": "Succeeded", "sku": {"name": "Standard_LRS", "tier": "Standard"}, "tags": {}}
    problems = {p.path: p.kind for p in check_outputs(STORAGE_ACCOUNT, outputs)}
    assert "sku" not in problems and "tags" not in problems
    assert problems["primaryEndpoints"] == "missing"
    assert check_outputs(STORAGE_ACCOUNT, {"sku": {"name": 1}})[0].path in {"accessTier", "sku.name"}


# --- the invariant, over the sample ------------------------------------------------------------


def _objects(value: Any, sdk_type: SdkType, path: str) -> Iterator[tuple[dict[str, Any], ObjectType, str]]:
    """Every object of a drawn (plain: no unknowns, no secrets) value with its type and path."""
    if sdk_type.kind == "union":
        for member in sdk_type.members:
            assert member.object is not None
            consts = {p.name: p.const for p in member.object.properties.values() if p.const is not None}
            if isinstance(value, dict) and all(value.get(k) == c for k, c in consts.items()):
                yield from _objects(value, member, path)
                return
    elif sdk_type.kind == "object" and sdk_type.object is not None:
        yield value, sdk_type.object, path
        for name, prop in sdk_type.object.properties.items():
            if name in value:
                yield from _objects(value[name], prop.type, _step(path, name))
    elif sdk_type.kind == "array" and sdk_type.item is not None:
        for i, item in enumerate(value):
            yield from _objects(item, sdk_type.item, f"{path}[{i}]")
    elif sdk_type.kind == "map" and sdk_type.item is not None:
        for key, item in value.items():
            yield from _objects(item, sdk_type.item, _step(path, key))


_WRONG = {"string": 7, "integer": "7", "number": "7", "boolean": "yes", "enum": [], "object": "x", "array": "x"}
_WRONG.update({"map": ["x"], "union": "x", "asset": "x"})


def _breakages(bag: dict[str, Any], token: str) -> list[tuple[str, str, str, Any]]:
    """(object path, key, problem kind, new value or None to drop) for every single breakage
    of *bag*: in each of its objects, an undeclared key added, each required key dropped,
    each present value replaced by one of the wrong type, each closed-enum value by a
    non-member."""
    root = SdkType("object", object=resource_type(token).inputs)
    found: list[tuple[str, str, str, Any]] = []
    for obj, object_type, path in _objects(bag, root, ""):
        found.append((path, "notAProperty", "unknown-property", "x"))
        for name, prop in object_type.properties.items():
            if prop.required:
                found.append((path, name, "missing", None))
            if name in obj and prop.type.kind != "any":
                found.append((path, name, "type", _WRONG[prop.type.kind]))
            enum = prop.type.enum
            if name in obj and enum is not None and not enum.open and all(isinstance(v, str) for v in enum.values):
                found.append((path, name, "enum", "Not-A-Member"))
    return found


def _at(bag: dict[str, Any], object_path: str, token: str) -> dict[str, Any]:
    root = SdkType("object", object=resource_type(token).inputs)
    return next(obj for obj, _, path in _objects(bag, root, "") if path == object_path)


@pytest.mark.parametrize("token", SAMPLE)
def test_drawn_inputs_pass_and_every_single_breakage_is_reported_at_its_path(token: str) -> None:
    """For every resource type of the sample: a bag drawn by resource_inputs passes the
    oracle, and each single breakage of it — a required key dropped, a value replaced by
    one of the wrong type, a non-member in a closed enum, an undeclared key — is reported
    as exactly one problem of that kind at that path."""

    @settings(max_examples=examples(dev=3, ci=10, long=60), deadline=None)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        bag = data.draw(resource_inputs(token), label="bag")
        assert check_inputs(token, bag) == []
        breakages = _breakages(bag, token)
        path, name, kind, new = data.draw(st.sampled_from(breakages), label="breakage")
        broken = copy.deepcopy(bag)
        target = _at(broken, path, token)
        if new is None:
            del target[name]
        else:
            target[name] = new
        problems = check_inputs(token, broken)
        assert [(p.path, p.kind) for p in problems] == [(_step(path, name), kind)]

    run()


def test_the_sample_spans_many_services() -> None:
    assert len(SAMPLE) >= 100 and len({t.split(":")[1] for t in SAMPLE}) >= 80


@settings(max_examples=examples(dev=40, ci=200, long=2000), deadline=None)
@given(st.sampled_from(SAMPLE).flatmap(lambda t: st.tuples(st.just(t), property_bags(t))))
def test_the_oracle_is_total_on_ill_typed_bags(case: tuple[str, dict[str, Any]]) -> None:
    """Whatever a deliberately ill-typed bag holds, the oracle answers (problems, never an
    exception), and each problem it reports names a path and says what it found."""
    token, bag = case
    for problem in check_inputs(token, bag):
        assert problem.kind in {"missing", "type", "enum", "const", "unknown-property"}
        assert problem.expected and problem.found
