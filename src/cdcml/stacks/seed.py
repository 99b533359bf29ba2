"""The ``seed`` profile: the CDC→ML system the project started from, kept as it was.

It is deliberately not hardened: it is the baseline the guardrails are proven against.
A resource group; a Data Factory with one ChangeDataCapture that copies ``dbo.orders``
from an Azure SQL source into an ADLS Gen2 landing folder in mode ``Incremental`` every
minute; an Event Hubs namespace, hub and consumer group for change notifications; and an
Azure ML workspace with a legacy (v1) ``MachineLearningDataset`` over the landing folder.
The original sketch used ``ChangeDataCapturePolicyArgs``/``RecurrenceArgs``, which the
SDK doesn't have; the real classes are ``MapperPolicyArgs``/``MapperPolicyRecurrenceArgs``.
The linked services it names (``AzureSqlSource``, ``AdlsLanding``) lived outside the stack.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import datafactory, eventhub, machinelearningservices, resources

__all__ = ["build_seed"]


def build_seed() -> None:
    """Declare the seed system in the running Pulumi program, as it was."""
    rg = resources.ResourceGroup("cdc-ml-rg")
    factory = datafactory.Factory("cdc-factory", resource_group_name=rg.name)
    cdc = _change_data_capture(rg, factory)
    _eventing(rg)
    dataset = _ml(rg)
    pulumi.export("change_data_capture_name", cdc.name)
    pulumi.export("machine_learning_dataset_name", dataset.name)


def _change_data_capture(rg: resources.ResourceGroup, factory: datafactory.Factory) -> datafactory.ChangeDataCapture:
    """The one CDC: ``dbo.orders`` to ``landing/cdc/orders``, mode Incremental, every minute."""
    return datafactory.ChangeDataCapture(
        "orders-cdc",
        resource_group_name=rg.name,
        factory_name=factory.name,
        policy=datafactory.MapperPolicyArgs(
            mode="Incremental",
            recurrence=datafactory.MapperPolicyRecurrenceArgs(
                frequency=datafactory.FrequencyType.MINUTE,
                interval=1,
            ),
        ),
        source_connections_info=[
            datafactory.MapperSourceConnectionsInfoArgs(
                connection=datafactory.MapperConnectionArgs(
                    type=datafactory.ConnectionType.LINKEDSERVICETYPE,
                    linked_service=datafactory.LinkedServiceReferenceArgs(
                        reference_name="AzureSqlSource", type="LinkedServiceReference"
                    ),
                    linked_service_type="AzureSqlDatabase",
                    is_inline_dataset=True,
                ),
                source_entities=[
                    datafactory.MapperTableArgs(
                        name="dbo.orders",
                        dsl_connector_properties=[
                            datafactory.MapperDslConnectorPropertiesArgs(name="schemaName", value="dbo"),
                            datafactory.MapperDslConnectorPropertiesArgs(name="tableName", value="orders"),
                        ],
                    )
                ],
            )
        ],
        target_connections_info=[
            datafactory.MapperTargetConnectionsInfoArgs(
                connection=datafactory.MapperConnectionArgs(
                    type=datafactory.ConnectionType.LINKEDSERVICETYPE,
                    linked_service=datafactory.LinkedServiceReferenceArgs(
                        reference_name="AdlsLanding", type="LinkedServiceReference"
                    ),
                    linked_service_type="AzureBlobFS",
                    is_inline_dataset=True,
                ),
                target_entities=[
                    datafactory.MapperTableArgs(
                        name="orders",
                        dsl_connector_properties=[
                            datafactory.MapperDslConnectorPropertiesArgs(name="fileSystem", value="landing"),
                            datafactory.MapperDslConnectorPropertiesArgs(name="folderPath", value="cdc/orders"),
                            datafactory.MapperDslConnectorPropertiesArgs(name="format", value="parquet"),
                        ],
                    )
                ],
                data_mapper_mappings=[
                    datafactory.DataMapperMappingArgs(source_entity_name="dbo.orders", target_entity_name="orders")
                ],
            )
        ],
    )


def _eventing(rg: resources.ResourceGroup) -> None:
    """The change notifications: namespace, hub and one consumer group."""
    namespace = eventhub.Namespace(
        "cdc-events",
        resource_group_name=rg.name,
        sku=eventhub.SkuArgs(name=eventhub.SkuName.STANDARD, tier=eventhub.SkuTier.STANDARD),
    )
    hub = eventhub.EventHub(
        "orders-changes",
        resource_group_name=rg.name,
        namespace_name=namespace.name,
        partition_count=2,
    )
    eventhub.ConsumerGroup(
        "ml-training",
        resource_group_name=rg.name,
        namespace_name=namespace.name,
        event_hub_name=hub.name,
    )


def _ml(rg: resources.ResourceGroup) -> machinelearningservices.MachineLearningDataset:
    """The ML workspace and its legacy v1 dataset over the landing folder."""
    workspace = machinelearningservices.Workspace(
        "ml-workspace",
        resource_group_name=rg.name,
        identity=machinelearningservices.ManagedServiceIdentityArgs(
            type=machinelearningservices.ManagedServiceIdentityType.SYSTEM_ASSIGNED
        ),
    )
    return machinelearningservices.MachineLearningDataset(
        "orders-dataset",
        resource_group_name=rg.name,
        workspace_name=workspace.name,
        dataset_type=machinelearningservices.DatasetType.TABULAR,
        parameters=machinelearningservices.DatasetCreateRequestParametersArgs(
            source_type=machinelearningservices.SourceType.PARQUET_FILES,
            path=machinelearningservices.DatasetCreateRequestPathArgs(
                data_path=machinelearningservices.DatasetCreateRequestDataPathArgs(
                    datastore_name="landing", relative_path="cdc/orders"
                )
            ),
        ),
        registration=machinelearningservices.DatasetCreateRequestRegistrationArgs(
            name="orders", description="Orders captured by ADF CDC"
        ),
    )
