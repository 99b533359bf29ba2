"""Resource options come from the raw request (``MockResourceArgs`` drops them); custom
timeouts are Go durations, turned into seconds."""

from __future__ import annotations

import re

import pytest

from cdcml.capture.resource_options import go_duration_seconds, resource_options
from cdcml.model import CustomTimeouts, ResourceOptions
from tests.capture._programs import register_request

URN = "urn:pulumi:dev::proj::azure-native:storage:StorageAccount::acct"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("", 0.0),
        ("300s", 300.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        ("250ms", 0.25),
        ("10us", 1e-5),
        ("10µs", 1e-5),
        ("7ns", 7e-9),
        ("1h1m1s", 3661.0),
    ],
)
def test_go_durations(text, seconds):
    assert go_duration_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5", "m", "5 m", "5x", "x5m", "5m ", "-5m", "1h 2m"])
def test_what_is_not_a_go_duration_is_refused(text):
    with pytest.raises(ValueError, match=f"^{re.escape(text)}$"):
        go_duration_seconds(text)


def test_a_request_without_options_has_the_defaults():
    assert resource_options(
        register_request("a:b:C", "acct"), URN, stack="dev", project="proj", type_aliases=()
    ) == ResourceOptions(delete_before_replace=None, custom_timeouts=None)


def test_every_option_of_the_request_is_kept():
    from pulumi.runtime.proto import resource_pb2

    request = register_request(
        "azure-native:storage:StorageAccount",
        "acct",
        protect=True,
        ignoreChanges=["tags", "sku"],
        deleteBeforeReplace=False,
        deleteBeforeReplaceDefined=True,
        additionalSecretOutputs=["primaryEndpoints"],
        customTimeouts=resource_pb2.RegisterResourceRequest.CustomTimeouts(create="5m", update="", delete="1h"),
        retainOnDelete=True,
        deletedWith="urn:other",
        replaceOnChanges=["kind"],
        importId="/subscriptions/x",
        aliasURNs=["urn:old"],
    )
    options = resource_options(
        request, URN, stack="dev", project="proj", type_aliases=("azure-native:storage/v1:StorageAccount",)
    )
    assert options == ResourceOptions(
        protect=True,
        ignore_changes=("tags", "sku"),
        delete_before_replace=False,
        additional_secret_outputs=("primaryEndpoints",),
        aliases=("urn:old", "urn:pulumi:dev::proj::azure-native:storage/v1:StorageAccount::acct"),
        custom_timeouts=CustomTimeouts(create=300.0, update=0.0, delete=3600.0),
        retain_on_delete=True,
        deleted_with="urn:other",
        replace_on_changes=("kind",),
        import_id="/subscriptions/x",
    )


def test_delete_before_replace_is_none_unless_defined():
    request = register_request("a:b:C", "acct", deleteBeforeReplace=True)
    assert resource_options(request, URN, stack="dev", project="proj", type_aliases=()).delete_before_replace is None
    request = register_request("a:b:C", "acct", deleteBeforeReplace=True, deleteBeforeReplaceDefined=True)
    assert resource_options(request, URN, stack="dev", project="proj", type_aliases=()).delete_before_replace is True


def test_an_invalid_custom_timeout_names_the_resource():
    from pulumi.runtime.proto import resource_pb2

    request = register_request(
        "a:b:C", "acct", customTimeouts=resource_pb2.RegisterResourceRequest.CustomTimeouts(create="soon")
    )
    with pytest.raises(RuntimeError, match=rf"^{URN}: invalid custom timeout soon$"):
        resource_options(request, URN, stack="dev", project="proj", type_aliases=())
