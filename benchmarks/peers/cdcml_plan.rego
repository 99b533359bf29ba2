# The cdcml guardrails that a rule over one Terraform plan resource can express (20 of the
# 73 policies of cdc-ml-guardrails; see benchmarks/README.md). Input: `terraform show -json`
# of an azurerm/azapi plan. Query: data.cdcml.plan.deny — one entry per violating resource
# and policy.
package cdcml.plan

import rego.v1

violation(policy, r) := {"policy": policy, "address": r.address}

# B-01 network-disable-factory-public-access
deny contains violation("network-disable-factory-public-access", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_data_factory"
	r.values.public_network_enabled != false
}

# C-01 identity-require-factory-managed-identity
deny contains violation("identity-require-factory-managed-identity", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_data_factory"
	count(object.get(r.values, "identity", [])) == 0
}

# F-03 governance-configure-factory-git
deny contains violation("governance-configure-factory-git", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_data_factory"
	count(object.get(r.values, "github_configuration", [])) == 0
	count(object.get(r.values, "vsts_configuration", [])) == 0
}

# A-01 cdc-enforce-mode-allowlist
deny contains violation("cdc-enforce-mode-allowlist", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azapi_resource"
	startswith(r.values.type, "Microsoft.DataFactory/factories/adfcdcs@")
	not object.get(r.values.body.properties, ["policy", "mode"], "") in {"Microbatch"}
}

# A-02 cdc-enforce-recurrence-bounds: 15 to 120 minutes
minutes(rec) := rec.interval if lower(rec.frequency) == "minute"

minutes(rec) := rec.interval * 60 if lower(rec.frequency) == "hour"

deny contains violation("cdc-enforce-recurrence-bounds", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azapi_resource"
	startswith(r.values.type, "Microsoft.DataFactory/factories/adfcdcs@")
	m := minutes(r.values.body.properties.policy.recurrence)
	not m >= 15
}

deny contains violation("cdc-enforce-recurrence-bounds", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azapi_resource"
	startswith(r.values.type, "Microsoft.DataFactory/factories/adfcdcs@")
	m := minutes(r.values.body.properties.policy.recurrence)
	m > 120
}

secret_fields := ["storage_account_key", "service_principal_key", "sas_uri", "connection_string"]

# C-02 identity-require-linked-service-managed-identity
deny contains violation("identity-require-linked-service-managed-identity", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_data_factory_linked_service_data_lake_storage_gen2"
	r.values.use_managed_identity != true
}

# C-03 identity-disallow-inline-secrets
deny contains violation("identity-disallow-inline-secrets", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_data_factory_linked_service_data_lake_storage_gen2"
	some f in secret_fields
	object.get(r.values, f, null) != null
}

# B-08 network-disable-storage-public-access
deny contains violation("network-disable-storage-public-access", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_storage_account"
	r.values.public_network_access_enabled != false
}

# B-08 network-disable-blob-anonymous-access
deny contains violation("network-disable-blob-anonymous-access", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_storage_account"
	r.values.allow_nested_items_to_be_public != false
}

# C-05 identity-disable-storage-shared-key
deny contains violation("identity-disable-storage-shared-key", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_storage_account"
	r.values.shared_access_key_enabled != false
}

deny contains violation("identity-disable-storage-shared-key", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_storage_account"
	r.values.local_user_enabled == true
}

# D-05 encryption-enforce-min-tls (storage accounts and Event Hubs namespaces)
deny contains violation("encryption-enforce-min-tls", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_storage_account"
	not r.values.min_tls_version in {"TLS1_2", "TLS1_3"}
}

deny contains violation("encryption-enforce-min-tls", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_eventhub_namespace"
	not object.get(r.values, "minimum_tls_version", "1.2") in {"1.2"}
}

# B-04 network-disable-eventhub-public-access
deny contains violation("network-disable-eventhub-public-access", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_eventhub_namespace"
	r.values.public_network_access_enabled != false
}

deny contains violation("network-disable-eventhub-public-access", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_eventhub_namespace"
	r.values.sku == "Basic"
}

# C-04 identity-disable-eventhub-local-auth
deny contains violation("identity-disable-eventhub-local-auth", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_eventhub_namespace"
	r.values.local_authentication_enabled != false
}

# B-05 network-disable-workspace-public-access
deny contains violation("network-disable-workspace-public-access", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_machine_learning_workspace"
	r.values.public_network_access_enabled != false
}

# B-06 network-enforce-approved-outbound
deny contains violation("network-enforce-approved-outbound", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_machine_learning_workspace"
	not object.get(r.values, ["managed_network", 0, "isolation_mode"], "") in {"AllowOnlyApprovedOutbound"}
}

# C-07 identity-require-datastore-identity
deny contains violation("identity-require-datastore-identity", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_machine_learning_datastore_datalake_gen2"
	not r.values.service_data_identity in {"WorkspaceSystemAssignedIdentity", "WorkspaceUserAssignedIdentity"}
}

deny contains violation("identity-require-datastore-identity", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_machine_learning_datastore_datalake_gen2"
	object.get(r.values, "client_secret", null) != null
}

# G-02 ml-require-datastore-data-uri
deny contains violation("ml-require-datastore-data-uri", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azapi_resource"
	startswith(r.values.type, "Microsoft.MachineLearningServices/workspaces/data/versions@")
	uri := object.get(r.values.body.properties, "dataUri", "")
	not regex.match(`^(azureml://datastores/[^/]+/paths/|abfss://[^@/]+@[a-z0-9]{3,24}\.dfs\.core\.windows\.net)`, uri)
}

deny contains violation("ml-require-datastore-data-uri", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azapi_resource"
	startswith(r.values.type, "Microsoft.MachineLearningServices/workspaces/data/versions@")
	regex.match(`[?&](sig|sv|se|sp|st|spr|srt|ss)=`, object.get(r.values.body.properties, "dataUri", ""))
}

# E-01 protection-enable-keyvault-purge-protection
deny contains violation("protection-enable-keyvault-purge-protection", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_key_vault"
	r.values.purge_protection_enabled != true
}

deny contains violation("protection-enable-keyvault-purge-protection", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_key_vault"
	r.values.soft_delete_retention_days < 7
}

# C-09 identity-enable-keyvault-rbac
deny contains violation("identity-enable-keyvault-rbac", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_key_vault"
	r.values.enable_rbac_authorization != true
}

# B-09 network-disable-keyvault-public-access
deny contains violation("network-disable-keyvault-public-access", r) if {
	some r in input.planned_values.root_module.resources
	r.type == "azurerm_key_vault"
	r.values.public_network_access_enabled != false
	object.get(r.values, ["network_acls", 0, "default_action"], "Allow") != "Deny"
}
