"""Provider outputs drawn from the SDK's output types (cdcml.testing.provider_outputs): every
answer is well-typed, plausible where a name says what a string is, replays from the same
seed whatever order the resources arrive in, and says which of its choices were unusual."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdcml.capture.invokes import DEFAULT_SUBSCRIPTION_ID
from cdcml.capture.sdk_types import resource_tokens
from cdcml.testing.oracle import check_outputs
from cdcml.testing.provider_outputs import LEFT_TO_CAPTURE, generated_outputs, output_only

SAMPLE = resource_tokens()[11::61]
"""About 40 types from as many services (offset from the other samples)."""
ACCOUNT = "azure-native:storage:StorageAccount"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Usual(random.Random):
    """Every choice its first alternative: what Hypothesis shrinks to."""

    def randrange(self, *args: Any, **kwargs: Any) -> int:
        return 0


def answer(token: str, rng: random.Random, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    found = generated_outputs(rng, [(token, "r")])(token, "r", inputs or {"resourceGroupName": "rg"})
    assert found is not None
    return dict(found)


def generated_problems(token: str, outputs: dict[str, Any]) -> list[str]:
    """The oracle's problems with the properties the answer has (the settable outputs it
    leaves to the program's inputs are missing by design)."""
    bag = {k: v for k, v in outputs.items() if k != "id"}
    return [str(p) for p in check_outputs(token, bag) if re.split(r"[.\[]", p.path)[0] in bag]


def test_the_sample_spans_many_services() -> None:
    assert len(SAMPLE) >= 35 and len({t.split(":")[1] for t in SAMPLE}) >= 30


@pytest.mark.parametrize("token", SAMPLE)
def test_every_answer_is_well_typed_and_holds_only_output_only_properties(token: str) -> None:
    only = output_only(token)
    for seed in range(4):
        outputs = answer(token, random.Random(seed))
        assert generated_problems(token, outputs) == [], (token, seed)
        assert set(outputs) - {"id"} == set(only) - LEFT_TO_CAPTURE
        assert all(v is not None for n, v in outputs.items() if n in only and only[n].required)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([ACCOUNT, "azure-native:keyvault:Vault", "azure-native:network:PrivateEndpoint"]), st.randoms())
def test_answers_drawn_by_hypothesis_are_well_typed(token: str, rng: random.Random) -> None:
    assert generated_problems(token, answer(token, rng)) == []


