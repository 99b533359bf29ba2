"""Test pack: one policy per engine semantic (see contract_tests/test_engine_semantics.py)."""

from helpers import THING, describe
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)


def inputs_seen(args, report_violation):
    if args.resource_type != THING:
        return
    props = args.props
    report_violation(
        f"count={describe(props.get('count'))} ratio={describe(props.get('ratio'))} "
        f"password-is-plaintext={props.get('password') == 'hunter2'} "
        f"nested={describe(props['nested']['list'][0]) if 'nested' in props else None} "
        f"has-internal={'__internal' in props} protect={args.opts.protect} parent={args.opts.parent} "
        f"provider={args.provider.name if args.provider else None} stack={args.stack_tags.get('team')}"
    )


def needs_computed(args, report_violation):
    if args.resource_type == THING:
        _ = args.props["computed"]


def only_for_things(args, report_violation):
    if args.resource_type != THING:
        args.not_applicable("only for things")


def configurable(args, report_violation):
    if args.resource_type == THING:
        report_violation(f"config={sorted((k, describe(v)) for k, v in args.get_config().items())}")


def add_a(args):
    tags = dict(args.props.get("tags") or {})
    tags["a"] = "1"
    args.props["tags"] = tags
    return args.props


def add_b(args):
    tags = dict(args.props.get("tags") or {})
    tags["b"] = "saw-a" if "a" in tags else "no-a"
    args.props["tags"] = tags
    return args.props


def tags_checked(args, report_violation):
    if args.resource_type == THING and "b" not in (args.props.get("tags") or {}):
        report_violation("tag b is missing")


def never(args, report_violation):
    report_violation("a disabled policy ran")


async def async_check(args, report_violation):
    if args.resource_type == THING and args.props.get("count", 0) > 30:
        report_violation("count above 30 (async)")


def mutates_props(args, report_violation):
    """Writes into its props (top level and nested) and then replaces them."""
    if args.resource_type != THING or "nested" not in args.props:
        return
    args.props["count"] = -1
    args.props["nested"]["mutated"] = True
    args.props = {"replaced": True}
    report_violation(f"after-assignment={dict(args.props)}")


def sees_own_props(args, report_violation):
    """Runs after mutates-props: sees untouched props, as the SDK's own proxy types."""
    if args.resource_type != THING or "nested" not in args.props:
        return
    props = args.props
    report_violation(
        f"count={describe(props.get('count'))} nested-mutated={'mutated' in props['nested']} "
        f"replaced={'replaced' in props} props={type(props).__name__} nested={type(props['nested']).__name__} "
        f"sdk-args={isinstance(args, ResourceValidationArgs)}"
    )


def stack_mutates(args, report_violation):
    """Runs before stack-links: rewires and rewrites every resource it is given."""
    report_violation(f"sdk-resources={all(isinstance(r, PolicyResource) for r in args.resources)}")
    for r in args.resources:
        r.parent = None
        r.dependencies.clear()
        r.property_dependencies.clear()
        if r.resource_type == THING:
            r.props["out"] = "rewritten"


def stack_links(args, report_violation):
    for r in args.resources:
        if r.resource_type != THING:
            continue
        parent = r.parent.name if r.parent is not None else None
        deps = sorted(d.name for d in r.dependencies)
        pdeps = {k: sorted(d.name for d in v) for k, v in r.property_dependencies.items()}
        report_violation(
            f"{r.name}: parent={parent} deps={deps} pdeps={pdeps} out={describe(r.props.get('out'))}", r.urn
        )


def stack_unknown(args, report_violation):
    for r in args.resources:
        if r.resource_type == THING:
            _ = r.props["computedOut"]


PolicyPack(
    name="semantics",
    enforcement_level=EnforcementLevel.MANDATORY,
    initial_config={"demoted-by-initial-config": {"note": "set without an enforcement level"}},
    policies=[
        ResourceValidationPolicy(
            name="inputs-seen",
            description="Reports what the policy sees.",
            validate=inputs_seen,
            enforcement_level=EnforcementLevel.ADVISORY,
            severity=Severity.LOW,
        ),
        ResourceValidationPolicy(
            name="needs-computed",
            description="Reads a computed input.",
            validate=needs_computed,
            severity=Severity.HIGH,
        ),
        ResourceValidationPolicy(
            name="only-for-things",
            description="Not applicable to other types.",
            validate=only_for_things,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
        ResourceValidationPolicy(
            name="configurable",
            description="Reports its config.",
            validate=configurable,
            enforcement_level=EnforcementLevel.ADVISORY,
            config_schema=PolicyConfigSchema(
                properties={
                    "threshold": {"type": "number", "default": 10},
                    "mode": {"type": "string", "enum": ["strict", "lenient"], "default": "strict"},
                    "names": {"type": "array", "items": {"type": "string"}},
                }
            ),
        ),
        ResourceValidationPolicy(
            name="demoted-by-initial-config",
            description="Mandatory, but the initial config demotes it.",
            validate=lambda args, report: report("demoted") if args.resource_type == THING else None,
            config_schema=PolicyConfigSchema(properties={"note": {"type": "string"}}),
        ),
        ResourceValidationPolicy(
            name="add-a", description="Adds tag a.", remediate=add_a, enforcement_level=EnforcementLevel.REMEDIATE
        ),
        ResourceValidationPolicy(
            name="add-b",
            description="Adds tag b, noting whether it saw a.",
            remediate=add_b,
            enforcement_level=EnforcementLevel.REMEDIATE,
        ),
        ResourceValidationPolicy(
            name="tags-checked",
            description="Requires tag b.",
            validate=tags_checked,
            enforcement_level=EnforcementLevel.REMEDIATE,
        ),
        ResourceValidationPolicy(
            name="never", description="Disabled.", validate=never, enforcement_level=EnforcementLevel.DISABLED
        ),
        ResourceValidationPolicy(name="async-check", description="An async validation.", validate=async_check),
        ResourceValidationPolicy(
            name="mutates-props",
            description="Mutates its props.",
            validate=mutates_props,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
        ResourceValidationPolicy(
            name="sees-own-props",
            description="Reports props after another policy mutated its own.",
            validate=sees_own_props,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
        StackValidationPolicy(
            name="stack-mutates",
            description="Mutates the resources it is given.",
            validate=stack_mutates,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
        StackValidationPolicy(
            name="stack-links",
            description="Reports links between resources.",
            validate=stack_links,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
        StackValidationPolicy(name="stack-unknown", description="Reads a computed output.", validate=stack_unknown),
    ],
)
