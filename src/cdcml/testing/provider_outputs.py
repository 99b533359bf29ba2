"""What the provider computes, drawn from the SDK's output types: a ``provider_outputs`` hook
for resolved-mode captures (:attr:`cdcml.capture.options.CaptureOptions.provider_outputs`).

ProTI drives a program with generated provider outputs as well as generated configuration,
so a branch inside ``apply`` that depends on an output runs too. :func:`generated_outputs`
draws, for each azure-native resource, every property of its output type (the resource's
getters, :mod:`cdcml.capture.sdk_types`) that is **output-only** — not one of its inputs —
and the read-only properties of the objects the program sets (``identity.principalId``,
``sku.tier``; lists and maps element by element), all well-typed (they pass
:func:`cdcml.testing.oracle.check_outputs`): required properties are always there (the
SDK's type says they are never ``None``), optional ones may be left out, lists and maps
have zero to two elements, enums draw a member, booleans either value, numbers a few
telling ones. Strings are plausible for their name: ``principalId``/``tenantId`` are
GUIDs, ids and ``…Id`` properties ARM ids, ``provisioningState`` is ``Succeeded``,
endpoints and URIs ``https://`` URLs, times ISO 8601, etags ``W/"…"``. ``name``, ``type``
and ``azureApiVersion`` follow from the inputs and are left to the capture, as is the ARM
id of a type the capture knows the path of (so ids stay coherent with the stack's
subscription); other types get a plausible ARM id.

Every choice is made with a :class:`random.Random`; from Hypothesis use
``st.randoms(use_true_random=False)``, so a seed replays a run and a failure shrinks. The
first alternative of each choice is the *usual* one (present, one element, the first
enum member or ``Succeeded``, ``False``, ``1``), which is where Hypothesis shrinks to: in a
shrunk counterexample only the outputs that matter are unusual, and
:meth:`GeneratedOutputs.unusual` lists them.

The resources a capture registers arrive in an order that varies from run to run, so the
draws can't be made as they arrive: :func:`generated_outputs` draws them up front for the
resources it is told of (a preview capture's, in declaration order) and answers each
arrival from its own draw. A resource it wasn't told of (one the program creates only
under some outputs) gets outputs from a :class:`random.Random` seeded by one up-front draw
and its type and name: it replays, but doesn't shrink. :class:`UsualInvokes` answers the
provider functions capture has no offline answer for with the usual value of their result
type.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cdcml.capture import azure
from cdcml.capture.invokes import DEFAULT_SUBSCRIPTION_ID, InvokeTable
from cdcml.capture.sdk_types import (
    ObjectType,
    Property,
    SdkType,
    UnknownResourceType,
    function_result,
    resource_type,
)
from cdcml.model.values import ASSET_SIG, SIG_KEY

__all__ = ["GeneratedOutputs", "UsualInvokes", "generated_outputs", "output_only"]

T = TypeVar("T")
LEFT_TO_CAPTURE = frozenset({"name", "type", "azureApiVersion"})
"""Output-only properties that follow from the inputs: the capture fills them as the
provider does."""
_OPTIONAL_DEPTH = 2
"""Below this many levels of nested objects, optional properties are left out and lists and
maps are empty: outputs stay small and recursive types finite."""
_HARD_DEPTH = 8
DRAW_BUDGET = 3000
"""Choices drawn for one capture at most (Hypothesis caps the size of one example; the
reference ``prod`` stack takes 1,375)."""
_EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_GUID_NAMES = ("principalid", "tenantid", "clientid", "objectid", "subscriptionid", "applicationid", "guid")


def output_only(token: str) -> dict[str, Property]:
    """The output properties of *token* that are not inputs (``name``, ``type`` and
    ``azureApiVersion`` included)."""
    rt = resource_type(token)
    return {n: p for n, p in rt.outputs.properties.items() if n not in rt.inputs.properties}


@dataclass
class _Nested:
    """Read-only values for an object the program sets: *values* are added to it, *inner*
    apply to its properties of the same names; *each*: to every element of a list or map."""

    values: dict[str, Any] = field(default_factory=dict)
    inner: dict[str, _Nested] = field(default_factory=dict)
    each: bool = False

    def apply(self, given: Any) -> Any:
        if self.each:
            if isinstance(given, list):
                return [_Nested(self.values, self.inner).apply(e) or {} for e in given]
            if _plain_object(given):
                return {k: _Nested(self.values, self.inner).apply(v) or {} for k, v in given.items()}
            return None
        if not _plain_object(given):
            return None
        out = copy.deepcopy(self.values)
        for key, nested in self.inner.items():
            if key in given:
                value = nested.apply(given[key])
                if value is not None:
                    out[key] = value
        return out or None


@dataclass
class _Draw:
    """The outputs drawn for one resource: output-only values, read-only values for the
    objects the program sets, and the unusual choices, as text."""

    outputs: dict[str, Any]
    nested: dict[str, _Nested]
    unusual: list[str]


class _Drawer:
    """One resource's draws: every choice through :meth:`pick`, which notes unusual ones.
    Without a *rng* (or once the *budget* of draws is spent) every choice is the usual one.
    Strings take no draw: they are derived from the resource and the path, plausible and
    distinct, and only their shape (present or not) is drawn."""

    def __init__(
        self, rng: random.Random | None, token: str, name: str, subscription_id: str, budget: list[int]
    ) -> None:
        self.rng = rng
        self.token = token
        self.name = name
        self.subscription_id = subscription_id
        self.budget = budget
        self.unusual: list[str] = []
        self._path = ""

    def pick(self, path: str, alternatives: Sequence[T], show: Callable[[T], str] | None = None) -> T:
        """One of *alternatives*, the first the usual one (a choice of another is noted)."""
        if self.rng is None or len(alternatives) < 2 or self.budget[0] <= 0:
            return alternatives[0]
        self.budget[0] -= 1
        value = alternatives[self.rng.randrange(len(alternatives))]
        if value != alternatives[0]:
            self.unusual.append(f"{path} = {(show or _show)(value)}")
        return value

    def bits(self, n: int) -> int:
        """*n* bits derived from the resource and the path of the string being made."""
        digest = hashlib.sha256(f"{self.token}:{self.name}:{self._path}".encode()).digest()
        return int.from_bytes(digest, "big") >> (256 - n)

    # ---- values of a type

    def object(self, object_type: ObjectType, path: str, depth: int, skip: Iterable[str] = ()) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if depth > _HARD_DEPTH:
            return out
        for name, prop in object_type.properties.items():
            if name in skip:
                continue
            value = self.property(prop, _join(path, name), depth)
            if value is not None:
                out[name] = value
        return out

    def property(self, prop: Property, path: str, depth: int) -> Any:
        if prop.required:
            return self.typed(prop, path, depth)
        if depth >= _OPTIONAL_DEPTH:
            return None
        present = self.pick(path, (True, False), lambda _: "absent (None)")
        # Drawn either way, so how many draws follow doesn't depend on the choice: Hypothesis
        # shrinks towards fewer draws, and must find "present" (the usual) simpler.
        mark = len(self.unusual)
        value = self.typed(prop, path, depth)
        if present:
            return value
        del self.unusual[mark:]
        return None

    def typed(self, prop: Property, path: str, depth: int) -> Any:
        return prop.const if prop.const is not None else self.value(prop.type, prop.name, path, depth)

    def value(self, sdk_type: SdkType, name: str, path: str, depth: int) -> Any:
        kind = sdk_type.kind
        if kind == "object" and sdk_type.object is not None:
            return self.object(sdk_type.object, path, depth + 1)
        if kind == "union" and sdk_type.members:
            labels = [m.describe() for m in sdk_type.members]
            index = self.pick(path, range(len(labels)), lambda i: labels[i])
            return self.value(sdk_type.members[index], name, path, depth)
        if kind in ("array", "map") and sdk_type.item is not None:
            items = self.elements(sdk_type.item, name, path, depth)
            return items if kind == "array" else {f"key{i}": v for i, v in enumerate(items)}
        if kind == "enum" and sdk_type.enum is not None:
            members = list(sdk_type.enum.values)
            if "Succeeded" in members:
                members.remove("Succeeded")
                members.insert(0, "Succeeded")
            return self.pick(path, members)
        if kind == "boolean":
            return self.pick(path, (False, True))
        if kind == "integer":
            return self.pick(path, (1, 0, 2, 100, 2**31 - 1))
        if kind == "number":
            return self.pick(path, (1.0, 0.0, 0.5, 1e6))
        if kind == "asset":
            return {SIG_KEY: ASSET_SIG, "text": ""}
        return self.string(name, path)

    def elements(self, item: SdkType, name: str, path: str, depth: int) -> list[Any]:
        """Zero to two elements (one usually); two are drawn whatever the size, as in
        :meth:`property`."""
        if depth >= _OPTIONAL_DEPTH:
            return []
        size = self.pick(path, (1, 0, 2), _size)
        marks, items = [len(self.unusual)], []
        for i in range(2):
            items.append(self.value(item, name, f"{path}[{i}]", depth))
            marks.append(len(self.unusual))
        del self.unusual[marks[size] :]
        return items[:size]

    def string(self, name: str, path: str) -> str:
        """A plausible string for a property called *name*."""
        self._path = path
        lower = name.lower()
        if lower == "provisioningstate":
            return "Succeeded"
        if lower.endswith(_GUID_NAMES):
            return self.guid()
        if name == "id" or name.endswith(("Id", "ID")):
            return _arm_id(self.token, self.subscription_id, "rg", f"{lower[:8]}{self.bits(16):x}")
        if lower == "etag":
            return f'W/"{self.bits(64):016x}"'
        if lower.endswith(("time", "date", "timestamp")) or name.endswith("At"):
            moment = _EPOCH + datetime.timedelta(seconds=self.bits(25))
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        if "location" in lower or lower == "region":
            return ("westeurope", "northeurope", "eastus")[self.bits(8) % 3]
        if "endpoint" in lower or "uri" in lower or "url" in lower or "endpoints" in path.lower():
            return f"https://x{self.bits(16):x}.{lower[:12]}.core.windows.net/"
        if lower.endswith(("fqdn", "hostname", "domain", "domainname")):
            return f"x{self.bits(16):x}.example.com"
        if "ipaddress" in lower or name.endswith(("IP", "Ip")):
            n = self.bits(24)
            return f"10.{n >> 16}.{(n >> 8) & 255}.{(n & 255) or 1}"
        if lower.endswith("version"):
            return "1.0"
        return f"{lower[:10] or 'value'}{self.bits(12)}"

    def guid(self) -> str:
        h = f"{self.bits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    # ---- the read-only parts of objects the program sets

    def nested(self, input_type: SdkType, output_type: SdkType, path: str, depth: int) -> _Nested | None:
        if depth > _HARD_DEPTH:
            return None
        if output_type.kind in ("array", "map") and input_type.kind == output_type.kind:
            if input_type.item is None or output_type.item is None:
                return None
            inner = self.nested(input_type.item, output_type.item, f"{path}[*]", depth)
            return None if inner is None else _Nested(inner.values, inner.inner, each=True)
        if input_type.object is None or output_type.object is None:
            return None
        given = input_type.object.properties
        found = _Nested()
        for name, prop in output_type.object.properties.items():
            where = _join(path, name)
            if name not in given:
                value = self.property(prop, where, depth + 1)
                if value is not None:
                    found.values[name] = value
                continue
            inner = self.nested(given[name].type, prop.type, where, depth + 1)
            if inner is not None:
                found.inner[name] = inner
        return found if found.values or found.inner else None


def _draw(rng: random.Random, token: str, name: str, subscription_id: str, budget: list[int]) -> _Draw | None:
    """The draw of one resource."""
    try:
        rt = resource_type(token)
    except UnknownResourceType:
        return None
    drawer = _Drawer(rng, token, name, subscription_id, budget)
    outputs: dict[str, Any] = {}
    nested: dict[str, _Nested] = {}
    for name, prop in rt.outputs.properties.items():
        if name in LEFT_TO_CAPTURE:
            continue
        given = rt.inputs.properties.get(name)
        if given is None:
            outputs[name] = drawer.property(prop, name, 0)
        else:
            inner = drawer.nested(given.type, prop.type, name, 0)
            if inner is not None:
                nested[name] = inner
    return _Draw(outputs, nested, drawer.unusual)


class GeneratedOutputs:
    """A ``provider_outputs`` hook answering from draws made up front (see the module
    docstring); :meth:`unusual` says what the answers had that a program might not expect."""

    def __init__(
        self, rng: random.Random, resources: Iterable[tuple[str, str]], subscription_id: str, budget: int
    ) -> None:
        self.subscription_id = subscription_id
        self._seed = rng.getrandbits(64)
        self._budget = [budget]
        self._draws: dict[tuple[str, str], _Draw | None] = {}
        for token, name in resources:
            if (token, name) not in self._draws:
                self._draws[(token, name)] = _draw(rng, token, name, subscription_id, self._budget)
        self._answered: set[tuple[str, str]] = set()

    def __call__(self, type_token: str, name: str, inputs: Mapping[str, Any]) -> Mapping[str, Any] | None:
        key = (type_token, name)
        if key not in self._draws:
            own = random.Random(f"{self._seed}:{type_token}:{name}")
            self._draws[key] = _draw(own, type_token, name, self.subscription_id, [DRAW_BUDGET])
        drawn = self._draws[key]
        if drawn is None:
            return None
        self._answered.add(key)
        answer = copy.deepcopy(drawn.outputs)
        for prop, nested in drawn.nested.items():
            if prop in inputs:
                value = nested.apply(inputs[prop])
                if value is not None:
                    answer[prop] = value
        if type_token.split(":", 1)[1] not in azure.ARM_PATHS:
            answer["id"] = self._arm_id(type_token, name, inputs)
        return answer

    def _arm_id(self, token: str, name: str, inputs: Mapping[str, Any]) -> str:
        group = inputs.get("resourceGroupName")
        prop = azure.autoname_property(token)
        own = inputs.get(prop) if prop else inputs.get("name")
        group = group if isinstance(group, str) else "rg"
        return _arm_id(token, self.subscription_id, group, own if isinstance(own, str) else name)

    def unusual(self) -> list[str]:
        """The unusual choices of the resources the capture asked about, one line each
        (``StorageAccount acct: primaryEndpoints.blob = absent (None)``), in the order the
        resources were given."""
        lines = []
        for (token, name), drawn in self._draws.items():
            if drawn is not None and (token, name) in self._answered:
                lines += [f"{token.rsplit(':', 1)[-1]} {name}: {u}" for u in drawn.unusual]
        return lines


@dataclass
class UsualInvokes(InvokeTable):
    """An :class:`~cdcml.capture.invokes.InvokeTable` that answers an azure-native function
    with no offline answer with the *usual* value of its result type (every property
    present, lists of one element, plausible strings) instead of an empty result: a program
    calling ``list_storage_account_keys`` gets one key, as it would after ``pulumi up``.
    Not drawn: invokes arrive in an order that varies, with arguments that may depend on
    outputs, so they can't be drawn up front as resources are."""

    def has(self, token: str) -> bool:
        return super().has(token) or function_result(token) is not None

    def call(self, token: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        result = function_result(token)
        if super().has(token) or result is None:
            return super().call(token, args)
        name = str(args.get("resourceName") or args.get("accountName") or token.rsplit(":", 1)[-1])
        return _Drawer(None, token, name, self.subscription_id, [0]).object(result, "", 0)


def generated_outputs(
    rng: random.Random,
    resources: Iterable[tuple[str, str]] = (),
    *,
    subscription_id: str = DEFAULT_SUBSCRIPTION_ID,
    budget: int = DRAW_BUDGET,
) -> GeneratedOutputs:
    """A ``provider_outputs`` hook whose answers are drawn with *rng*: up front for
    *resources* (``(type token, logical name)`` pairs, in a deterministic order — a
    preview capture's declaration order), on arrival for any other. At most *budget*
    choices are drawn from *rng* (Hypothesis bounds the size of one example); the
    choices past it are the usual ones."""
    return GeneratedOutputs(rng, resources, subscription_id, budget)


def _arm_id(token: str, subscription_id: str, group: str, name: str) -> str:
    """A plausible ARM id of a resource of *token* (the namespace and type guessed from the
    token: ``Microsoft.Storage/storageAccounts``)."""
    service = token.split(":")[1].split("/")[0]
    kind = token.rsplit(":", 1)[-1]
    plural = kind if kind.endswith("s") else kind + "s"
    path = f"Microsoft.{service[:1].upper()}{service[1:]}/{plural[:1].lower()}{plural[1:]}"
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/{path}/{name}"


def _size(size: int) -> str:
    return "empty" if size == 0 else f"{size} elements"


def _plain_object(value: Any) -> bool:
    return isinstance(value, Mapping) and SIG_KEY not in value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
