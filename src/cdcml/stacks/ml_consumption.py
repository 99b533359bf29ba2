"""MlConsumption: the Azure ML workspace that reads what the CDCs land.

The workspace comes with its own dependencies: a (non-HNS) storage account, a Key
Vault with RBAC authorization and purge protection, and a workspace-based Application
Insights on the stack's Log Analytics workspace. It has a system-assigned identity,
uses identity (not account keys) for its system datastores, and never enables v1
legacy mode. In prod it has no public network access and a managed network that only
allows approved outbound traffic: private-endpoint rules to the landing account's
``blob`` and ``dfs`` endpoints and to the Event Hubs namespace its consumers read.

For each landing container there is an identity-based ADLS Gen2 datastore (no stored
credential; the workspace identity gets *Storage Blob Data Reader* on the container),
and for each CDC target a data asset — a ``uri_folder`` DataContainer and its version
``1`` — whose URI is the CDC target folder through that datastore, tagged with the
factory, CDC and source entity that produce it. Where a profile asks for it, the legacy
(v1) ``MachineLearningDataset`` over the same folder is declared too, for jobs that have
not moved to v2 data assets yet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import applicationinsights, authorization, keyvault, machinelearningservices, storage

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
from cdcml.stacks.cdc_ingestion import CdcTarget, TargetFormat
from cdcml.stacks.landing_zone import LandingSku, LandingZone
from cdcml.stacks.wiring import DiagnosticTarget, PrivateLinkGroup, PrivateLinkTarget, principal_id

__all__ = ["DATA_ASSET_VERSION", "MlConsumption", "MlConsumptionArgs", "data_uri", "datastore_name"]

WORKSPACE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,32}$")
DATA_ASSET_VERSION = "1"
MAX_ASSETS = 160


def datastore_name(filesystem: str) -> str:
    """The datastore of a landing container (datastore names allow ``[a-z0-9_]`` only)."""
    return "cdc_" + filesystem.replace("-", "_")


def data_uri(target: CdcTarget) -> str:
    """The URI a data asset reads a CDC target through: the container's datastore."""
    return f"azureml://datastores/{datastore_name(target.filesystem)}/paths/{target.folder}/"


def _private_endpoint_rule(
    resource_id: pulumi.Input[str], group: PrivateLinkGroup
) -> machinelearningservices.PrivateEndpointOutboundRuleArgs:
    """A managed-network outbound rule: a private endpoint to *group* of *resource_id*."""
    return machinelearningservices.PrivateEndpointOutboundRuleArgs(
        type="PrivateEndpoint",
        category=machinelearningservices.RuleCategory.USER_DEFINED,
        destination=machinelearningservices.PrivateEndpointDestinationArgs(
            service_resource_id=resource_id, subresource_target=group.value, spark_enabled=False
        ),
    )


@dataclass(frozen=True, kw_only=True)
class MlConsumptionArgs:
    """The workspace and one data asset per CDC target in ``assets``."""

    workspace_name: str
    assets: tuple[CdcTarget, ...]
    location: str
    public_network_access: bool = False
    managed_network: bool = True
    storage_sku: LandingSku = LandingSku.STANDARD_ZRS
    key_vault_retention_days: int = 90
    legacy_datasets: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_pattern(self, "workspace_name", WORKSPACE_NAME, "3 to 33 letters, digits, '-' or '_'")
        assets = check_tuple(self, "assets", 1, MAX_ASSETS)
        for i, asset in enumerate(assets):
            if not isinstance(asset, CdcTarget):
                raise ArgsError(owner, f"assets[{i}]", "a CdcTarget", asset)
            if asset.asset_name in [a.asset_name for a in assets[:i]]:
                raise ArgsError(owner, f"assets[{i}]", "a target whose data asset name is not used before", asset)
        if len({a.account for a in assets}) != 1:
            raise ArgsError(owner, "assets", "targets in one landing account", sorted({a.account for a in assets}))
        check_location(self)
        check_bool(self, "public_network_access")
        check_bool(self, "managed_network")
        check_enum(self, "storage_sku", LandingSku)
        check_int(self, "key_vault_retention_days", 7, 90)
        check_bool(self, "legacy_datasets")
        check_tags(self)


