"""Answers to provider function calls (invokes) made by a program under capture.

A program may call ``azure_native.authorization.get_client_config()`` or look up an
existing resource group. Offline there is no provider to ask, so capture answers from an
:class:`InvokeTable`: a mapping of function tokens to handlers, with defaults for the
calls CDC→ML programs make. An invoke with no handler is answered with an empty result
(every field ``None``) and noted in the graph's diagnostics; it never crashes capture.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_SUBSCRIPTION_ID", "DEFAULT_TENANT_ID", "InvokeHandler", "InvokeTable"]

DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-00000000c0de"
DEFAULT_TENANT_ID = "00000000-0000-4000-8000-0000000a11ce"
DEFAULT_CLIENT_ID = "00000000-0000-4000-8000-00000000c11e"
DEFAULT_OBJECT_ID = "00000000-0000-4000-8000-0000000b0b0b"

InvokeHandler = Callable[[Mapping[str, Any]], Mapping[str, Any]]
"""Takes the invoke's arguments (plain values) and returns its result (plain values)."""


@dataclass
class InvokeTable:
    """Handlers for provider functions, by token. Extend with :meth:`register` or pass
    ``handlers`` to override a default."""

    subscription_id: str = DEFAULT_SUBSCRIPTION_ID
    tenant_id: str = DEFAULT_TENANT_ID
    client_id: str = DEFAULT_CLIENT_ID
    object_id: str = DEFAULT_OBJECT_ID
    location: str = "westeurope"
    handlers: dict[str, InvokeHandler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        defaults: dict[str, InvokeHandler] = {
            "azure-native:authorization:getClientConfig": self._client_config,
            "azure-native:authorization:getClientToken": lambda _a: {"token": "offline-token"},
            "azure-native:resources:getResourceGroup": self._resource_group,
            "azure-native:authorization:getRoleDefinition": self._role_definition,
        }
        for token, handler in defaults.items():
            self.handlers.setdefault(token, handler)

    def register(self, token: str, handler: InvokeHandler) -> InvokeTable:
        self.handlers[token] = handler
        return self

    def has(self, token: str) -> bool:
        return token in self.handlers

    def call(self, token: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        handler = self.handlers.get(token)
        return {} if handler is None else handler(args)

    def _client_config(self, _args: Mapping[str, Any]) -> Mapping[str, Any]:
        return {
            "clientId": self.client_id,
            "objectId": self.object_id,
            "subscriptionId": self.subscription_id,
            "tenantId": self.tenant_id,
        }

    def _resource_group(self, args: Mapping[str, Any]) -> Mapping[str, Any]:
        name = str(args.get("resourceGroupName", ""))
        return {
            "id": f"/subscriptions/{self.subscription_id}/resourceGroups/{name}",
            "name": name,
            "location": self.location,
            "type": "Microsoft.Resources/resourceGroups",
            "properties": {"provisioningState": "Succeeded"},
            "tags": {},
        }

    def _role_definition(self, args: Mapping[str, Any]) -> Mapping[str, Any]:
        scope = str(args.get("scope", "")).rstrip("/")
        rid = str(args.get("roleDefinitionId", uuid.uuid4()))
        return {
            "id": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{rid}",
            "name": rid,
            "type": "Microsoft.Authorization/roleDefinitions",
        }
