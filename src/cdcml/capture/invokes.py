"""Answers to provider function calls (invokes) made by a program under capture.

A program may call ``azure_native.authorization.get_client_config()`` or look up an
existing resource group. Offline there is no provider to ask, so capture answers from an
:class:`InvokeTable`: a mapping of function tokens to handlers, with defaults for the
calls CDC→ML programs make, and the answers a user gives (:class:`InvokeAnswer`, read
from an ``--invokes`` file by :mod:`cdcml.runs.answers`), which come first.

An invoke with no answer is *unknown*, as an invoke whose dependencies aren't created yet
is under ``pulumi preview``: the output form (``get_x_output``) gives an unknown Output, so
``.keys[0]`` and every apply on it stay unknown. The plain form (``get_x``) returns its
result at once and can't carry an unknown (the SDK gives it ``None``, on which the
generated code fails in ``pulumi.get``; unknown Outputs as fields fail the generated
constructors' type checks), so it gets an empty result, every field ``None``. Either way
the graph's diagnostics name the token, and so does a program failure
(:func:`unanswered_hint`).
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cdcml.model.values import SIG_KEY, secret

__all__ = [
    "DEFAULT_SUBSCRIPTION_ID",
    "DEFAULT_TENANT_ID",
    "PLAIN_INVOKE",
    "InvokeAnswer",
    "InvokeHandler",
    "InvokeTable",
    "unanswered_hint",
]

DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-00000000c0de"
DEFAULT_TENANT_ID = "00000000-0000-4000-8000-0000000a11ce"
DEFAULT_CLIENT_ID = "00000000-0000-4000-8000-00000000c11e"
DEFAULT_OBJECT_ID = "00000000-0000-4000-8000-0000000b0b0b"

InvokeHandler = Callable[[Mapping[str, Any]], Mapping[str, Any]]
"""Takes the invoke's arguments (plain values) and returns its result (plain values)."""


PLAIN_INVOKE: contextvars.ContextVar[bool] = contextvars.ContextVar("cdcml_plain_invoke", default=False)
"""True while the program makes a plain-form invoke (:mod:`cdcml.capture.runtime` marks
it; the invoke's request reaches the monitor in a copy of that context)."""


@dataclass(frozen=True)
class InvokeAnswer:
    """A user's answer to a provider function: the *result* of every call of *token* whose
    arguments include *args* (each key given equal to the call's; ``None``: any call).
    Values are wire form (a secret is ``{SIG_KEY: SECRET_SIG, "value": …}``); *secret*
    marks the whole result secret."""

    token: str
    result: Mapping[str, Any]
    args: Mapping[str, Any] | None = None
    secret: bool = False

    def matches(self, token: str, args: Mapping[str, Any]) -> bool:
        if token != self.token:
            return False
        return self.args is None or all(k in args and _same(args[k], v) for k, v in self.args.items())

    def answer(self) -> dict[str, Any]:
        if not self.secret:
            return dict(self.result)
        return {k: v if _is_secret(v) else secret(v) for k, v in self.result.items()}

    def to_plain(self) -> dict[str, Any]:
        return {"token": self.token, "result": dict(self.result), "args": self.args, "secret": self.secret}

    @classmethod
    def from_plain(cls, plain: Mapping[str, Any]) -> InvokeAnswer:
        args = plain.get("args")
        given = None if args is None else dict(args)
        return cls(str(plain["token"]), dict(plain["result"]), given, bool(plain["secret"]))


def _same(given: Any, wanted: Any) -> bool:
    """A call's argument *given* (numbers arrive as floats) equals an answer's *wanted*."""
    if isinstance(wanted, bool) or isinstance(given, bool):
        return given is wanted
    return bool(given == wanted)


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and SIG_KEY in value


def unanswered_hint(tokens: Sequence[str]) -> str:
    """The line a failed program's error ends with when invokes went unanswered."""
    names = ", ".join(dict.fromkeys(tokens))
    return f" (no offline answer for invoke {names}; answer it with --invokes FILE)"


@dataclass
class InvokeTable:
    """Handlers for provider functions, by token. Extend with :meth:`register` or pass
    ``handlers`` to override a default; *answers* (a user's, in order) come before the
    handlers."""

    subscription_id: str = DEFAULT_SUBSCRIPTION_ID
    tenant_id: str = DEFAULT_TENANT_ID
    client_id: str = DEFAULT_CLIENT_ID
    object_id: str = DEFAULT_OBJECT_ID
    location: str = "westeurope"
    handlers: dict[str, InvokeHandler] = field(default_factory=dict)
    answers: tuple[InvokeAnswer, ...] = ()

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

    def answer(self, token: str, args: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The result of calling *token* with *args*: the first of the user's answers that
        matches, else the handler's (:meth:`has`/:meth:`call`, which subclasses may
        override); ``None`` when there is none — the result is unknown."""
        for given in self.answers:
            if given.matches(token, args):
                return given.answer()
        return self.call(token, args) if self.has(token) else None

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
