"""Generated edge cases for the short "property must (not) be X" policies, recorded in the
snapshot (:mod:`tests.policies.snapshot`) beside their named cases.

A :class:`Probe` is a context (a patch of the policy test's ``BASE``, a config, a resource
type) and the property paths the policy reads there. The snapshot sets each path, and each
of its parents, to wrong types, nulls, secrets, unknowns, odd-case and padded spellings of
the original and of *values*; and each ordered pair of paths to an unknown and an odd
value, which pins down the order a policy reads its properties in (what decides between a
violation and "can't run during preview").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cdcml.policies import types as T
from cdcml.testing.harness import DELETE

__all__ = ["PROBES", "Probe"]


@dataclass(frozen=True)
class Probe:
    name: str
    paths: tuple[str, ...]
    values: tuple[Any, ...] = ()
    patch: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] | None = None
    resource_type: str | None = None


ACCESS = ("Disabled", "Enabled", "SecuredByPerimeter")
CMK_CONTEXTS: tuple[tuple[str, Mapping[str, Any], Mapping[str, Any] | None], ...] = (
    ("gate off", {}, None),
    ("requireCmk", {}, {"requireCmk": True}),
    ("confidential", {"tags": {"data-classification": "confidential"}}, None),
)
CLASSIFICATION = ("tags.data-classification",)
CLASSIFICATIONS = ("confidential", "Restricted", "public")


def cmk(
    paths: tuple[str, ...], values: tuple[Any, ...], compliant: Mapping[str, Any], prefix: str = "", **kw: Any
) -> list[Probe]:
    """Probes of a customer-managed-key policy: with the gate off, forced by config, and
    opened by the classification tag; each on the resource as it is and on a compliant one."""
    out = []
    for name, patch, config in CMK_CONTEXTS:
        out.append(
            Probe(f"{prefix}{name}", (*paths, *CLASSIFICATION), (*values, *CLASSIFICATIONS), patch, config, **kw)
        )
        out.append(Probe(f"{prefix}{name}, compliant", paths, values, {**patch, **compliant}, config, **kw))
    out.append(
        Probe(
            f"{prefix}configured classifications",
            CLASSIFICATION,
            CLASSIFICATIONS,
            {"tags": {"data-classification": "internal"}},
            {"classificationsRequiringCmk": ["Internal"]},
            **kw,
        )
    )
    return out


PROBES: dict[str, list[Probe]] = {
    # ---- the policies that were already PropertyPolicy
    "network-disable-factory-public-access": [Probe("factory", ("publicNetworkAccess",), ACCESS)],
    "network-require-managed-vnet-runtime": [
        Probe(
            "managed",
            ("properties.type", "properties.managedVirtualNetwork.referenceName"),
            ("Managed", "SelfHosted", "default"),
        )
    ],
    "network-disable-workspace-public-access": [
        Probe("workspace", ("publicNetworkAccess", "allowPublicAccessWhenBehindVnet"), ACCESS)
    ],
    "network-disable-compute-public-endpoints": [
        Probe(
            "aml",
            (
                "properties.computeType",
                "properties.properties.enableNodePublicIp",
                "properties.properties.remoteLoginPortPublicAccess",
            ),
            ("AmlCompute", "ComputeInstance", "Disabled", "NotSpecified", "Enabled"),
        ),
        Probe(
            "instance",
            (
                "properties.computeType",
                "properties.properties.enableNodePublicIp",
                "properties.properties.sshSettings.sshPublicAccess",
            ),
            ("AmlCompute", "ComputeInstance", "Disabled", "Enabled"),
            {
                "properties": {
                    "computeType": "ComputeInstance",
                    "properties": {
                        "remoteLoginPortPublicAccess": DELETE,
                        "sshSettings": {"sshPublicAccess": "Disabled"},
                    },
                }
            },
        ),
    ],
    "network-disable-blob-anonymous-access": [
        Probe("account", ("allowBlobPublicAccess",)),
        Probe("container", ("publicAccess",), ("None", "Blob", "Container"), resource_type=T.BLOB_CONTAINER),
    ],
    "identity-disable-compute-local-auth": [
        Probe(
            "compute",
            ("properties.computeType", "properties.disableLocalAuth"),
            ("AmlCompute", "ComputeInstance", "Kubernetes"),
            {"properties": {"computeType": "AmlCompute", "disableLocalAuth": True}},
        )
    ],
    "identity-disable-storage-shared-key": [
        Probe("account", ("allowSharedKeyAccess", "isLocalUserEnabled"), patch={"isLocalUserEnabled": False})
    ],
    "identity-require-datastore-identity": [
        Probe(
            "datastore",
            (
                "properties.datastoreType",
                "properties.credentials.credentialsType",
                "properties.serviceDataAccessAuthIdentity",
            ),
            ("AzureBlob", "AzureFile", "OneLake", "None", "AccountKey", "WorkspaceUserAssignedIdentity"),
        )
    ],
    "identity-require-factory-managed-identity": [
        Probe(
            "factory",
            ("identity.type",),
            ("SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned", "SystemAssigned, UserAssigned", "None"),
        )
    ],
    "encryption-enforce-min-tls": [
        Probe(
            "storage",
            ("minimumTlsVersion", "enableHttpsTrafficOnly"),
            ("TLS1_0", "TLS1_2", "TLS1_3"),
            {"enableHttpsTrafficOnly": True},
        ),
        Probe("eventhub", ("minimumTlsVersion",), ("1.0", "1.2"), resource_type=T.EH_NAMESPACE),
        Probe("sql", ("minimalTlsVersion",), ("None", "1.1", "1.2", "1.3"), resource_type=T.SQL_SERVER),
        Probe(
            "pg secure transport",
            ("configurationName", "value"),
            ("require_secure_transport", "ssl_min_protocol_version", "on", "off", "TLSv1.2"),
            {"configurationName": "require_secure_transport", "value": "on"},
            resource_type=T.PG_CONFIGURATION,
        ),
        Probe(
            "pg protocol",
            ("configurationName", "value"),
            ("ssl_min_protocol_version", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
            {"configurationName": "ssl_min_protocol_version", "value": "TLSv1.2"},
            resource_type=T.PG_CONFIGURATION,
        ),
    ],
    # ---- the short hand-written ones
    "identity-enable-keyvault-rbac": [
        Probe(
            "vault",
            ("properties.enableRbacAuthorization", "properties.accessPolicies"),
            ([{"objectId": "x"}], [None], [[]]),
        )
    ],
    "network-disable-keyvault-public-access": [
        Probe(
            name,
            ("properties.publicNetworkAccess", "properties.networkAcls.defaultAction"),
            ("disabled", "Enabled", "Deny", "Allow"),
            patch,
        )
        for name, patch in (
            ("closed", {}),
            ("public, firewalled", {"properties": {"publicNetworkAccess": "Enabled"}}),
            ("private, open firewall", {"properties": {"networkAcls": {"defaultAction": "Allow"}}}),
        )
    ],
    "identity-require-database-entra-auth": [
        Probe("sql", ("administrators.azureADOnlyAuthentication",)),
        Probe("entra-only resource", ("azureADOnlyAuthentication",), resource_type=T.SQL_AAD_ONLY),
        Probe(
            "pg",
            ("authConfig.activeDirectoryAuth", "authConfig.passwordAuth"),
            ("Enabled", "Disabled"),
            {"authConfig": {"activeDirectoryAuth": "Enabled", "passwordAuth": "Disabled"}},
            resource_type=T.PG_SERVER,
        ),
    ],
    "identity-disable-eventhub-local-auth": [
        Probe("namespace", ("disableLocalAuth",)),
        Probe(
            "root rule",
            ("authorizationRuleName", "rights"),
            ("RootManageSharedAccessKey", "Manage", ["Manage"], [" manage"], ["Listen", "MANAGE"], [5, "Send"]),
            {"authorizationRuleName": "RootManageSharedAccessKey", "rights": ["Listen", "Send"]},
            resource_type=T.EH_NAMESPACE_AUTH_RULE,
        ),
        Probe(
            "hub rule",
            ("authorizationRuleName", "rights"),
            ("Manage", ["Manage"], ["manage", "Listen"], ["Listen"]),
            {"authorizationRuleName": "send-only", "rights": ["Send"]},
            resource_type=T.EH_HUB_AUTH_RULE,
        ),
    ],
    "network-disable-eventhub-public-access": [
        Probe("namespace", ("publicNetworkAccess", "sku.name"), (*ACCESS, "Basic", "Standard", "Premium")),
        Probe(
            "rule set",
            ("publicNetworkAccess", "defaultAction"),
            (*ACCESS, "Deny", "Allow"),
            {"publicNetworkAccess": "Enabled", "defaultAction": "Deny"},
            resource_type=T.EH_NETWORK_RULE_SET,
        ),
    ],
    "network-disable-database-public-access": [
        Probe("sql", ("publicNetworkAccess",), ACCESS),
        Probe(
            "pg private",
            ("network.publicNetworkAccess", "network.delegatedSubnetResourceId"),
            (*ACCESS, "/subscriptions/x/subnet"),
            {"network": {"publicNetworkAccess": "Disabled"}},
            resource_type=T.PG_SERVER,
        ),
        Probe(
            "pg public",
            ("network.publicNetworkAccess", "network.delegatedSubnetResourceId"),
            (*ACCESS, "/subscriptions/x/subnet"),
            {"network": {"publicNetworkAccess": "Enabled"}},
            resource_type=T.PG_SERVER,
        ),
        *(
            Probe(
                name,
                ("startIpAddress", "endIpAddress"),
                ("0.0.0.0", "255.255.255.255", "10.0.0.1"),
                {"startIpAddress": start, "endIpAddress": end},
                resource_type=rtype,
            )
            for rtype in (T.SQL_FIREWALL_RULE, T.PG_FIREWALL_RULE)
            for name, start, end in (
                (f"{rtype.rsplit(':', 2)[1]} open rule", "0.0.0.0", "255.255.255.255"),
                (f"{rtype.rsplit(':', 2)[1]} azure services rule", "0.0.0.0", "0.0.0.0"),
            )
        ),
    ],
    "encryption-enforce-linked-service-tls": [
        Probe(
            "sql",
            ("properties.type", "properties.trustServerCertificate", "properties.encrypt"),
            ("AzureSqlDatabase", "SqlServer", "AzurePostgreSql", "mandatory", "strict", "optional", "yes", "no"),
        ),
        Probe(
            "pg",
            ("properties.type", "properties.trustServerCertificate", "properties.sslMode"),
            ("AzurePostgreSql", "PostgreSqlV2", "AzureSqlMI", 1, 2.5, 3, 4, "4"),
            {"properties": {"type": "AzurePostgreSql", "sslMode": 4, "encrypt": DELETE}},
        ),
    ],
    "protection-enable-blob-soft-delete": [
        Probe(
            name,
            (
                "deleteRetentionPolicy.enabled",
                "deleteRetentionPolicy.days",
                "containerDeleteRetentionPolicy.enabled",
                "containerDeleteRetentionPolicy.days",
                "isVersioningEnabled",
                "changeFeed.enabled",
            ),
            (6, 7, 29.5, 30),
            patch,
            config,
        )
        for name, patch, config in (
            ("defaults", {}, None),
            (
                "everything required",
                {"isVersioningEnabled": True, "changeFeed": {"enabled": True}},
                {"requireVersioning": True, "requireChangeFeed": True, "minRetentionDays": 30},
            ),
        )
    ],
    "protection-enable-keyvault-purge-protection": [
        Probe(
            name,
            ("properties.enablePurgeProtection", "properties.enableSoftDelete", "properties.softDeleteRetentionInDays"),
            (6, 7, 89, 90),
            config=config,
        )
        for name, config in (("defaults", None), ("90 days", {"minSoftDeleteRetentionDays": 90}))
    ],
    "encryption-require-factory-cmk": cmk(
        ("encryption.vaultBaseUrl", "encryption.keyName"),
        ("https://kv.vault.azure.net",),
        {"encryption": {"vaultBaseUrl": "https://kv-cdcml.vault.azure.net", "keyName": "adf"}},
    ),
    "encryption-require-eventhub-cmk": cmk(
        (
            "sku.name",
            "encryption.keySource",
            "encryption.keyVaultProperties",
            "encryption.requireInfrastructureEncryption",
        ),
        ("Premium", "Standard", "Microsoft.KeyVault", "Microsoft.Storage", [{"keyName": "eh"}], [None]),
        {
            "sku": {"name": "Premium", "tier": "Premium", "capacity": 1},
            "encryption": {
                "keySource": "Microsoft.KeyVault",
                "keyVaultProperties": [{"keyName": "eh", "keyVaultUri": "https://kv-cdcml.vault.azure.net"}],
                "requireInfrastructureEncryption": True,
            },
        },
    ),
    "encryption-require-storage-cmk": cmk(
        ("encryption.keySource", "encryption.keyVaultProperties.keyName", "encryption.requireInfrastructureEncryption"),
        ("Microsoft.Keyvault", "Microsoft.Storage", "landing"),
        {
            "encryption": {
                "keySource": "Microsoft.Keyvault",
                "keyVaultProperties": {"keyName": "landing", "keyVaultUri": "https://kv-cdcml.vault.azure.net"},
                "requireInfrastructureEncryption": True,
            }
        },
    ),
    "encryption-require-workspace-cmk": cmk(
        ("encryption.status", "encryption.keyVaultProperties.keyIdentifier"),
        ("Enabled", "Disabled", "https://kv.vault.azure.net/keys/ml/1"),
        {
            "encryption": {
                "status": "Enabled",
                "keyVaultProperties": {"keyVaultArmId": "/kv", "keyIdentifier": "https://kv.vault.azure.net/keys/ml/1"},
            }
        },
    ),
    "encryption-require-database-cmk": [
        *cmk(
            ("keyId",),
            ("https://kv.vault.azure.net/keys/sql/1",),
            {"keyId": "https://kv.vault.azure.net/keys/sql"},
            prefix="sql ",
        ),
        *cmk(
            ("dataEncryption.type", "dataEncryption.primaryKeyURI"),
            ("AzureKeyVault", "SystemManaged", "https://kv.vault.azure.net/keys/pg/1"),
            {"dataEncryption": {"type": "AzureKeyVault", "primaryKeyURI": "https://kv.vault.azure.net/keys/pg/1"}},
            prefix="pg ",
            resource_type=T.PG_SERVER,
        ),
    ],
    "governance-enforce-linked-service-types": [
        Probe("defaults", ("properties.type",), ("AzureSqlDatabase", "AzureKeyVault", "Ftp", "HttpServer")),
        Probe(
            "configured",
            ("properties.type",),
            ("AzureSqlDatabase", "Ftp", "Oracle"),
            config={"allowedLinkedServiceTypes": ["Oracle", "ftp"]},
        ),
    ],
}
