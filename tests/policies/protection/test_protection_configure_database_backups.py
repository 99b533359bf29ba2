"""protection-configure-database-backups (E-06): CDC sources keep backups long and redundant enough."""

from __future__ import annotations

from typing import Any

import pytest

from cdcml.policies import types as T
from cdcml.policies.protection.protection_configure_database_backups import protection_configure_database_backups
from cdcml.testing.harness import DELETE, Case, unknown
from tests.policies.fixtures import props

POLICY = protection_configure_database_backups
RESOURCE_TYPE = T.SQL_DATABASE
BASE: dict[str, Any] = props("sql-db")
PG = T.PG_SERVER
PROD = {"environment": "prod"}
PG_PROD = {"backup": {"backupRetentionDays": 14, "geoRedundantBackup": "Enabled"}}

CASES: dict[str, Case | dict[str, Any]] = {
    "pass": {},
    "pass_local_outside_prod": {"requestedBackupStorageRedundancy": "Local"},
    "pass_default_geo_in_prod": Case({"requestedBackupStorageRedundancy": DELETE}, config=PROD),
    "pass_pg_prod": Case(PG_PROD, resource_type=PG, config=PROD),
    "pass_pg_default_retention": Case({}, resource_type=PG),
    "fail_local_in_prod": Case({"requestedBackupStorageRedundancy": "Local"}, config=PROD, match='"Local"'),
    "fail_configured_redundancy": Case(
        {}, config={"allowedBackupRedundancy": ["Geo"]}, match='"Zone"; allowed here: Geo'
    ),
    "fail_pg_short_retention": Case(
        {"backup": {"backupRetentionDays": 3}}, resource_type=PG, match="backupRetentionDays is 3"
    ),
    "fail_pg_no_geo_backup_in_prod": Case(
        {"backup": {"backupRetentionDays": 14}}, resource_type=PG, config=PROD, match="geoRedundantBackup"
    ),
    "unknown_redundancy": Case({"requestedBackupStorageRedundancy": unknown()}, config=PROD),
}


@pytest.mark.parametrize("case", CASES)
def test_protection_configure_database_backups(policy_harness: Any, case: str) -> None:
    policy_harness.assert_case(POLICY, RESOURCE_TYPE, BASE, case, CASES[case])
