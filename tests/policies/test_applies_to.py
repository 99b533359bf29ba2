"""The resource types a guardrail declares it applies to (``cdcml_applies_to``, read by the
engine, which then never calls the policy for other types) are a promise the policy keeps:
run on a resource of any other type, with any properties and its default config, it
reports nothing, declares nothing not-applicable, reads no property and raises nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity
from pulumi_policy.policy import PolicyResourceOptions, ResourceValidationArgs

from cdcml.policies import types as T
from cdcml.policies.catalogue import POLICIES
from cdcml.policies.vocabulary import resource_types

DECLARED = [p for p in POLICIES if isinstance(p, ResourceValidationPolicy) and p.cdcml_applies_to is not None]
KNOWN_TYPES = sorted({v for k, v in vars(T).items() if k.isupper() and isinstance(v, str) and ":" in v})

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
props = st.dictionaries(
    st.sampled_from(["tags", "properties", "identity", "name", "location", "sku"]) | st.text(), values
)


class Untouchable(dict[str, Any]):
    """Props that fail the test when read."""

    def __getitem__(self, key: str) -> Any:
        raise AssertionError(f"read props[{key!r}]")

    def get(self, key: str, default: Any = None) -> Any:
        raise AssertionError(f"read props.get({key!r})")


def test_every_typed_guardrail_declares_the_types_it_guards() -> None:
    """All but the type-free resource policies of the catalogue carry a declaration, and it
    names only types the policy's metadata lists."""
    undeclared = [p.name for p in POLICIES if isinstance(p, ResourceValidationPolicy) and p.cdcml_applies_to is None]
    assert undeclared == ["governance-enforce-allowed-locations"]
    for p in DECLARED:
        assert p.cdcml_applies_to and p.cdcml_applies_to <= set(p.resource_types), p.name


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), policy=st.sampled_from(DECLARED), values=props)
def test_a_guardrail_on_a_type_it_does_not_declare_never_reports(data: st.DataObject, policy: Any, values: Any) -> None:
    """For every declared guardrail, any other type (known or arbitrary) and any props: no
    violation, no not-applicable, no read of props, no exception."""
    others = [t for t in KNOWN_TYPES if t not in policy.cdcml_applies_to]
    rtype = data.draw(st.sampled_from(others) | st.text(min_size=1).filter(lambda t: t not in policy.cdcml_applies_to))
    config = _default_config(policy)
    reports: list[Any] = []
    opts = PolicyResourceOptions(False, [], False, [], None, [], None)  # type: ignore[arg-type]
    for given_props in (values, Untouchable(values)):
        args = ResourceValidationArgs(rtype, given_props, f"urn:x::{rtype}::r", "r", opts, None, config, {})
        result = policy.validate(args, lambda *a, **k: reports.append(a))
        assert result is None
    assert reports == []


def _default_config(policy: Any) -> dict[str, Any] | None:
    """The config the policy gets when the pack config says nothing: its schema defaults."""
    schema = policy.config_schema
    if schema is None:
        return None
    return {k: v["default"] for k, v in schema.properties.items() if isinstance(v, dict) and "default" in v}


def test_the_type_guard_is_what_declares_the_types() -> None:
    """``@resource_types`` keeps its set on the wrapper; a plain validate declares nothing."""
    from cdcml.policies.base import GuardrailResourcePolicy

    common = dict(
        description="d",
        rule="X-01",
        layer="cdc",
        concern="identity",
        severity=Severity.LOW,
        enforcement_level=EnforcementLevel.ADVISORY,
        remediation_steps="r",
        url="https://example.com",
    )
    guarded = GuardrailResourcePolicy(name="g", validate=resource_types("a:b:C")(lambda a, r: None), **common)  # type: ignore[arg-type]
    plain = GuardrailResourcePolicy(name="p", validate=lambda a, r: None, resource_types=("a:b:C",), **common)  # type: ignore[arg-type]
    assert guarded.cdcml_applies_to == frozenset({"a:b:C"})
    assert plain.cdcml_applies_to is None
