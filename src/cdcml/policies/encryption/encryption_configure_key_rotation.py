"""D-07: Key Vault keys expire, rotate automatically and are strong enough."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import (
    MISSING,
    as_bool,
    as_number,
    config_number,
    get,
    listed,
    one_of,
    resource_types,
    shown,
)

__all__ = ["encryption_configure_key_rotation"]

KEY_TYPES = ("EC", "EC-HSM", "RSA", "RSA-HSM")


@resource_types(T.KEY_VAULT_KEY)
def _validate(args: Any, report_violation: Any) -> None:
    props = args.props
    config = args.get_config()
    if get(props, "properties.attributes.expires") is MISSING:
        report_violation("properties.attributes.expires is not set, so the key never expires.")
    actions = listed(get(props, "properties.rotationPolicy.lifetimeActions"))
    if not any(one_of(get(a, "action.type"), ("rotate",)) for a in actions):
        report_violation(
            "properties.rotationPolicy has no lifetime action of type rotate, so the key is never rotated."
        )
    kty = get(props, "properties.kty")
    size = as_number(get(props, "properties.keySize"))
    minimum = config_number(config, "minRsaKeySize", 2048)
    if one_of(kty, ("RSA", "RSA-HSM")) and size is not None and size < minimum:
        report_violation(f"properties.keySize is {size:g}; RSA keys need at least {minimum:g} bits.")
    if as_bool(config.get("requireHsm")) is True and not one_of(kty, ("RSA-HSM", "EC-HSM")):
        report_violation(f"properties.kty is {shown(kty, KEY_TYPES)}; this environment requires HSM-backed keys.")


encryption_configure_key_rotation = GuardrailResourcePolicy(
    name="encryption-configure-key-rotation",
    description="A Key Vault key must have an expiry, an automatic rotation policy and a sufficient key size.",
    validate=_validate,
    rule="D-07",
    layer="platform",
    concern="encryption",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Set properties.attributes.expires and a properties.rotationPolicy with a rotate lifetime action (for "
        "example timeAfterCreate P90D) on the Key, use RSA keys of 2048 bits or more, and RSA-HSM/EC-HSM where HSM "
        "backing is required."
    ),
    url="https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation",
    framework=mcsb("DP-6"),
    config={
        "minRsaKeySize": {
            "type": "number",
            "minimum": 2048,
            "default": 2048,
            "description": "The smallest allowed RSA key size, in bits.",
        },
        "requireHsm": {
            "type": "boolean",
            "default": False,
            "description": "Require HSM-backed keys (RSA-HSM or EC-HSM).",
        },
    },
)
