"""The storage account settings every account of the pipeline shares.

The landing zone's ADLS Gen2 account and the ML workspace's own account are hardened
alike: StorageV2, hot tier, TLS 1.2, HTTPS only, no anonymous blob access, OAuth the
portal default, no cross-tenant replication, local users or SFTP, infrastructure
(double) encryption with Microsoft-managed keys, and with public network access off a
firewall that denies all but trusted Azure services. What differs is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi_azure_native import storage

from cdcml.stacks.wiring import DiagnosticTarget

__all__ = ["storage_account", "storage_diagnostic_targets"]


def storage_account(
    resource_name: str,
    *,
    resource_group_name: pulumi.Input[str],
    account_name: str,
    location: str,
    sku: str,
    hierarchical_namespace: bool,
    public_network_access: bool,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
    shared_key_access: bool = False,
    allowed_copy_scope: storage.AllowedCopyScope | None = None,
) -> storage.StorageAccount:
    """A hardened StorageV2 account. With *shared_key_access* SAS tokens are capped at one
    hour (and blocked beyond it)."""
    return storage.StorageAccount(
        resource_name,
        resource_group_name=resource_group_name,
        account_name=account_name,
        location=location,
        kind=storage.Kind.STORAGE_V2,
        sku=storage.SkuArgs(name=storage.SkuName(sku)),
        access_tier=storage.AccessTier.HOT,
        is_hns_enabled=hierarchical_namespace,
        minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
        enable_https_traffic_only=True,
        allow_blob_public_access=False,
        allow_shared_key_access=shared_key_access,
        default_to_o_auth_authentication=True,
        allow_cross_tenant_replication=False,
        allowed_copy_scope=allowed_copy_scope,
        is_local_user_enabled=False,
        is_sftp_enabled=False,
        public_network_access=(
            storage.PublicNetworkAccess.ENABLED if public_network_access else storage.PublicNetworkAccess.DISABLED
        ),
        network_rule_set=storage.NetworkRuleSetArgs(
            default_action=storage.DefaultAction.ALLOW if public_network_access else storage.DefaultAction.DENY,
            # Trusted Azure services get through (Event Hubs Capture writes as one).
            bypass=storage.Bypass.AZURE_SERVICES,
        ),
        encryption=storage.EncryptionArgs(
            key_source=storage.KeySource.MICROSOFT_STORAGE,
            require_infrastructure_encryption=True,
            services=storage.EncryptionServicesArgs(
                blob=storage.EncryptionServiceArgs(enabled=True, key_type=storage.KeyType.ACCOUNT),
                file=storage.EncryptionServiceArgs(enabled=True, key_type=storage.KeyType.ACCOUNT),
            ),
        ),
        sas_policy=(
            storage.SasPolicyArgs(sas_expiration_period="0.01:00:00", expiration_action=storage.ExpirationAction.BLOCK)
            if shared_key_access
            else None
        ),
        tags=dict(tags),
        opts=opts,
    )


def storage_diagnostic_targets(
    account_role: str, blob_role: str, account_id: pulumi.Output[str]
) -> tuple[DiagnosticTarget, DiagnosticTarget]:
    """What a storage account sends to Log Analytics: the account itself has metrics only;
    its logs live on the blob service."""
    return (
        DiagnosticTarget(account_role, account_id, log_groups=(), metric_categories=("Transaction",)),
        DiagnosticTarget(
            blob_role, account_id.apply(lambda aid: f"{aid}/blobServices/default"), metric_categories=("Transaction",)
        ),
    )
