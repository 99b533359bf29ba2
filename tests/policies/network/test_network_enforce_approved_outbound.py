"""network-enforce-approved-outbound (B-06): the ML managed network allows only approved outbound."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.network.network_enforce_approved_outbound import network_enforce_approved_outbound
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = network_enforce_approved_outbound
RESOURCE_TYPE = T.ML_WORKSPACE
BASE: dict[str, Any] = props("workspace")


def rule(destination: Any) -> dict[str, Any]:
    return {"managedNetwork": {"outboundRules": {"anything": {"type": "FQDN", "destination": destination}}}}


CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_specific_wildcard_fqdn": rule("*.pypi.org"),
    "pass_odd_case_mode": {"managedNetwork": {"isolationMode": "allowonlyapprovedoutbound"}},
    "fail_internet_outbound": Case({"managedNetwork": {"isolationMode": "AllowInternetOutbound"}}, match="must be"),
    "fail_no_managed_network": Case({"managedNetwork": DELETE}, match="isolationMode is not set"),
    "fail_disabled": Case({"managedNetwork": {"isolationMode": "Disabled"}}, match='"Disabled"'),
    "fail_wildcard_rule": Case(rule("*"), match="approve every destination"),
    "fail_tld_wildcard_rule": Case(rule("*.com"), match="1 FQDN outbound rule"),
    "pass_wrong_typed_rules": {"managedNetwork": {"outboundRules": ["*"]}},
    "unknown_mode": Case({"managedNetwork": {"isolationMode": unknown()}}),
}


@pytest.mark.parametrize("case", CASES)
def test_network_enforce_approved_outbound(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
