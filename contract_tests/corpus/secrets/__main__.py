"""A SQL server and a factory linked service whose credentials stay secret."""

import pulumi
from pulumi_azure_native import datafactory, resources, sql

config = pulumi.Config()
password = config.require_secret("sqlAdminPassword")
rg = resources.ResourceGroup("rg")
server = sql.Server(
    "source",
    resource_group_name=rg.name,
    administrator_login=config.require("sqlAdmin"),
    administrator_login_password=password,
    minimal_tls_version="1.2",
    version="12.0",
)
db = sql.Database("orders", resource_group_name=rg.name, server_name=server.name)
connection = pulumi.Output.secret(
    pulumi.Output.format("Server=tcp:{0}.database.windows.net;Database={1};", server.name, db.name)
)
factory = datafactory.Factory(
    "factory",
    resource_group_name=rg.name,
    identity=datafactory.FactoryIdentityArgs(type="SystemAssigned"),
)
datafactory.LinkedService(
    "orders-sql",
    resource_group_name=rg.name,
    factory_name=factory.name,
    properties=datafactory.AzureSqlDatabaseLinkedServiceArgs(
        type="AzureSqlDatabase",
        connection_string=connection,
        password=datafactory.SecureStringArgs(type="SecureString", value=password),
    ),
    opts=pulumi.ResourceOptions(additional_secret_outputs=["properties"]),
)
pulumi.export("connection", connection)
pulumi.export("server", server.name)