def test_the_usual_answer_is_plausible_and_has_nothing_unusual() -> None:
    hook = generated_outputs(Usual(), [(ACCOUNT, "acct")])
    outputs = hook(ACCOUNT, "acct", {"accountName": "acct1", "identity": {"type": "SystemAssigned"}})
    assert outputs is not None and hook.unusual() == []
    assert outputs["provisioningState"] == "Succeeded"
    assert outputs["primaryEndpoints"]["blob"].startswith("https://")
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", outputs["creationTime"])
    assert len(outputs["privateEndpointConnections"]) == 1
    assert outputs["privateEndpointConnections"][0]["id"].startswith(f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/")
    assert GUID.match(outputs["identity"]["principalId"]) and GUID.match(outputs["identity"]["tenantId"])
    assert not LEFT_TO_CAPTURE & set(outputs)
    # The capture knows a storage account's ARM path: the id is left to it.
    assert "id" not in outputs


def test_types_without_a_known_arm_path_get_a_plausible_arm_id() -> None:
    token = "azure-native:redis:Redis"
    outputs = generated_outputs(Usual(), [(token, "cache")], subscription_id="sub")(
        token, "cache", {"resourceGroupName": "g", "name": "redis1"}
    )
    assert outputs is not None
    assert outputs["id"] == "/subscriptions/sub/resourceGroups/g/providers/Microsoft.Redis/redis/redis1"


def test_objects_the_program_sets_get_their_read_only_properties_element_by_element() -> None:
    outputs = answer(
        ACCOUNT,
        Usual(),
        {"sku": {"name": "Standard_LRS"}, "identity": {"type": "SystemAssigned"}, "kind": "StorageV2"},
    )
    assert set(outputs["sku"]) == {"tier"} and set(outputs["identity"]) == {"principalId", "tenantId"}
    assert "kind" not in outputs  # settable, no object: the program's value is the output
    token = "azure-native:sql:FailoverGroup"
    found = answer(token, Usual(), {"partnerServers": [{"id": "a"}, {"id": "b"}]})
    assert len(found["partnerServers"]) == 2
    assert all(set(server) == {"location", "replicationRole"} for server in found["partnerServers"])


def test_a_seed_replays_the_answers_whatever_order_the_resources_arrive_in() -> None:
    resources = [(ACCOUNT, "a"), (ACCOUNT, "b"), ("azure-native:keyvault:Vault", "v")]

    def answers(order: list[tuple[str, str]]) -> tuple[dict[tuple[str, str], Any], list[str]]:
        hook = generated_outputs(random.Random(99), resources)
        got = {key: hook(*key, {"resourceGroupName": "rg"}) for key in order}
        return got, hook.unusual()

    first, unusual = answers(resources)
    again, unusual_again = answers(list(reversed(resources)))
    assert first == again and unusual == unusual_again
    # A resource it wasn't told of replays too.
    late = [generated_outputs(random.Random(5))(ACCOUNT, "late", {}) for _ in range(2)]
    assert late[0] == late[1]


def test_unusual_choices_are_named_by_resource_and_path() -> None:
    seen: list[str] = []
    for seed in range(20):
        hook = generated_outputs(random.Random(seed), [(ACCOUNT, "acct")])
        outputs = hook(ACCOUNT, "acct", {})
        assert outputs is not None
        seen += hook.unusual()
        if outputs["privateEndpointConnections"] == []:
            assert "StorageAccount acct: privateEndpointConnections = empty" in hook.unusual()
    assert any(line.startswith("StorageAccount acct: ") for line in seen)


def test_past_the_budget_every_choice_is_the_usual_one() -> None:
    hook = generated_outputs(random.Random(1), [(ACCOUNT, "acct")], budget=0)
    assert hook(ACCOUNT, "acct", {}) == generated_outputs(Usual(), [(ACCOUNT, "acct")])(ACCOUNT, "acct", {})
    assert hook.unusual() == []


def test_unknown_types_and_other_packages_get_no_answer() -> None:
    hook = generated_outputs(random.Random(1))
    assert hook("azure-native:nosuch:Thing", "t", {}) is None


def test_functions_with_no_offline_answer_get_the_usual_value_of_their_result_type() -> None:
    from cdcml.capture.program import capture_program
    from cdcml.capture.sdk_types import function_result
    from cdcml.testing.oracle import check_object
    from cdcml.testing.provider_outputs import UsualInvokes

    token = "azure-native:storage:listStorageAccountKeys"
    invokes = UsualInvokes()
    assert invokes.has(token) and not invokes.has("azure-native:nosuch:getThing")
    answer = invokes.call(token, {"accountName": "acct1", "resourceGroupName": "rg"})
    result = function_result(token)
    assert result is not None and check_object(result, answer) == []
    assert len(answer["keys"]) == 1
    # The defaults still answer as before.
    assert invokes.call("azure-native:authorization:getClientConfig", {})["subscriptionId"] == DEFAULT_SUBSCRIPTION_ID
    seen: dict[str, Any] = {}

    def program() -> None:
        from pulumi_azure_native import storage

        keys = storage.list_storage_account_keys(account_name="acct1", resource_group_name="rg")
        seen["key"] = keys.keys[0].value

    graph = capture_program(program, mode="resolved", invokes=invokes)
    assert isinstance(seen["key"], str) and seen["key"]
    assert not any("no offline answer" in d for d in graph.diagnostics)
