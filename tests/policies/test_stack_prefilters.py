"""Stack policies that look only at the resources an index says may match (a prefilter)
report exactly what they report when the prefilter is switched off and every resource is
looked at, as the policies did before they had an index.

Pipelines are the compliant ``PIPELINE`` with extra look-alike resources (same or other
names) and values made unknown (preview), names made unknown, and property dependencies
dropped — the inputs where a prefilter could skip a resource that decides or is undecided.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdcml.policies.crossresource import crossresource_enforce_least_privilege as least_privilege
from cdcml.policies.crossresource import crossresource_require_ml_asset_for_cdc_target as ml_asset
from cdcml.policies.network import network_require_managed_private_endpoints as managed_endpoints
from cdcml.policies.observability import observability_require_diagnostic_settings as diagnostics
from cdcml.policies.stack import Designations, Referrers, any_known
from cdcml.testing.harness import DELETE, graph_from_spec, merged, run_stack_policy, unknown
from tests.policies.fixtures import PIPELINE

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
OTHER_ACCOUNT = f"{SUB}/resourceGroups/rg-cdcml/providers/Microsoft.Storage/storageAccounts/stother"
BLOB_CONTRIBUTOR = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"

# Per resource: property paths a join reads, which a case may make unknown.
UNKNOWABLE: dict[str, tuple[str, ...]] = {
    "landing": ("name",),
    "landing-link": ("properties.url", "name"),
    "datastore": ("properties.accountName", "properties.filesystem", "properties.datastoreType", "name"),
    "asset-version": ("properties.dataUri",),
    "role-factory-landing": ("scope", "roleDefinitionId"),
    "role-workspace-landing": ("scope", "roleDefinitionId"),
    "mpe-landing-dfs": ("properties.privateLinkResourceId", "properties.groupId"),
    "mpe-sql": ("properties.privateLinkResourceId",),
    "sql": ("name",),
    "workspace": ("name",),
    "diag-landing": ("resourceUri", "logs"),
    "diag-workspace": ("resourceUri",),
}
DEPENDENCIES: dict[str, str] = {
    "datastore": "properties",
    "landing-link": "properties",
    "role-factory-landing": "scope",
    "role-workspace-landing": "scope",
    "mpe-landing-dfs": "properties",
    "diag-landing": "resourceUri",
}
# Look-alikes: copies of a resource under another Pulumi name, with these changes.
LOOK_ALIKES: dict[str, list[dict[str, Any]]] = {
    "landing": [{}, {"props": {"name": "stother"}}],
    "datastore": [
        {},
        {"props": {"name": "other_store", "properties": {"accountName": "stother"}}},
        {"props": {"properties": {"filesystem": "archive"}}, "deps": {"properties": ["landing"]}},
        # on the landing filesystem, by another account resource (the account index must skip it)
        {
            "props": {"name": "other_store", "properties": {"accountName": "stother"}},
            "deps": {"properties": ["other-account"]},
        },
    ],
    "asset-version": [
        {"props": {"properties": {"dataUri": "azureml://datastores/cdc_orders/paths/other/"}}},
        {"props": {"properties": {"dataUri": "abfss://orders@stcdclanding.dfs.core.windows.net/cdc/"}}},
        {"props": {"properties": {"dataUri": "azureml://datastores/other_store/paths/cdc/dbo/orders"}}},
    ],
    "role-workspace-landing": [
        {"props": {"roleDefinitionId": BLOB_CONTRIBUTOR}},
        {"props": {"scope": OTHER_ACCOUNT}, "deps": {"scope": DELETE}},
        {
            "props": {"scope": f"{SUB}/resourceGroups/rg-cdcml", "roleDefinitionId": BLOB_CONTRIBUTOR},
            "deps": {"scope": DELETE},
        },
        {"props": {"scope": OTHER_ACCOUNT, "roleDefinitionId": BLOB_CONTRIBUTOR}},
    ],
    "mpe-landing-dfs": [
        {"props": {"properties": {"privateLinkResourceId": OTHER_ACCOUNT}}, "deps": DELETE},
        {"deps": DELETE},  # names the landing account by its ARM id only
    ],
    "diag-landing": [
        {"deps": {"resourceUri": DELETE}},
        {"props": {"resourceUri": unknown()}, "deps": {"resourceUri": ["law"]}},  # target unknown
    ],
}
# Dependencies a case may add: the landing linked service's on its account (its url computed from it).
EXTRA_DEPENDENCIES: dict[str, dict[str, list[str]]] = {"landing-link": {"properties": ["runtime", "landing"]}}


def _nested(path: str, value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


@st.composite
def pipelines(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    spec: dict[str, Any] = dict(PIPELINE)
    # another landing account, which look-alike datastores may depend on
    spec["other-account"] = merged(PIPELINE["landing"], {"props": {"name": "stother"}})
    for name, variants in LOOK_ALIKES.items():
        for i, variant in enumerate(variants):
            if draw(st.booleans()):
                copy = merged(PIPELINE[name], {k: v for k, v in variant.items() if k != "deps"})
                if variant.get("deps") is DELETE:
                    copy = {k: v for k, v in copy.items() if k != "deps"}
                elif "deps" in variant:
                    copy = merged(copy, {"deps": variant["deps"]})
                spec[f"{name}-look-alike-{i}"] = copy
    for name, deps in EXTRA_DEPENDENCIES.items():
        if draw(st.booleans()):
            spec[name] = merged(spec[name], {"deps": deps})
    for name in list(spec):
        base = name.split("-look-alike-")[0]
        for path in UNKNOWABLE.get(base, ()):
            if draw(st.integers(0, 5)) == 0:
                spec[name] = merged(spec[name], {"props": _nested(path, unknown())})
        key = DEPENDENCIES.get(base)
        if key is not None and key in spec[name].get("deps", {}) and draw(st.integers(0, 3)) == 0:
            spec[name] = merged(spec[name], {"deps": {key: DELETE}})
    return spec, draw(st.booleans())


@contextmanager
def scanning_everything() -> Iterator[None]:
    """The policies' prefilters switched off: every candidate is looked at, in order."""

    def all_datastores(self: Any, path: Any) -> list[Any]:
        return list(self.datastores)

    def all_versions(self: Any, path: Any) -> list[Any]:
        return list(self.versions)

    def all_paths(self: Any, version: Any, keys: Any) -> list[int]:
        return sorted(keys.items)

    def all_workspaces(self: Any) -> tuple[dict[int, list[int]], list[int]]:
        return {}, list(range(len(self.workspaces)))

    def all_referrers(self: Any, resource: Any) -> list[Any]:
        return list(self.items)

    def any_item(self: Any, resource: Any, check: Any) -> bool:
        def designates(item: Any) -> bool:
            return any(t is resource for t in self._designate(item)) and bool(check(item))

        return any_known(self.items, designates)

    original_init = Designations.__init__

    def keeping_designate(self: Any, items: Any, designate: Any) -> None:
        original_init(self, items, designate)
        self._designate = designate

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(ml_asset._Stack, "datastores_for", all_datastores))
        stack.enter_context(mock.patch.object(ml_asset._Stack, "versions_within", all_versions))
        stack.enter_context(mock.patch.object(ml_asset._Stack, "paths_read_by", all_paths))
        stack.enter_context(mock.patch.object(least_privilege._Stack, "_workspace_grants", all_workspaces))
        stack.enter_context(mock.patch.object(Referrers, "of", all_referrers))
        stack.enter_context(mock.patch.object(Designations, "__init__", keeping_designate))
        stack.enter_context(mock.patch.object(Designations, "any_known", any_item))
        yield


