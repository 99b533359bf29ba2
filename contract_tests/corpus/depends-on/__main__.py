"""A diagnostic pipeline whose pieces wait for each other explicitly."""

import pulumi
from pulumi_azure_native import operationalinsights, resources, storage

rg = resources.ResourceGroup("rg")
logs = operationalinsights.Workspace(
    "logs",
    resource_group_name=rg.name,
    sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
    retention_in_days=30,
)


class Baseline(pulumi.ComponentResource):
    """An audit account every other account waits for (depending on a component waits
    for its children)."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("corpus:ops:Baseline", name, None, opts)
        storage.StorageAccount(
            f"{name}audit",
            resource_group_name=rg.name,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_GRS"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


baseline = Baseline("baseline", opts=pulumi.ResourceOptions(depends_on=[logs]))
accounts = [
    storage.StorageAccount(
        f"acct{i}",
        resource_group_name=rg.name,
        kind="StorageV2",
        sku=storage.SkuArgs(name="Standard_LRS"),
        opts=pulumi.ResourceOptions(depends_on=[baseline]),
    )
    for i in range(3)
]
storage.StorageAccount(
    "summary",
    resource_group_name=rg.name,
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_LRS"),
    opts=pulumi.ResourceOptions(depends_on=accounts),
)
