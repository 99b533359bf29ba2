"""The catalogue of every cdcml guardrail, in pack order (by catalogue rule id).

Packs are built from it (``policies/cdc-ml-guardrails``), and ``cdcml policy ls`` and
``cdcml policy docs`` render it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cdcml.policies.cdc.cdc_configure_declared_status import cdc_configure_declared_status
from cdcml.policies.cdc.cdc_disallow_self_hosted_runtime import cdc_disallow_self_hosted_runtime
from cdcml.policies.cdc.cdc_enforce_mode_allowlist import cdc_enforce_mode_allowlist
from cdcml.policies.cdc.cdc_enforce_offered_latency import cdc_enforce_offered_latency
from cdcml.policies.cdc.cdc_enforce_recurrence_bounds import cdc_enforce_recurrence_bounds
from cdcml.policies.cdc.cdc_enforce_target_mapping import cdc_enforce_target_mapping
from cdcml.policies.cdc.cdc_enforce_trigger_cadence import cdc_enforce_trigger_cadence
from cdcml.policies.cdc.cdc_require_incremental_capture import cdc_require_incremental_capture
from cdcml.policies.cdc.cdc_require_source_prerequisites import cdc_require_source_prerequisites
from cdcml.policies.cdc.cdc_require_supported_source import cdc_require_supported_source
from cdcml.policies.cost.cost_configure_compute_scaling import cost_configure_compute_scaling
from cdcml.policies.cost.cost_enforce_dataflow_core_cap import cost_enforce_dataflow_core_cap
from cdcml.policies.cost.cost_enforce_eventhub_sizing import cost_enforce_eventhub_sizing
from cdcml.policies.cost.cost_enforce_latency_floor import cost_enforce_latency_floor
from cdcml.policies.cost.cost_require_landing_lifecycle import cost_require_landing_lifecycle
from cdcml.policies.cost.cost_require_realtime_approval import cost_require_realtime_approval
from cdcml.policies.crossresource.crossresource_enforce_least_privilege import crossresource_enforce_least_privilege
from cdcml.policies.crossresource.crossresource_require_cmk_vault_prerequisites import (
    crossresource_require_cmk_vault_prerequisites,
)
from cdcml.policies.crossresource.crossresource_require_dedicated_consumer_group import (
    crossresource_require_dedicated_consumer_group,
)
from cdcml.policies.crossresource.crossresource_require_ml_asset_for_cdc_target import (
    crossresource_require_ml_asset_for_cdc_target,
)
from cdcml.policies.crossresource.crossresource_require_ml_private_outbound import (
    crossresource_require_ml_private_outbound,
)
from cdcml.policies.crossresource.crossresource_require_private_endpoint import crossresource_require_private_endpoint
from cdcml.policies.encryption.encryption_configure_key_rotation import encryption_configure_key_rotation
from cdcml.policies.encryption.encryption_enforce_linked_service_tls import encryption_enforce_linked_service_tls
from cdcml.policies.encryption.encryption_enforce_min_tls import encryption_enforce_min_tls
from cdcml.policies.encryption.encryption_require_database_cmk import encryption_require_database_cmk
from cdcml.policies.encryption.encryption_require_eventhub_cmk import encryption_require_eventhub_cmk
from cdcml.policies.encryption.encryption_require_factory_cmk import encryption_require_factory_cmk
from cdcml.policies.encryption.encryption_require_storage_cmk import encryption_require_storage_cmk
from cdcml.policies.encryption.encryption_require_workspace_cmk import encryption_require_workspace_cmk
from cdcml.policies.governance.governance_configure_factory_git import governance_configure_factory_git
from cdcml.policies.governance.governance_enforce_allowed_locations import governance_enforce_allowed_locations
from cdcml.policies.governance.governance_enforce_data_classification import governance_enforce_data_classification
from cdcml.policies.governance.governance_enforce_linked_service_types import governance_enforce_linked_service_types
from cdcml.policies.governance.governance_require_colocated_pipeline import governance_require_colocated_pipeline
from cdcml.policies.governance.governance_require_tags import governance_require_tags
from cdcml.policies.identity.identity_configure_workspace_identity import identity_configure_workspace_identity
from cdcml.policies.identity.identity_disable_compute_local_auth import identity_disable_compute_local_auth
from cdcml.policies.identity.identity_disable_eventhub_local_auth import identity_disable_eventhub_local_auth
from cdcml.policies.identity.identity_disable_storage_shared_key import identity_disable_storage_shared_key
from cdcml.policies.identity.identity_disallow_inline_secrets import identity_disallow_inline_secrets
from cdcml.policies.identity.identity_enable_keyvault_rbac import identity_enable_keyvault_rbac
from cdcml.policies.identity.identity_require_database_entra_auth import identity_require_database_entra_auth
from cdcml.policies.identity.identity_require_datastore_identity import identity_require_datastore_identity
from cdcml.policies.identity.identity_require_factory_managed_identity import identity_require_factory_managed_identity
from cdcml.policies.identity.identity_require_linked_service_managed_identity import (
    identity_require_linked_service_managed_identity,
)
from cdcml.policies.ml.ml_configure_data_asset_lineage import ml_configure_data_asset_lineage
from cdcml.policies.ml.ml_disallow_v1_data_assets import ml_disallow_v1_data_assets
from cdcml.policies.ml.ml_require_datastore_data_uri import ml_require_datastore_data_uri
from cdcml.policies.ml.ml_require_hardened_dependencies import ml_require_hardened_dependencies
from cdcml.policies.network.network_disable_blob_anonymous_access import network_disable_blob_anonymous_access
from cdcml.policies.network.network_disable_compute_public_endpoints import network_disable_compute_public_endpoints
from cdcml.policies.network.network_disable_database_public_access import network_disable_database_public_access
from cdcml.policies.network.network_disable_eventhub_public_access import network_disable_eventhub_public_access
from cdcml.policies.network.network_disable_factory_public_access import network_disable_factory_public_access
from cdcml.policies.network.network_disable_keyvault_public_access import network_disable_keyvault_public_access
from cdcml.policies.network.network_disable_storage_public_access import network_disable_storage_public_access
from cdcml.policies.network.network_disable_workspace_public_access import network_disable_workspace_public_access
from cdcml.policies.network.network_enforce_approved_outbound import network_enforce_approved_outbound
from cdcml.policies.network.network_require_managed_private_endpoints import network_require_managed_private_endpoints
from cdcml.policies.network.network_require_managed_vnet_runtime import network_require_managed_vnet_runtime
from cdcml.policies.network.network_require_private_dns_zones import network_require_private_dns_zones
from cdcml.policies.observability.observability_configure_log_destination import observability_configure_log_destination
from cdcml.policies.observability.observability_configure_pipeline_sla import observability_configure_pipeline_sla
from cdcml.policies.observability.observability_enable_database_auditing import observability_enable_database_auditing
from cdcml.policies.observability.observability_require_diagnostic_settings import (
    observability_require_diagnostic_settings,
)
from cdcml.policies.protection.protection_configure_capture_destination import protection_configure_capture_destination
from cdcml.policies.protection.protection_configure_database_backups import protection_configure_database_backups
from cdcml.policies.protection.protection_configure_storage_redundancy import protection_configure_storage_redundancy
from cdcml.policies.protection.protection_enable_blob_soft_delete import protection_enable_blob_soft_delete
from cdcml.policies.protection.protection_enable_eventhub_capture import protection_enable_eventhub_capture
from cdcml.policies.protection.protection_enable_keyvault_purge_protection import (
    protection_enable_keyvault_purge_protection,
)
from cdcml.policies.protection.protection_enforce_eventhub_retention import protection_enforce_eventhub_retention

__all__ = ["PACK_NAME", "POLICIES", "by_name", "pack_metadata"]

PACK_NAME = "cdc-ml-guardrails"

POLICIES: tuple[Any, ...] = (
    cdc_enforce_mode_allowlist,
    cdc_require_incremental_capture,
    cdc_enforce_recurrence_bounds,
    cdc_enforce_offered_latency,
    cdc_require_supported_source,
    cdc_enforce_target_mapping,
    cdc_disallow_self_hosted_runtime,
    cdc_configure_declared_status,
    cdc_require_source_prerequisites,
    cdc_enforce_trigger_cadence,
    network_disable_factory_public_access,
    network_require_managed_vnet_runtime,
    network_require_managed_private_endpoints,
    network_disable_eventhub_public_access,
    network_disable_workspace_public_access,
    network_enforce_approved_outbound,
    network_disable_compute_public_endpoints,
    network_disable_blob_anonymous_access,
    network_disable_storage_public_access,
    network_disable_keyvault_public_access,
    network_disable_database_public_access,
    network_require_private_dns_zones,
    identity_require_factory_managed_identity,
    identity_require_linked_service_managed_identity,
    identity_disallow_inline_secrets,
    identity_disable_eventhub_local_auth,
    identity_disable_storage_shared_key,
    identity_disable_compute_local_auth,
    identity_require_datastore_identity,
    identity_configure_workspace_identity,
    identity_enable_keyvault_rbac,
    identity_require_database_entra_auth,
    encryption_require_factory_cmk,
    encryption_require_eventhub_cmk,
    encryption_require_workspace_cmk,
    encryption_require_storage_cmk,
    encryption_enforce_min_tls,
    encryption_enforce_linked_service_tls,
    encryption_configure_key_rotation,
    encryption_require_database_cmk,
    protection_enable_keyvault_purge_protection,
    protection_enable_blob_soft_delete,
    protection_enforce_eventhub_retention,
    protection_enable_eventhub_capture,
    protection_configure_capture_destination,
    protection_configure_database_backups,
    protection_configure_storage_redundancy,
    governance_require_tags,
    governance_enforce_data_classification,
    governance_configure_factory_git,
    governance_enforce_linked_service_types,
    governance_enforce_allowed_locations,
    governance_require_colocated_pipeline,
    ml_disallow_v1_data_assets,
    ml_require_datastore_data_uri,
    ml_configure_data_asset_lineage,
    ml_require_hardened_dependencies,
    observability_require_diagnostic_settings,
    observability_configure_log_destination,
    observability_enable_database_auditing,
    observability_configure_pipeline_sla,
    cost_require_realtime_approval,
    cost_enforce_latency_floor,
    cost_enforce_dataflow_core_cap,
    cost_enforce_eventhub_sizing,
    cost_configure_compute_scaling,
    cost_require_landing_lifecycle,
    crossresource_require_ml_asset_for_cdc_target,
    crossresource_require_dedicated_consumer_group,
    crossresource_require_private_endpoint,
    crossresource_require_cmk_vault_prerequisites,
    crossresource_enforce_least_privilege,
    crossresource_require_ml_private_outbound,
)


def by_name(name: str) -> Any:
    for p in POLICIES:
        if p.name == name:
            return p
    raise KeyError(name)


def pack_metadata(policy_yaml: str | os.PathLike[str]) -> dict[str, str]:
    """The ``PolicyPack(...)`` name, description and readme a pack's PulumiPolicy.yaml
    declares (the CLI itself reads only its runtime, version and description)."""
    import yaml

    doc = yaml.safe_load(Path(policy_yaml).read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict):
        raise ValueError(f"{policy_yaml}: expected a mapping")
    out = {"name": str(doc.get("name") or PACK_NAME)}
    for key in ("description", "readme"):
        if isinstance(doc.get(key), str) and doc[key].strip():
            out[key] = doc[key].strip()
    return out