def findings(policy: Any, spec: dict[str, Any], preview: bool) -> Counter[tuple[str, str, str]]:
    found = run_stack_policy(policy, graph_from_spec(spec, preview=preview))
    return Counter((str(f.kind), f.urn, f.message) for f in found.findings)


POLICIES = [
    ml_asset.crossresource_require_ml_asset_for_cdc_target,
    least_privilege.crossresource_enforce_least_privilege,
    managed_endpoints.network_require_managed_private_endpoints,
    diagnostics.observability_require_diagnostic_settings,
]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
@given(case=pipelines())
def test_prefilter_changes_no_finding(policy: Any, case: tuple[dict[str, Any], bool]) -> None:
    spec, preview = case
    fast = findings(policy, spec, preview)
    with scanning_everything():
        slow = findings(policy, spec, preview)
    assert fast == slow


def test_look_alikes_reach_the_decisions() -> None:
    """Look-alikes make the policies decide, not only pass: a datastore on another
    filesystem, a workspace that can write the landing account."""
    spec = dict(PIPELINE)
    spec["datastore"] = merged(PIPELINE["datastore"], {"props": {"properties": {"filesystem": "archive"}}})
    spec["role-workspace-landing"] = merged(
        PIPELINE["role-workspace-landing"], {"props": {"roleDefinitionId": BLOB_CONTRIBUTOR}}
    )
    assert findings(POLICIES[0], spec, preview=False)
    assert findings(POLICIES[1], spec, preview=False)


