"""Properties every guardrail holds on arbitrary input, not just on the case tables.

"A policy never raises on a missing, null, wrong-typed or oddly-cased value … Its messages
never include a secret value." (issue 4). Props are generated JSON-like values around the
property names and enum values the policies actually read, with preview unknowns and
secrets (whose plaintext policies see) mixed in; every policy of the catalogue runs on
them through the real evaluator, which raises ``PolicyCrashError`` when a policy raises.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import cdcml.policies
from cdcml.engine.evaluate import evaluate
from cdcml.engine.pack import pack_from_policies
from cdcml.policies import types as T
from cdcml.policies.catalogue import POLICIES
from cdcml.testing.harness import DELETE, graph_from_spec, merged, secret, unknown
from cdcml.testing.pack_configs import policy_configs
from tests.policies.fixtures import PIPELINE

PLAINTEXT = "Sup3r-S3cret-PLAINTEXT-4f9c"
POLICY_SOURCES = sorted(Path(cdcml.policies.__file__).parent.rglob("*.py"))


@cache
def vocabulary() -> tuple[list[str], list[str]]:
    """Property names and string values the policies read, harvested from their source."""
    keys: set[str] = set()
    values: set[str] = set()
    for path in POLICY_SOURCES:
        for literal in re.findall(r'"([A-Za-z$][A-Za-z0-9_.$:,\- ]{0,60})"', path.read_text(encoding="utf-8")):
            if re.fullmatch(r"[a-z][A-Za-z0-9]*(?:\.[a-zA-Z0-9]+)*", literal):
                keys.update(literal.split("."))
            if re.fullmatch(r"[A-Za-z0-9_.,\- ]{1,40}", literal):
                values.add(literal)
    return sorted(keys), sorted(values)


def odd_case(s: str) -> st.SearchStrategy[str]:
    return st.sampled_from([s, s.upper(), s.lower(), s.swapcase(), f" {s} "])


KEYS = st.sampled_from(vocabulary()[0])
TEXT = st.sampled_from(vocabulary()[1]).flatmap(odd_case)
SECRETS = st.sampled_from(
    [
        PLAINTEXT,
        f"Server=tcp:x;Database=y;User ID=sa;Password={PLAINTEXT}",
        f"https://acct.blob.core.windows.net/c?sv=2024&sig={PLAINTEXT}",
        f"aml:{PLAINTEXT}/job",
        json.dumps({"consumer": PLAINTEXT}),
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    st.text(max_size=8),
    st.just(unknown()),
    SECRETS.map(secret),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(KEYS, inner, max_size=4),
        SECRETS.map(lambda s: secret({"value": s})),
    ),
    max_leaves=12,
)
PROPS = st.dictionaries(KEYS, VALUES, max_size=6)
TYPES = st.sampled_from(sorted({t for p in POLICIES for t in p.resource_types} | {T.RESOURCE_GROUP}))


@cache
def pack() -> Any:
    return pack_from_policies("catalogue", list(POLICIES))


def assert_safe(graph: Any) -> None:
    """Evaluation succeeds (a raising policy is a ``PolicyCrashError``) and no finding
    repeats the secret's plaintext."""
    found = evaluate(graph, [pack()])
    for f in found.findings:
        assert PLAINTEXT not in f.message, (f.policy, f.message)
    for r in found.remediations:
        assert PLAINTEXT not in r.description


@given(resource_type=TYPES, props=PROPS, preview=st.booleans())
def test_no_policy_crashes_or_leaks_a_secret_on_arbitrary_props(
    resource_type: str, props: dict[str, Any], preview: bool
) -> None:
    assert_safe(graph_from_spec({"subject": {"type": resource_type, "props": props}}, preview=preview))


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, Any]:
    names = [f"r{i}" for i in range(draw(st.integers(1, 6)))]
    spec: dict[str, Any] = {}
    for i, name in enumerate(names):
        deps = draw(st.dictionaries(KEYS, st.lists(st.sampled_from(names[: i + 1]), max_size=2), max_size=2))
        spec[name] = {"type": draw(TYPES), "props": draw(PROPS), "deps": deps}
    return spec


@given(spec=graphs(), preview=st.booleans())
def test_no_stack_policy_crashes_or_leaks_a_secret_on_arbitrary_graphs(spec: dict[str, Any], preview: bool) -> None:
    assert_safe(graph_from_spec(spec, preview=preview))


PIPELINE_NAMES = sorted(PIPELINE)


@given(name=st.sampled_from(PIPELINE_NAMES), props=PROPS, drop=st.sets(st.sampled_from(PIPELINE_NAMES), max_size=3))
def test_no_policy_crashes_on_a_damaged_pipeline(name: str, props: dict[str, Any], drop: set[str]) -> None:
    """Cross-resource joins meet realistic neighbours: one pipeline resource's props are
    overwritten with arbitrary values and a few resources disappear."""
    spec = merged(PIPELINE, {name: {"props": props}, **{d: DELETE for d in drop - {name}}})
    assert_safe(graph_from_spec(spec))


CONFIGURABLE = [p for p in POLICIES if p.config_schema is not None]


@st.composite
def configs(draw: st.DrawFn) -> tuple[Any, dict[str, Any]]:
    policy = draw(st.sampled_from(CONFIGURABLE))
    return policy, draw(policy_configs(policy))


@given(policy_and_config=configs())
def test_every_valid_config_runs_on_the_compliant_pipeline(policy_and_config: tuple[Any, dict[str, Any]]) -> None:
    """Whatever a team puts in a schema-valid ``--policy-pack-config``, the policy runs."""
    from cdcml.testing.harness import run_stack_policy

    policy, config = policy_and_config
    run_stack_policy(policy, graph_from_spec(PIPELINE), config=config)
