"""D-05: TLS 1.2 or newer on every hop of the pipeline — landing storage, Event Hubs and
the source databases. At remediate level, too-old or missing settings are raised to 1.2."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import Expect, PropertyPolicy, mcsb

__all__ = ["encryption_enforce_min_tls"]

_OLD = "Older TLS versions have known weaknesses and expose the change data in transit."

encryption_enforce_min_tls = PropertyPolicy(
    name="encryption-enforce-min-tls",
    description="Storage accounts, Event Hubs namespaces and source databases must require TLS 1.2 or newer.",
    resource_types=(T.STORAGE_ACCOUNT, T.EH_NAMESPACE, T.SQL_SERVER, T.PG_CONFIGURATION),
    expects=[
        Expect(
            "minimumTlsVersion",
            ("TLS1_2", "TLS1_3"),
            types=(T.STORAGE_ACCOUNT,),
            why=_OLD,
            vocabulary=("TLS1_0", "TLS1_1"),
            fix="TLS1_2",
        ),
        Expect(
            "enableHttpsTrafficOnly",
            (True,),
            missing="compliant",
            types=(T.STORAGE_ACCOUNT,),
            why="Plain HTTP sends the landing data unencrypted.",
            fix=True,
        ),
        Expect(
            "minimumTlsVersion",
            ("1.2",),
            missing="compliant",
            types=(T.EH_NAMESPACE,),
            why=_OLD,
            vocabulary=("1.0", "1.1"),
            fix="1.2",
        ),
        Expect(
            "minimalTlsVersion",
            ("1.2", "1.3"),
            types=(T.SQL_SERVER,),
            why=_OLD,
            vocabulary=("None", "1.0", "1.1"),
            fix="1.2",
        ),
        Expect(
            "value",
            ("on",),
            types=(T.PG_CONFIGURATION,),
            when=(("configurationName", ("require_secure_transport",)),),
            why="Without it the server accepts unencrypted connections.",
            vocabulary=("off",),
            fix="on",
        ),
        Expect(
            "value",
            ("TLSv1.2", "TLSv1.3"),
            types=(T.PG_CONFIGURATION,),
            when=(("configurationName", ("ssl_min_protocol_version",)),),
            why=_OLD,
            vocabulary=("TLSv1", "TLSv1.1"),
            fix="TLSv1.2",
        ),
    ],
    rule="D-05",
    layer="platform",
    concern="encryption",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set minimumTlsVersion "TLS1_2" (and keep enableHttpsTrafficOnly true) on storage accounts, minimumTlsVersion '
        '"1.2" on Event Hubs namespaces, minimalTlsVersion "1.2" on SQL servers, and require_secure_transport on / '
        "ssl_min_protocol_version TLSv1.2 on PostgreSQL; at remediate level the policy sets these values."
    ),
    url="https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version",
    framework=mcsb("DP-3"),
)
