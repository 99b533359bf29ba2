"""Hypothesis strategies for ResourceGraphs and property bags.

``resource_graphs()`` builds well-formed graphs the way the engine would hand them to a
pack: a root stack, providers, components and custom resources in registration order,
parents and dependencies pointing only at earlier resources, provider references,
resource options, and property values in the engine's wire form — nested objects and
lists, numbers (ints and floats), secrets, unknowns and internal ``__`` keys.
``property_bags()`` generates the values alone, for "no policy crashes or leaks a
secret on any input" properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from cdcml.model import CustomTimeouts, FrozenDict, Resource, ResourceGraph, ResourceOptions, freeze
from cdcml.model.values import UNKNOWN, UNKNOWN_SENTINELS, secret

__all__ = ["DEFAULT_TYPES", "SECRET_MARK", "json_values", "property_bags", "resource_graphs"]

SECRET_MARK = "s3cr3t-"
"""Every generated secret's plaintext starts with this, so leak checks can find it."""

DEFAULT_TYPES: tuple[str, ...] = (
    "azure-native:datafactory:ChangeDataCapture",
    "azure-native:datafactory:Factory",
    "azure-native:datafactory:LinkedService",
    "azure-native:eventhub:Namespace",
    "azure-native:eventhub:ConsumerGroup",
    "azure-native:storage:StorageAccount",
    "azure-native:machinelearningservices:Workspace",
    "azure-native:machinelearningservices:DataVersion",
    "azure-native:network:PrivateEndpoint",
    "azure-native:resources:ResourceGroup",
    "test:index:Thing",
)

_KEYS = st.sampled_from(
    [
        "name",
        "tags",
        "policy",
        "mode",
        "recurrence",
        "frequency",
        "interval",
        "publicNetworkAccess",
        "sku",
        "identity",
        "type",
        "properties",
        "location",
        "count",
        "enabled",
        "value",
        "items",
        "Owner",
        "ENVIRONMENT",
        "__internal",
        "minimumTlsVersion",
        "url",
        "dataUri",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=12),
    st.sampled_from(
        [
            "Microbatch",
            "Incremental",
            "Minute",
            "Hour",
            "Second",
            "Disabled",
            "Enabled",
            "disabled",
            "Standard",
            "Basic",
            "TLS1_2",
            "1.0",
            "",
        ]
    ),
)


def json_values(*, secrets: bool = True, unknowns: bool = True, max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """JSON-like wire values: scalars, lists and objects, with secrets and unknowns."""
    leaves: list[st.SearchStrategy[Any]] = [_SCALARS]
    if unknowns:
        leaves.append(st.sampled_from(sorted(UNKNOWN_SENTINELS)))
    base = st.one_of(*leaves)
    values = st.recursive(
        base,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(_KEYS, children, max_size=5),
        ),
        max_leaves=max_leaves,
    )
    if not secrets:
        return values
    secret_values = st.builds(
        lambda s, v: secret(v if not isinstance(v, str) else SECRET_MARK + s + v),
        st.text(alphabet="abcdefghij", min_size=4, max_size=8),
        values,
    )
    return st.one_of(values, secret_values, st.dictionaries(_KEYS, st.one_of(values, secret_values), max_size=5))


def property_bags(**kwargs: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Top-level property maps (what ``args.props`` holds)."""
    return st.dictionaries(_KEYS, json_values(**kwargs), max_size=8)


_options = st.builds(
    ResourceOptions,
    protect=st.booleans(),
    ignore_changes=st.lists(st.sampled_from(["tags", "sku", "properties"]), max_size=2, unique=True).map(tuple),
    delete_before_replace=st.one_of(st.none(), st.booleans()),
    additional_secret_outputs=st.lists(st.sampled_from(["name", "connectionString"]), max_size=1).map(tuple),
    custom_timeouts=st.one_of(
        st.none(), st.builds(CustomTimeouts, st.floats(0, 3600), st.floats(0, 3600), st.floats(0, 3600))
    ),
)


@st.composite
def resource_graphs(
    draw: st.DrawFn,
    *,
    types: Sequence[str] = DEFAULT_TYPES,
    max_resources: int = 8,
    project: str = "gen",
    stack: str = "dev",
    preview: bool | None = None,
) -> ResourceGraph:
    """A well-formed graph: parents and dependencies only point backwards."""
    dry_run = draw(st.booleans()) if preview is None else preview
    prefix = f"urn:pulumi:{stack}::{project}::"
    stack_urn = f"{prefix}pulumi:pulumi:Stack::{project}-{stack}"
    provider_urn = f"{prefix}pulumi:providers:azure-native::default_3_29_0"
    provider_id = UNKNOWN if dry_run else "provider-id"
    resources: list[Resource] = [
        Resource(urn=stack_urn, type="pulumi:pulumi:Stack", name=f"{project}-{stack}", custom=False),
        Resource(
            urn=provider_urn,
            type="pulumi:providers:azure-native",
            name="default_3_29_0",
            custom=True,
            id=provider_id,
            inputs=freeze({"location": "westeurope", "version": "3.29.0"}),
            outputs=freeze({"location": "westeurope"}),
        ),
    ]
    components: list[Resource] = []
    count = draw(st.integers(min_value=1, max_value=max_resources))
    for i in range(count):
        is_component = draw(st.booleans()) if i < count - 1 else False
        parent = draw(st.sampled_from([None, *components])) if components else None
        if is_component:
            type_ = "cdcml:stacks:Group"
        else:
            type_ = draw(st.sampled_from(list(types)))
        name = f"r{i}"
        qualified = f"{parent.urn.split('::')[2]}${type_}" if parent is not None else type_
        urn = f"{prefix}{qualified}::{name}"
        earlier = [r.urn for r in resources[2:]]
        deps = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if earlier else []
        inputs = draw(property_bags()) if not is_component else {}
        pdeps = {}
        if deps and inputs:
            for key in draw(st.lists(st.sampled_from(sorted(inputs)), max_size=2, unique=True)):
                pdeps[key] = tuple(draw(st.lists(st.sampled_from(deps), max_size=2, unique=True)))
        rid = "" if is_component else (UNKNOWN if dry_run and draw(st.booleans()) else f"/ids/{name}")
        r = Resource(
            urn=urn,
            type=type_,
            name=name,
            custom=not is_component,
            id=rid,
            inputs=freeze(inputs),
            outputs=freeze(draw(property_bags()) if not is_component else {}),
            parent=parent.urn if parent is not None else stack_urn,
            dependencies=tuple(deps),
            property_dependencies=FrozenDict(pdeps),
            provider="" if is_component else f"{provider_urn}::{provider_id}",
            options=draw(_options),
            delete=not is_component and draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
        )
        resources.append(r)
        if is_component:
            components.append(r)
    tags = draw(st.dictionaries(st.sampled_from(["team", "cost-center"]), st.text(max_size=8), max_size=2))
    return ResourceGraph(
        project=project,
        stack=stack,
        resources=tuple(resources),
        source="preview" if dry_run else "resolved",
        dry_run=dry_run,
        tags=FrozenDict(tags),
    )
