"""The files ``cdcml policy new`` writes: a Python CrossGuard pack shaped like Pulumi's
``azure-python`` policy template, plus a config schema and ``cdcml.testing`` tests.

``@NAME@`` is replaced by the pack's name, ``@CDCML_VERSION@`` by cdcml's version. The
policies live in ``policies.py`` so the tests can import them (importing ``__main__.py``
would construct the ``PolicyPack``, which starts its server and blocks).
"""

from __future__ import annotations

__all__ = ["FILES"]

POLICY_YAML = """\
description: A minimal Policy Pack for Azure using Python, tested with cdcml.
runtime:
  name: python
  options:
    virtualenv: venv
version: 0.0.1
"""

MAIN = '''\
"""The @NAME@ policy pack. Run it with ``pulumi preview --policy-pack DIR`` or offline
with ``cdcml preview --policy-pack DIR``."""

from pulumi_policy import EnforcementLevel, PolicyPack

from policies import storage_account_limit, storage_account_minimum_tls

PolicyPack(
    name="@NAME@",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        storage_account_minimum_tls,
        storage_account_limit,
    ],
)
'''

POLICIES = '''\
"""The policies of the @NAME@ pack: one resource policy and one stack policy, each with a
config schema (tune them with ``--policy-pack-config``)."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
TLS_VERSIONS = ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"]


def _minimum_tls(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STORAGE_ACCOUNT:
        return
    required = args.get_config()["minimumTlsVersion"]
    actual = args.props.get("minimumTlsVersion")
    if actual not in TLS_VERSIONS or TLS_VERSIONS.index(actual) < TLS_VERSIONS.index(required):
        report_violation(f"minimumTlsVersion is {actual!r}; it must be {required} or later.")


storage_account_minimum_tls = ResourceValidationPolicy(
    name="storage-account-minimum-tls",
    description="Storage accounts refuse clients older than the configured TLS version.",
    validate=_minimum_tls,
    config_schema=PolicyConfigSchema(
        properties={
            "minimumTlsVersion": {
                "type": "string",
                "enum": TLS_VERSIONS,
                "default": "TLS1_2",
                "description": "The oldest TLS version a storage account may accept.",
            },
        },
    ),
)


def _account_limit(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    limit = args.get_config()["maxStorageAccounts"]
    accounts = [r for r in args.resources if r.resource_type == STORAGE_ACCOUNT]
    if len(accounts) > limit:
        report_violation(f"The stack declares {len(accounts)} storage accounts; at most {limit} are allowed.")


storage_account_limit = StackValidationPolicy(
    name="storage-account-limit",
    description="A stack declares a bounded number of storage accounts.",
    validate=_account_limit,
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=PolicyConfigSchema(
        properties={
            "maxStorageAccounts": {
                "type": "integer",
                "minimum": 0,
                "default": 3,
                "description": "How many storage accounts one stack may declare.",
            },
        },
    ),
)
'''

REQUIREMENTS = """\
pulumi-policy>=1.21.0,<2.0.0
# The tests (tests/test_policies.py) use cdcml's policy harness.
cdcml-guard~=@CDCML_VERSION@
"""

GITIGNORE = """\
*.pyc
__pycache__/
venv/
"""

CONFTEST = '''\
"""Puts the pack directory on sys.path, as the policy runtime does, so the tests can
import ``policies``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
'''

TESTS = '''\
"""The @NAME@ policies, run by cdcml's harness the way the Pulumi engine runs them."""

from cdcml.testing import (
    GraphBuilder,
    assert_no_stack_violation,
    assert_no_violation,
    assert_stack_violation,
    assert_unknown,
    assert_violation,
    unknown,
)
from policies import STORAGE_ACCOUNT, storage_account_limit, storage_account_minimum_tls


def test_an_old_tls_version_is_refused():
    assert_violation(storage_account_minimum_tls, STORAGE_ACCOUNT, {"minimumTlsVersion": "TLS1_0"}, match="TLS1_2")


def test_a_missing_tls_version_is_refused():
    assert_violation(storage_account_minimum_tls, STORAGE_ACCOUNT, {})


def test_the_default_tls_version_passes():
    assert_no_violation(storage_account_minimum_tls, STORAGE_ACCOUNT, {"minimumTlsVersion": "TLS1_2"})


def test_the_config_raises_the_bar():
    props = {"minimumTlsVersion": "TLS1_2"}
    assert_violation(storage_account_minimum_tls, STORAGE_ACCOUNT, props, config={"minimumTlsVersion": "TLS1_3"})


def test_other_resource_types_are_ignored():
    assert_no_violation(storage_account_minimum_tls, "azure-native:storage:BlobContainer", {})


def test_an_unknown_tls_version_cannot_be_judged_during_preview():
    assert_unknown(storage_account_minimum_tls, STORAGE_ACCOUNT, {"minimumTlsVersion": unknown()})


def _accounts(count):
    graph = GraphBuilder()
    for i in range(count):
        graph.add(STORAGE_ACCOUNT, f"account{i}", {"minimumTlsVersion": "TLS1_2"})
    return graph.build()


def test_too_many_storage_accounts_are_reported():
    assert_stack_violation(storage_account_limit, _accounts(4), match="4 storage accounts")


def test_the_limit_is_configurable():
    assert_no_stack_violation(storage_account_limit, _accounts(4), config={"maxStorageAccounts": 4})
    assert_stack_violation(storage_account_limit, _accounts(2), config={"maxStorageAccounts": 1})
'''

README = """\
# @NAME@

A Pulumi CrossGuard policy pack for Azure (azure-native), written in Python and tested
with [cdcml](https://pypi.org/project/cdcml-guard/)'s policy harness.

| policy | type | default level | config |
|---|---|---|---|
| `storage-account-minimum-tls` | resource | mandatory | `minimumTlsVersion` (default `TLS1_2`) |
| `storage-account-limit` | stack | advisory | `maxStorageAccounts` (default 3) |

## Test

```sh
pip install -r requirements.txt pytest
pytest tests
```

## Run

```sh
cdcml policy ls --policy-pack .                              # the policies and their metadata
cdcml policy validate-config . --config my-config.json       # check a config file
cdcml preview PROJECT_DIR --policy-pack .                     # offline, no Pulumi CLI needed
pulumi preview --policy-pack .                                # from a Pulumi project's directory
```

A config file sets levels and properties per policy:
`{"storage-account-minimum-tls": {"minimumTlsVersion": "TLS1_3"}}`.

## Publish

`pulumi policy publish [ORG]` from this directory (an organization administrator of
Pulumi Cloud); the version is `version` in PulumiPolicy.yaml and must be raised for every
publication.
"""

FILES: dict[str, str] = {
    "PulumiPolicy.yaml": POLICY_YAML,
    "__main__.py": MAIN,
    "policies.py": POLICIES,
    "requirements.txt": REQUIREMENTS,
    ".gitignore": GITIGNORE,
    "README.md": README,
    "tests/conftest.py": CONFTEST,
    "tests/test_policies.py": TESTS,
}
"""Each file of a new pack, by its path in the pack directory."""
