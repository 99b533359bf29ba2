"""Default providers are registered as the engine registers them: one per package and
version, ``default_<version>``, configured from the stack's ``<package>:*`` config."""

from __future__ import annotations

import uuid

from cdcml.capture.default_providers import DefaultProviders, default_provider_name, provider_inputs
from cdcml.capture.project import StackConfig
from cdcml.model import ResourceOptions
from cdcml.model.values import UNKNOWN, secret

CONFIG = StackConfig(
    stack="dev",
    values={
        "azure-native:location": "westeurope",
        "azure-native:clientSecret": "s3cr3t",
        "azure-nativeX:location": "not this package",
        "proj:location": "not a provider's",
    },
    secret_keys=("azure-native:clientSecret",),
)


def test_default_provider_names():
    assert default_provider_name("3.29.0") == "default_3_29_0"
    assert default_provider_name("3.0.0-alpha.1") == "default_3_0_0_alpha_1"
    assert default_provider_name("") == "default"


def test_provider_inputs_are_the_package_config_and_version():
    assert provider_inputs(CONFIG, "azure-native", "3.29.0") == {
        "location": "westeurope",
        "clientSecret": secret("s3cr3t"),
        "version": "3.29.0",
    }
    assert provider_inputs(CONFIG, "random", "") == {}


def test_the_first_request_creates_the_provider_and_later_ones_reuse_it():
    providers = DefaultProviders("dev", "proj", CONFIG, preview=False)
    ref, record = providers.reference("azure-native", "3.29.0")
    urn = "urn:pulumi:dev::proj::pulumi:providers:azure-native::default_3_29_0"
    pid = str(uuid.uuid5(uuid.NAMESPACE_URL, urn))
    assert ref == f"{urn}::{pid}"
    assert record is not None
    assert (record.urn, record.type, record.name, record.custom, record.id) == (
        urn,
        "pulumi:providers:azure-native",
        "default_3_29_0",
        True,
        pid,
    )
    assert record.inputs == record.outputs == provider_inputs(CONFIG, "azure-native", "3.29.0")
    assert record.outputs is not record.inputs
    assert (record.parent, record.dependencies, record.property_dependencies, record.provider) == ("", [], {}, "")
    assert record.options == ResourceOptions()
    assert not record.external
    assert providers.reference("azure-native", "3.29.0") == (ref, None)
    other_ref, other = providers.reference("azure-native", "3.30.0")
    assert other is not None and other_ref != ref


def test_a_default_provider_id_is_unknown_in_preview():
    ref, record = DefaultProviders("dev", "proj", CONFIG, preview=True).reference("random", "")
    assert ref == f"urn:pulumi:dev::proj::pulumi:providers:random::default::{UNKNOWN}"
    assert record is not None and record.id == UNKNOWN and record.inputs == {}
