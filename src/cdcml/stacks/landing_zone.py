"""LandingZone: the ADLS Gen2 account the CDC feeds write into.

One StorageV2 account with a hierarchical namespace, one container (file system) per
CDC source, and optionally a container for Event Hubs Capture. Every account is
Entra-only by default (shared key, local users and SFTP off, OAuth the portal default),
TLS 1.2, HTTPS only, no anonymous blob access, infrastructure (double) encryption, blob
and container soft delete, and a lifecycle rule for each source's CDC folder that tiers
change files to cool (and, for parquet feeds that tolerate it, expires them). With
``public_network_access`` off the account is reachable only through private endpoints
and the trusted Azure services its firewall lets through (Event Hubs Capture); with
``delete_lock`` a ``CanNotDelete`` lock guards the account.

Blob versioning and the change feed are left off: neither is supported on accounts with
a hierarchical namespace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
from pulumi_azure_native import authorization, storage

from cdcml.stacks._args import (
    ArgsError,
    check_bool,
    check_enum,
    check_int,
    check_location,
    check_pattern,
    check_tags,
    check_tuple,
    stack_unique_name,
)
from cdcml.stacks._storage import storage_account, storage_diagnostic_targets
from cdcml.stacks.wiring import DiagnosticTarget, PrivateLinkGroup, PrivateLinkTarget

__all__ = ["CAPTURE_CONTAINER", "LandingSku", "LandingZone", "LandingZoneArgs"]

CONTAINER = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
FOLDER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
CAPTURE_CONTAINER = "eventhub-capture"
MAX_CONTAINERS = 8


class LandingSku(StrEnum):
    """Redundancy of the landing account. Premium SKUs are excluded: Event Hubs Capture
    can't write to them and change files don't need premium latency."""

    STANDARD_LRS = "Standard_LRS"
    STANDARD_ZRS = "Standard_ZRS"
    STANDARD_GRS = "Standard_GRS"
    STANDARD_GZRS = "Standard_GZRS"
    STANDARD_RAGRS = "Standard_RAGRS"
    STANDARD_RAGZRS = "Standard_RAGZRS"


@dataclass(frozen=True, kw_only=True)
class LandingZoneArgs:
    """The landing account. ``containers`` are the CDC sources' file systems; change files
    land under ``<container>/<cdc_folder>/``."""

    containers: tuple[str, ...]
    location: str
    sku: LandingSku = LandingSku.STANDARD_ZRS
    cdc_folder: str = "cdc"
    soft_delete_days: int = 14
    cool_after_days: int = 30
    delete_after_days: int = 0
    capture_container: bool = False
    capture_retention_days: int = 30
    public_network_access: bool = False
    shared_key_access: bool = False
    delete_lock: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        containers = check_tuple(self, "containers", 1, MAX_CONTAINERS)
        for i, name in enumerate(containers):
            check_pattern(
                self, f"containers[{i}]", CONTAINER, "a container name: 3 to 63 lowercase letters, digits or '-'", name
            )
            if name == CAPTURE_CONTAINER or name in containers[:i]:
                raise ArgsError(type(self).__name__, f"containers[{i}]", f"unique and not {CAPTURE_CONTAINER!r}", name)
        check_enum(self, "sku", LandingSku)
        check_pattern(self, "cdc_folder", FOLDER, "a folder name: lowercase letters, digits, '_' or '-'")
        check_int(self, "soft_delete_days", 1, 365)
        check_int(self, "cool_after_days", 1, 3650)
        expire = check_int(self, "delete_after_days", 0, 36500)
        if expire and expire <= self.cool_after_days:
            raise ArgsError(
                type(self).__name__,
                "delete_after_days",
                f"0 (never) or more than cool_after_days ({self.cool_after_days})",
                expire,
            )
        check_bool(self, "capture_container")
        check_int(self, "capture_retention_days", 1, 3650)
        check_bool(self, "public_network_access")
        check_bool(self, "shared_key_access")
        check_bool(self, "delete_lock")
        check_location(self)
        check_tags(self)


class LandingZone(pulumi.ComponentResource):
    """An HNS storage account with a container per CDC source (``cdcml:stacks:LandingZone``)."""

    account_name: str
    dfs_url: str
    cdc_folder: str
    account_id: pulumi.Output[str]
    containers: dict[str, str]
    container_ids: dict[str, pulumi.Output[str]]
    capture_container: str | None
    capture_container_id: pulumi.Output[str] | None
    private_link_targets: tuple[PrivateLinkTarget, ...]
    diagnostic_targets: tuple[DiagnosticTarget, ...]

    @staticmethod
    def account_name_for(name: str, *, project: str | None = None, stack: str | None = None) -> str:
        """The storage account name of the LandingZone *name* in a stack (default: the
        running one)."""
        return stack_unique_name(name, max_length=24, alphanumeric=True, project=project, stack=stack)

    def __init__(
        self,
        name: str,
        args: LandingZoneArgs,
        *,
        resource_group_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("cdcml:stacks:LandingZone", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.account_name = self.account_name_for(name)
        self.dfs_url = f"https://{self.account_name}.dfs.core.windows.net/"
        self.cdc_folder = args.cdc_folder

        account = self._declare_account(name, args, resource_group_name, child)
        container_resources = self._declare_containers(name, args, resource_group_name, account, child)
        storage.ManagementPolicy(
            f"{name}-lifecycle",
            resource_group_name=resource_group_name,
            account_name=account.name,
            management_policy_name="default",
            policy=storage.ManagementPolicySchemaArgs(rules=self._lifecycle_rules(args)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=container_resources),
        )
        if args.delete_lock:
            authorization.ManagementLockAtResourceLevel(
                f"{name}-lock",
                resource_group_name=resource_group_name,
                resource_provider_namespace="Microsoft.Storage",
                parent_resource_path="",
                resource_type="storageAccounts",
                api_version="2020-05-01",
                resource_name_=account.name,
                lock_name="cdc-landing-do-not-delete",
                level=authorization.LockLevel.CAN_NOT_DELETE,
                notes="CDC landing zone: ML data assets read from here. Remove the lock deliberately before deleting.",
                opts=child,
            )

        self.account_id = account.id
        self.private_link_targets = (
            PrivateLinkTarget("landing-blob", account.id, PrivateLinkGroup.BLOB),
            PrivateLinkTarget("landing-dfs", account.id, PrivateLinkGroup.DFS),
        )
        self.diagnostic_targets = storage_diagnostic_targets("landing-account", "landing-blob", account.id)
        self.register_outputs(
            {
                "accountName": self.account_name,
                "accountId": account.id,
                "dfsUrl": self.dfs_url,
                "containers": self.containers,
                "captureContainer": self.capture_container,
            }
        )

    def _declare_account(
        self, name: str, args: LandingZoneArgs, resource_group_name: pulumi.Input[str], child: pulumi.ResourceOptions
    ) -> storage.StorageAccount:
        """The HNS account and its blob service (blob and container soft delete)."""
        account = storage_account(
            f"{name}-account",
            resource_group_name=resource_group_name,
            account_name=self.account_name,
            location=args.location,
            sku=args.sku.value,
            hierarchical_namespace=True,
            public_network_access=args.public_network_access,
            shared_key_access=args.shared_key_access,
            allowed_copy_scope=storage.AllowedCopyScope.AAD,
            tags=dict(args.tags),
            opts=child,
        )
        storage.BlobServiceProperties(
            f"{name}-blob-service",
            resource_group_name=resource_group_name,
            account_name=account.name,
            blob_services_name="default",
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=args.soft_delete_days, allow_permanent_delete=False
            ),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=args.soft_delete_days
            ),
            opts=child,
        )
        return account

    def _declare_containers(
        self,
        name: str,
        args: LandingZoneArgs,
        resource_group_name: pulumi.Input[str],
        account: storage.StorageAccount,
        child: pulumi.ResourceOptions,
    ) -> list[pulumi.Resource]:
        """A private container per source, then the capture container when asked for."""
        self.containers = {}
        self.container_ids = {}
        container_resources: list[pulumi.Resource] = []
        for container_name in args.containers:
            container = storage.BlobContainer(
                f"{name}-{container_name}",
                resource_group_name=resource_group_name,
                account_name=account.name,
                container_name=container_name,
                public_access=storage.PublicAccess.NONE,
                metadata={"purpose": "cdc-landing"},
                opts=child,
            )
            self.containers[container_name] = container_name
            self.container_ids[container_name] = container.id
            container_resources.append(container)
        self.capture_container = None
        self.capture_container_id = None
        if args.capture_container:
            capture = storage.BlobContainer(
                f"{name}-capture",
                resource_group_name=resource_group_name,
                account_name=account.name,
                container_name=CAPTURE_CONTAINER,
                public_access=storage.PublicAccess.NONE,
                metadata={"purpose": "eventhub-capture"},
                opts=child,
            )
            self.capture_container = CAPTURE_CONTAINER
            self.capture_container_id = capture.id
            container_resources.append(capture)
        return container_resources

    @staticmethod
    def _lifecycle_rules(args: LandingZoneArgs) -> list[storage.ManagementPolicyRuleArgs]:
        cdc_actions = storage.ManagementPolicyBaseBlobArgs(
            tier_to_cool=storage.DateAfterModificationArgs(days_after_modification_greater_than=args.cool_after_days),
            delete=(
                storage.DateAfterModificationArgs(days_after_modification_greater_than=args.delete_after_days)
                if args.delete_after_days
                else None
            ),
        )
        rules = [
            storage.ManagementPolicyRuleArgs(
                name="cdc-change-files",
                enabled=True,
                type=storage.RuleType.LIFECYCLE,
                definition=storage.ManagementPolicyDefinitionArgs(
                    filters=storage.ManagementPolicyFilterArgs(
                        blob_types=["blockBlob"],
                        prefix_match=[f"{c}/{args.cdc_folder}/" for c in args.containers],
                    ),
                    actions=storage.ManagementPolicyActionArgs(base_blob=cdc_actions),
                ),
            )
        ]
        if args.capture_container:
            rules.append(
                storage.ManagementPolicyRuleArgs(
                    name="eventhub-capture-expiry",
                    enabled=True,
                    type=storage.RuleType.LIFECYCLE,
                    definition=storage.ManagementPolicyDefinitionArgs(
                        filters=storage.ManagementPolicyFilterArgs(
                            blob_types=["blockBlob"], prefix_match=[f"{CAPTURE_CONTAINER}/"]
                        ),
                        actions=storage.ManagementPolicyActionArgs(
                            base_blob=storage.ManagementPolicyBaseBlobArgs(
                                delete=storage.DateAfterModificationArgs(
                                    days_after_modification_greater_than=args.capture_retention_days
                                )
                            )
                        ),
                    ),
                )
            )
        return rules