# Resources a prefilter must keep although they match nothing for certain: they leave the
# check undecided, because a name or a target it needs is unknown.
UNDECIDED: dict[str, tuple[Any, dict[str, Any]]] = {
    # A datastore on another filesystem: the path's account (the linked service depends on
    # it) has an unknown name, and the datastore names its account literally.
    "datastore_path_account_name_unknown": (
        ml_asset.crossresource_require_ml_asset_for_cdc_target,
        {
            "landing": {"props": {"name": unknown()}},
            "landing-link": {"deps": {"properties": ["runtime", "landing"]}},
            "datastore": {"props": {"properties": {"filesystem": "archive"}}},
        },
    ),
    # A datastore on another filesystem: the path has its url's account name only, and the
    # datastore depends on an account whose name is unknown without naming it.
    "datastore_account_name_unknown": (
        ml_asset.crossresource_require_ml_asset_for_cdc_target,
        {
            "landing": {"props": {"name": unknown()}},
            "datastore": {
                "props": {"properties": {"filesystem": "archive", "accountName": unknown()}},
                "deps": {"properties": ["landing"]},
            },
        },
    ),
    # On the landing filesystem: the path has its url's account name only (the account's
    # name is unknown), and the datastore depends on an account whose name is unknown without
    # naming it — neither the filesystem nor the account keys may drop it.
    "datastore_same_filesystem_account_name_unknown": (
        ml_asset.crossresource_require_ml_asset_for_cdc_target,
        {
            "landing": {"props": {"name": unknown()}},
            "landing-link": {"props": {"properties": {"url": "https://stexternal.dfs.core.windows.net"}}},
            "datastore": {"props": {"properties": {"accountName": unknown()}}, "deps": {"properties": ["landing"]}},
        },
    ),
    # A data asset on a datastore of another filesystem, named by account name only, while
    # the path's account has an unknown name (the path's own datastore reads it for certain).
    "asset_datastore_path_account_name_unknown": (
        ml_asset.crossresource_require_ml_asset_for_cdc_target,
        {
            "landing": {"props": {"name": unknown()}},
            "landing-link": {"deps": {"properties": ["runtime", "landing"]}},
            "datastore": {"deps": {"properties": ["landing"]}},
            "archive-datastore": merged(
                PIPELINE["datastore"], {"props": {"name": "archive_store", "properties": {"filesystem": "archive"}}}
            ),
            "asset-version": {
                "props": {"properties": {"dataUri": "azureml://datastores/archive_store/paths/cdc/dbo/orders/"}}
            },
        },
    ),
    # A managed private endpoint that names the landing account by ARM id only, while the
    # account's name is unknown.
    "endpoint_target_name_unknown": (
        managed_endpoints.network_require_managed_private_endpoints,
        {
            "landing": {"props": {"name": unknown()}},
            "landing-link": {"deps": {"properties": ["runtime", "landing"]}},
            "mpe-landing-dfs": {"deps": {"properties": DELETE}},
        },
    ),
    # A managed private endpoint whose target is unknown (computed from another resource).
    "endpoint_target_unknown": (
        managed_endpoints.network_require_managed_private_endpoints,
        {
            "mpe-landing-dfs": {
                "props": {"properties": {"privateLinkResourceId": unknown()}},
                "deps": {"properties": ["factory"]},
            },
        },
    ),
    # A diagnostic setting whose target is unknown (computed from a resource that isn't logged).
    "setting_target_unknown": (
        diagnostics.observability_require_diagnostic_settings,
        {"diag-landing": {"props": {"resourceUri": unknown()}, "deps": {"resourceUri": ["law"]}, "echo_inputs": True}},
    ),
}


@pytest.mark.parametrize("case", UNDECIDED)
def test_the_prefilters_keep_what_is_undecided(case: str) -> None:
    policy, patch = UNDECIDED[case]
    spec = merged(PIPELINE, patch)
    fast = findings(policy, spec, preview=True)
    with scanning_everything():
        assert fast == findings(policy, spec, preview=True)
    assert [kind for kind, _, _ in fast] == ["unknown"]
