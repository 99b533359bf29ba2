"""The cdcml reference program: stack configuration → typed Args → components."""

import pulumi

from cdcml.stacks import build, plan_stack, stack_config

build(plan_stack(stack_config(), project=pulumi.get_project(), stack=pulumi.get_stack()))
