"""GraphBuilder's outputs are a capture's, not a copy of the inputs (issue 12): a stack
policy reading an input-only field from outputs sees it absent, as on a real capture."""

from __future__ import annotations

from typing import Any

from pulumi_policy import StackValidationPolicy

from cdcml.model.values import is_unknown
from cdcml.testing import GraphBuilder, assert_no_stack_violation, assert_stack_violation
from cdcml.testing.oracle import check_outputs

CONSUMER_GROUP = "azure-native:eventhub:ConsumerGroup"
ACCOUNT = "azure-native:storage:StorageAccount"
GROUP_INPUTS = {
    "consumerGroupName": "cg",
    "eventHubName": "orders",
    "namespaceName": "evhns",
    "resourceGroupName": "rg",
    "userMetadata": "ml",
}


def _reads_event_hub_name(args: Any, report_violation: Any) -> None:
    for r in args.resources:
        if r.resource_type == CONSUMER_GROUP and not r.props.get("eventHubName"):
            report_violation("the consumer group names no event hub", r.urn)


READS_EVENT_HUB_NAME = StackValidationPolicy(
    name="reads-event-hub-name", description="reads an input-only field", validate=_reads_event_hub_name
)


def test_an_input_only_field_is_in_the_inputs_and_absent_from_the_outputs() -> None:
    g = GraphBuilder()
    g.add(CONSUMER_GROUP, "cg", GROUP_INPUTS)
    (group,) = g.build().resources
    assert group.inputs["eventHubName"] == "orders"
    assert "eventHubName" not in group.outputs and "resourceGroupName" not in group.outputs
    assert group.outputs["userMetadata"] == "ml"  # an input the provider echoes
    assert group.outputs["name"] == "cg"
    assert group.outputs["type"] == "Microsoft.EventHub/namespaces/eventhubs/consumergroups"
    assert group.outputs["createdAt"].startswith("20")


def test_a_stack_policy_reading_an_input_only_field_fails_its_unit_test_as_on_a_real_capture() -> None:
    g = GraphBuilder()
    g.add(CONSUMER_GROUP, "cg", GROUP_INPUTS)
    assert_stack_violation(READS_EVENT_HUB_NAME, g.build(), match="names no event hub")
    echoed = GraphBuilder(echo_inputs=True)  # the old behaviour hid the bug
    echoed.add(CONSUMER_GROUP, "cg", GROUP_INPUTS)
    assert_no_stack_violation(READS_EVENT_HUB_NAME, echoed.build())


def test_outputs_given_explicitly_are_kept_as_they_are() -> None:
    g = GraphBuilder()
    g.add(CONSUMER_GROUP, "cg", GROUP_INPUTS, outputs={"eventHubName": "orders"})
    g.add(CONSUMER_GROUP, "old-style", {"eventHubName": "x"}, inputs={"eventHubName": "y"})
    first, second = g.build().resources
    assert dict(first.outputs) == {"eventHubName": "orders"} and first.inputs["namespaceName"] == "evhns"
    assert second.outputs["eventHubName"] == "x" and second.inputs["eventHubName"] == "y"


def test_read_only_outputs_are_there_with_plausible_values_of_the_sdk_output_type() -> None:
    g = GraphBuilder()
    inputs = {
        "accountName": "stdata",
        "resourceGroupName": "rg",
        "location": "westeurope",
        "kind": "StorageV2",
        "sku": {"name": "Standard_LRS"},
        "identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": ["/subscriptions/s/id1"]},
    }
    g.add(ACCOUNT, "sa", inputs)
    (account,) = g.build().resources
    out = account.outputs
    assert out["provisioningState"] == "Succeeded" and out["name"] == "stdata"
    assert out["primaryLocation"] == "westeurope"
    assert out["identity"]["principalId"] and set(out["identity"]["userAssignedIdentities"]) == {"/subscriptions/s/id1"}
    assert out["identity"]["userAssignedIdentities"]["/subscriptions/s/id1"]["principalId"]
    assert "resourceGroupName" not in out and "accountName" not in out
    # Well-typed; an output that is also an input the program left out stays absent, as in a capture.
    assert [p for p in check_outputs(ACCOUNT, out) if p.kind != "missing"] == []


def test_in_preview_what_the_provider_computes_is_unknown() -> None:
    g = GraphBuilder(preview=True)
    g.add(CONSUMER_GROUP, "cg", GROUP_INPUTS)
    (group,) = g.build().resources
    assert is_unknown(group.outputs["createdAt"]) and "eventHubName" not in group.outputs
    assert group.outputs["userMetadata"] == "ml"


def test_other_types_and_components_keep_their_inputs_as_outputs() -> None:
    g = GraphBuilder()
    g.add("random:index:RandomPassword", "pw", {"length": 16})
    g.add("my:component:Thing", "thing", {"a": 1}, custom=False)
    assert [dict(r.outputs) for r in g.build().resources] == [{"length": 16}, {"a": 1}]


def test_a_resolved_resource_has_its_arm_id_when_its_inputs_give_one() -> None:
    g = GraphBuilder()
    g.add(CONSUMER_GROUP, "cg", GROUP_INPUTS)
    g.add(CONSUMER_GROUP, "bare", {"userMetadata": "x"})
    full, bare = g.build().resources
    assert full.id.endswith(
        "/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/evhns/eventhubs/orders/consumergroups/cg"
    )
    assert bare.id == "bare-id"
