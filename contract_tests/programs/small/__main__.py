"""A small program with a component, an explicit dependsOn, an explicit provider, protect,
a secret, an invoke and stack outputs — everything capture must keep."""

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import authorization, datafactory, eventhub, resources, storage

config = pulumi.Config()
network = config.require_object("network")
client = authorization.get_client_config()


class Landing(pulumi.ComponentResource):
    def __init__(self, name: str, resource_group_name: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None):
        super().__init__("small:index:Landing", name, None, opts)
        self.account = storage.StorageAccount(
            f"{name}-account",
            resource_group_name=resource_group_name,
            kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=storage.SkuName.STANDARD_LRS),
            is_hns_enabled=True,
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            tags={"owner": config.get("owner"), "tenant": client.tenant_id},
            opts=pulumi.ResourceOptions(parent=self, custom_timeouts=pulumi.CustomTimeouts(create="5m", delete="1h")),
        )
        self.register_outputs({"accountName": self.account.name})


eu = azure_native.Provider("eu", location="westeurope")
rg = resources.ResourceGroup("rg", opts=pulumi.ResourceOptions(provider=eu, protect=True))
landing = Landing("landing", rg.name)
factory = datafactory.Factory(
    "factory",
    resource_group_name=rg.name,
    identity=datafactory.FactoryIdentityArgs(type=datafactory.FactoryIdentityType.SYSTEM_ASSIGNED),
    opts=pulumi.ResourceOptions(ignore_changes=["tags"], delete_before_replace=True),
)
datafactory.LinkedService(
    "sql",
    resource_group_name=rg.name,
    factory_name=factory.name,
    properties=datafactory.AzureSqlDatabaseLinkedServiceArgs(
        type="AzureSqlDatabase",
        connection_string="Server=tcp:src.database.windows.net;Database=orders;",
        password=datafactory.SecureStringArgs(type="SecureString", value=config.require_secret("sqlPassword")),
    ),
)
ns = eventhub.Namespace(
    "ns",
    resource_group_name=rg.name,
    sku=eventhub.SkuArgs(name=eventhub.SkuName.STANDARD),
    opts=pulumi.ResourceOptions(depends_on=[landing]),
)

pulumi.export("namespaceName", ns.name)
pulumi.export("accountId", landing.account.id)
pulumi.export("addressSpace", network["addressSpace"])
pulumi.export("environment", config.require("environment"))
