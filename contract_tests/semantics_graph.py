"""A small graph that exercises every engine semantic, shared by the semantics tests."""

from __future__ import annotations

from cdcml.model import CustomTimeouts, FrozenDict, Resource, ResourceGraph, ResourceOptions, freeze
from cdcml.model.values import UNKNOWN, secret

PROJECT, STACK = "proj", "dev"
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
PROVIDER_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:test::default_1_0_0"
GROUP_URN = f"urn:pulumi:{STACK}::{PROJECT}::test:index:Group::grp"
OTHER_URN = f"urn:pulumi:{STACK}::{PROJECT}::test:index:Group$test:index:Thing::other"
T1_URN = f"urn:pulumi:{STACK}::{PROJECT}::test:index:Group$test:index:Thing::t1"
GONE_URN = f"urn:pulumi:{STACK}::{PROJECT}::test:index:Thing::gone"


def semantics_graph(*, source: str = "preview", dry_run: bool = True) -> ResourceGraph:
    resources = (
        Resource(urn=STACK_URN, type="pulumi:pulumi:Stack", name=f"{PROJECT}-{STACK}", custom=False),
        Resource(
            urn=PROVIDER_URN,
            type="pulumi:providers:test",
            name="default_1_0_0",
            custom=True,
            id="prov-id",
            inputs=freeze({"region": "eu", "version": "1.0.0"}),
            outputs=freeze({"region": "eu"}),
        ),
        Resource(urn=GROUP_URN, type="test:index:Group", name="grp", custom=False, parent=STACK_URN),
        Resource(
            urn=OTHER_URN,
            type="test:index:Thing",
            name="other",
            custom=True,
            id="other-id",
            inputs=freeze({"count": 1, "computed": "known", "tags": {"b": "set"}}),
            outputs=freeze({"out": 1, "computedOut": "x"}),
            parent=GROUP_URN,
            provider=f"{PROVIDER_URN}::prov-id",
        ),
        Resource(
            urn=T1_URN,
            type="test:index:Thing",
            name="t1",
            custom=True,
            id=UNKNOWN,
            inputs=freeze(
                {
                    "count": 32,
                    "ratio": 0.5,
                    "password": secret("hunter2"),
                    "nested": {"list": [1]},
                    "__internal": "dropped",
                    "computed": UNKNOWN,
                    "tags": {},
                }
            ),
            outputs=freeze({"out": 7, "computedOut": UNKNOWN}),
            parent=GROUP_URN,
            dependencies=(OTHER_URN,),
            property_dependencies=FrozenDict({"count": (OTHER_URN,), "ratio": ()}),
            provider=f"{PROVIDER_URN}::prov-id",
            options=ResourceOptions(
                protect=True,
                ignore_changes=("ratio",),
                delete_before_replace=True,
                custom_timeouts=CustomTimeouts(create=60.0),
            ),
        ),
        Resource(
            urn=GONE_URN,
            type="test:index:Thing",
            name="gone",
            custom=True,
            id="gone-id",
            inputs=freeze({"count": 99}),
            outputs=freeze({}),
            delete=True,
        ),
    )
    return ResourceGraph(
        project=PROJECT,
        stack=STACK,
        resources=resources,
        source=source,
        dry_run=dry_run,
        tags=FrozenDict({"team": "data-platform"}),
    )
