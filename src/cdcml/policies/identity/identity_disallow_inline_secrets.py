"""C-03: no linked service carries an inline secret: every secret is a Key Vault
reference, never a ``SecureString`` or a password in a connection string."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import as_str, equals_ci, get, resource_types

__all__ = ["identity_disallow_inline_secrets"]

_SECRET_IN_CONNECTION_STRING = re.compile(
    r"(?:^|;)\s*(?:pwd|password|accountkey|credstring|sharedaccesskey)\s*=|[?&]sig=", re.IGNORECASE
)
_MAX_DEPTH = 8


def _secure_strings(value: Any, path: str, depth: int = 0) -> list[str]:
    """Paths of ``{type: "SecureString", …}`` objects under *value* (positions, never values)."""
    if depth > _MAX_DEPTH:
        return []
    found: list[str] = []
    if isinstance(value, Mapping):
        if equals_ci(_known(value, "type"), "SecureString"):
            return [path]
        for key in list(value):
            found.extend(_secure_strings(_known(value, key), f"{path}.{key}", depth + 1))
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        for i in range(len(value)):
            found.extend(_secure_strings(_known(value, i), f"{path}[{i}]", depth + 1))
    return found


def _known(container: Any, key: Any) -> Any:
    """An item of the walk, or ``None`` when it is unknown: an inline SecureString is a
    literal object, so a value computed from another resource's output is never one."""
    try:
        return container[key]
    except UnknownValueError:
        return None
    except (KeyError, IndexError, TypeError):
        return None


@resource_types(T.LINKED_SERVICE)
def _validate(args: Any, report_violation: Any) -> None:
    props = get(args.props, "properties")
    inline = _secure_strings(props, "properties")
    if inline:
        report_violation(
            f"{', '.join(inline)} hold(s) an inline SecureString; store the secret in Key Vault and reference it "
            'with {"type": "AzureKeyVaultSecret", "store": …, "secretName": …}.'
        )
    connection = as_str(get(props, "connectionString"))
    if connection and _SECRET_IN_CONNECTION_STRING.search(connection):
        report_violation(
            "properties.connectionString embeds a password, account key or SAS signature; move the secret to Key "
            "Vault (or use a managed identity) and keep only the server and database in the connection string."
        )


identity_disallow_inline_secrets = GuardrailResourcePolicy(
    name="identity-disallow-inline-secrets",
    description="A Data Factory linked service must not carry an inline secret.",
    validate=_validate,
    rule="C-03",
    layer="cdc",
    concern="identity",
    severity=Severity.CRITICAL,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Replace every SecureString field and every password, account key or SAS signature in a connection string "
        "with an AzureKeyVaultSecret reference to a secret in a Key Vault linked service, or authenticate with "
        "the factory's managed identity."
    ),
    url="https://learn.microsoft.com/azure/data-factory/store-credentials-in-key-vault",
    framework=mcsb("IM-8"),
)