class MlConsumption(pulumi.ComponentResource):
    """An Azure ML workspace with datastores and data assets over the CDC targets
    (``cdcml:stacks:MlConsumption``)."""

    workspace_name: str
    workspace_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    datastores: dict[str, str]
    data_assets: dict[str, str]
    legacy_datasets: dict[str, str]
    private_link_targets: tuple[PrivateLinkTarget, ...]
    diagnostic_targets: tuple[DiagnosticTarget, ...]

    def __init__(
        self,
        name: str,
        args: MlConsumptionArgs,
        *,
        resource_group_name: pulumi.Input[str],
        landing: LandingZone,
        log_analytics_workspace_id: pulumi.Input[str],
        event_hubs_namespace_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        for i, asset in enumerate(args.assets):
            if asset.account != landing.account_name or asset.filesystem not in landing.containers:
                raise ArgsError(
                    type(args).__name__, f"assets[{i}]", "a target in the landing zone's account and containers", asset
                )
        super().__init__("cdcml:stacks:MlConsumption", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.workspace_name = args.workspace_name
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        account = storage_account(
            f"{name}-storage",
            resource_group_name=resource_group_name,
            account_name=stack_unique_name(name, max_length=24, alphanumeric=True),
            location=args.location,
            sku=args.storage_sku.value,
            hierarchical_namespace=False,
            public_network_access=args.public_network_access,
            tags=tags,
            opts=child,
        )
        vault = self._declare_key_vault(name, args, resource_group_name, client, child)
        insights = applicationinsights.Component(
            f"{name}-insights",
            resource_group_name=resource_group_name,
            resource_name_=f"{args.workspace_name}-insights",
            location=args.location,
            kind="web",
            application_type=applicationinsights.ApplicationType.WEB,
            ingestion_mode=applicationinsights.IngestionMode.LOG_ANALYTICS,
            workspace_resource_id=log_analytics_workspace_id,
            tags=tags,
            opts=child,
        )
        workspace = self._declare_workspace(
            name,
            args,
            resource_group_name,
            dependencies=(account, vault, insights),
            landing=landing,
            event_hubs_namespace_id=event_hubs_namespace_id,
            child=child,
        )
        datastores = self._declare_datastores(name, args, resource_group_name, workspace, landing, client, child)
        self._declare_assets(name, args, resource_group_name, workspace, datastores, child)

        self.workspace_id = workspace.id
        self.principal_id = principal_id(workspace.identity)
        self.private_link_targets = (
            PrivateLinkTarget("ml-workspace", workspace.id, PrivateLinkGroup.ML_WORKSPACE),
            PrivateLinkTarget("ml-storage-blob", account.id, PrivateLinkGroup.BLOB),
            PrivateLinkTarget("ml-storage-file", account.id, PrivateLinkGroup.FILE),
            PrivateLinkTarget("ml-keyvault", vault.id, PrivateLinkGroup.KEY_VAULT),
        )
        self.diagnostic_targets = (
            DiagnosticTarget("ml-workspace", workspace.id),
            DiagnosticTarget("ml-keyvault", vault.id),
            *storage_diagnostic_targets("ml-storage", "ml-storage-blob", account.id),
        )
        self.register_outputs(
            {
                "workspaceName": self.workspace_name,
                "workspaceId": workspace.id,
                "principalId": self.principal_id,
                "datastores": self.datastores,
                "dataAssets": self.data_assets,
                "legacyDatasets": self.legacy_datasets,
            }
        )

    @staticmethod
    def _declare_key_vault(
        name: str,
        args: MlConsumptionArgs,
        resource_group_name: pulumi.Input[str],
        client: pulumi.Output[authorization.GetClientConfigResult],
        child: pulumi.ResourceOptions,
    ) -> keyvault.Vault:
        """The workspace's RBAC Key Vault, with purge protection."""
        public = args.public_network_access
        return keyvault.Vault(
            f"{name}-keyvault",
            resource_group_name=resource_group_name,
            vault_name=stack_unique_name(name, "kv", max_length=24),
            location=args.location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=client.tenant_id,
                sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.STANDARD),
                enable_rbac_authorization=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=args.key_vault_retention_days,
                enable_purge_protection=True,
                public_network_access="enabled" if public else "disabled",
                network_acls=keyvault.NetworkRuleSetArgs(
                    default_action=keyvault.NetworkRuleAction.ALLOW if public else keyvault.NetworkRuleAction.DENY,
                    bypass=keyvault.NetworkRuleBypassOptions.AZURE_SERVICES,
                ),
            ),
            tags=dict(args.tags),
            opts=child,
        )

    @staticmethod
    def _declare_workspace(
        name: str,
        args: MlConsumptionArgs,
        resource_group_name: pulumi.Input[str],
        *,
        dependencies: tuple[storage.StorageAccount, keyvault.Vault, applicationinsights.Component],
        landing: LandingZone,
        event_hubs_namespace_id: pulumi.Input[str] | None,
        child: pulumi.ResourceOptions,
    ) -> machinelearningservices.Workspace:
        """The workspace over its storage account, Key Vault and App Insights; with the
        managed network, outbound only through private endpoints to the landing account
        and the Event Hubs namespace."""
        account, vault, insights = dependencies
        public = args.public_network_access
        managed_network = None
        if args.managed_network:
            rules = {
                f"landing-{group.value}": _private_endpoint_rule(landing.account_id, group)
                for group in (PrivateLinkGroup.BLOB, PrivateLinkGroup.DFS)
            }
            if event_hubs_namespace_id is not None:
                rules["cdc-events"] = _private_endpoint_rule(
                    event_hubs_namespace_id, PrivateLinkGroup.EVENT_HUBS_NAMESPACE
                )
            managed_network = machinelearningservices.ManagedNetworkSettingsArgs(
                isolation_mode=machinelearningservices.IsolationMode.ALLOW_ONLY_APPROVED_OUTBOUND,
                outbound_rules=rules,
            )
        return machinelearningservices.Workspace(
            f"{name}-workspace",
            resource_group_name=resource_group_name,
            workspace_name=args.workspace_name,
            location=args.location,
            kind="Default",
            sku=machinelearningservices.SkuArgs(name="Basic", tier=machinelearningservices.SkuTier.BASIC),
            friendly_name=f"{args.workspace_name} (CDC consumers)",
            description="Trains and scores on the CDC landing zone's data assets and change stream.",
            identity=machinelearningservices.ManagedServiceIdentityArgs(
                type=machinelearningservices.ManagedServiceIdentityType.SYSTEM_ASSIGNED
            ),
            storage_account=account.id,
            key_vault=vault.id,
            application_insights=insights.id,
            public_network_access=(
                machinelearningservices.PublicNetworkAccessType.ENABLED
                if public
                else machinelearningservices.PublicNetworkAccessType.DISABLED
            ),
            allow_public_access_when_behind_vnet=False,
            managed_network=managed_network,
            system_datastores_auth_mode=machinelearningservices.SystemDatastoresAuthMode.IDENTITY,
            v1_legacy_mode=False,
            hbi_workspace=False,
            tags=dict(args.tags),
            opts=child,
        )

    def _declare_datastores(
        self,
        name: str,
        args: MlConsumptionArgs,
        resource_group_name: pulumi.Input[str],
        workspace: machinelearningservices.Workspace,
        landing: LandingZone,
        client: pulumi.Output[authorization.GetClientConfigResult],
        child: pulumi.ResourceOptions,
    ) -> dict[str, machinelearningservices.Datastore]:
        """An identity-based ADLS Gen2 datastore per landing container the assets read."""
        self.datastores = {}
        datastore_resources: dict[str, machinelearningservices.Datastore] = {}
        for filesystem in dict.fromkeys(a.filesystem for a in args.assets):
            ds_name = datastore_name(filesystem)
            datastore_resources[filesystem] = machinelearningservices.Datastore(
                f"{name}-{filesystem}-datastore",
                resource_group_name=resource_group_name,
                workspace_name=workspace.name,
                name=ds_name,
                properties=machinelearningservices.AzureDataLakeGen2DatastoreArgs(
                    datastore_type="AzureDataLakeGen2",
                    account_name=landing.account_name,
                    filesystem=filesystem,
                    endpoint="core.windows.net",
                    protocol="https",
                    subscription_id=client.subscription_id,
                    resource_group=resource_group_name,
                    credentials=machinelearningservices.NoneDatastoreCredentialsArgs(credentials_type="None"),
                    service_data_access_auth_identity=(
                        machinelearningservices.ServiceDataAccessAuthIdentity.WORKSPACE_SYSTEM_ASSIGNED_IDENTITY
                    ),
                    description=f"CDC landing container {filesystem} (identity-based, no stored credential).",
                ),
                opts=child,
            )
            self.datastores[filesystem] = ds_name
        return datastore_resources

    def _declare_assets(
        self,
        name: str,
        args: MlConsumptionArgs,
        resource_group_name: pulumi.Input[str],
        workspace: machinelearningservices.Workspace,
        datastores: Mapping[str, machinelearningservices.Datastore],
        child: pulumi.ResourceOptions,
    ) -> None:
        """Per CDC target a v2 data asset (container and version ``1``) carrying its
        lineage, and the legacy v1 dataset when asked for."""
        self.data_assets = {}
        self.legacy_datasets = {}
        for asset in args.assets:
            lineage = {
                "cdc-factory": asset.factory,
                "cdc-name": asset.change_data_capture,
                "source-entity": f"{asset.source}/{asset.table}",
                "format": asset.format.value,
            }
            description = f"Changes of {asset.table} captured by {asset.change_data_capture} ({asset.format} files)."
            container = machinelearningservices.DataContainer(
                f"{name}-{asset.asset_name}-asset",
                resource_group_name=resource_group_name,
                workspace_name=workspace.name,
                name=asset.asset_name,
                properties=machinelearningservices.DataContainerPropertiesArgs(
                    data_type=machinelearningservices.DataType.URI_FOLDER,
                    description=description,
                    is_archived=False,
                    tags=lineage,
                ),
                opts=child,
            )
            machinelearningservices.DataVersion(
                f"{name}-{asset.asset_name}-v{DATA_ASSET_VERSION}",
                resource_group_name=resource_group_name,
                workspace_name=workspace.name,
                name=asset.asset_name,
                version=DATA_ASSET_VERSION,
                properties=machinelearningservices.UriFolderDataVersionArgs(
                    data_type="uri_folder",
                    data_uri=data_uri(asset),
                    description=description,
                    is_anonymous=False,
                    is_archived=False,
                    tags=lineage,
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[container, datastores[asset.filesystem]]),
            )
            self.data_assets[asset.asset_name] = data_uri(asset)
            if args.legacy_datasets:
                self._declare_legacy_dataset(
                    name, asset, resource_group_name, workspace, datastores, lineage, description
                )

    def _declare_legacy_dataset(
        self,
        name: str,
        asset: CdcTarget,
        resource_group_name: pulumi.Input[str],
        workspace: machinelearningservices.Workspace,
        datastores: Mapping[str, machinelearningservices.Datastore],
        lineage: dict[str, str],
        description: str,
    ) -> None:
        """The v1 ``MachineLearningDataset`` of a target (``ml.legacyDatasets``)."""
        parquet = asset.format is TargetFormat.PARQUET
        machinelearningservices.MachineLearningDataset(
            f"{name}-{asset.asset_name}-dataset",
            resource_group_name=resource_group_name,
            workspace_name=workspace.name,
            dataset_name=asset.asset_name,
            # A v1 TabularDataset can parse parquet; delta folders are exposed as files.
            dataset_type=(
                machinelearningservices.DatasetType.TABULAR if parquet else machinelearningservices.DatasetType.FILE
            ),
            parameters=machinelearningservices.DatasetCreateRequestParametersArgs(
                source_type=machinelearningservices.SourceType.PARQUET_FILES if parquet else None,
                path=machinelearningservices.DatasetCreateRequestPathArgs(
                    data_path=machinelearningservices.DatasetCreateRequestDataPathArgs(
                        datastore_name=datastore_name(asset.filesystem), relative_path=asset.folder
                    )
                ),
            ),
            registration=machinelearningservices.DatasetCreateRequestRegistrationArgs(
                name=asset.asset_name, description=f"{description} Legacy v1 dataset.", tags=lineage
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[datastores[asset.filesystem]]),
        )
        self.legacy_datasets[asset.asset_name] = asset.asset_name
