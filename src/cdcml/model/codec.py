"""The models as plain JSON data, both ways, for what crosses a process boundary (the
program's and the packs' workers, :mod:`cdcml.workers`).

Decoding validates every field's type: what a worker sends comes from code under review
and is parsed as data, never executed (no pickle). Property values are any JSON value
(NaN and infinities included, as Python's ``json`` writes them) and come back frozen.
A shape error raises :class:`CodecError` naming the path of the bad field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdcml.model.findings import EnforcementLevel, Finding, FindingKind, Remediation, Severity
from cdcml.model.graph import CustomTimeouts, FrozenDict, Resource, ResourceGraph, ResourceOptions, freeze, thaw

__all__ = [
    "CodecError",
    "finding_from_plain",
    "finding_to_plain",
    "graph_from_plain",
    "graph_to_plain",
    "remediation_from_plain",
    "remediation_to_plain",
]


class CodecError(ValueError):
    """Plain data that is not the shape of the model."""


# --------------------------------------------------------------------------- checks


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CodecError(f"{where}: expected an object")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise CodecError(f"{where}: expected a string")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise CodecError(f"{where}: expected true or false")
    return value


def _num(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CodecError(f"{where}: expected a number")
    return float(value)


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise CodecError(f"{where}: expected a list")
    return tuple(_str(v, f"{where}[{i}]") for i, v in enumerate(value))


def _str_map(value: Any, where: str) -> FrozenDict:
    return FrozenDict({str(k): _str(v, f"{where}.{k}") for k, v in _obj(value, where).items()})


def _props(value: Any, where: str) -> FrozenDict:
    frozen = freeze(_obj(value, where))
    assert isinstance(frozen, FrozenDict)
    return frozen


# --------------------------------------------------------------------------- graph


def _options_to_plain(o: ResourceOptions) -> dict[str, Any]:
    ct = o.custom_timeouts
    return {
        "protect": o.protect,
        "ignoreChanges": list(o.ignore_changes),
        "deleteBeforeReplace": o.delete_before_replace,
        "additionalSecretOutputs": list(o.additional_secret_outputs),
        "aliases": list(o.aliases),
        "customTimeouts": None if ct is None else [ct.create, ct.update, ct.delete],
        "retainOnDelete": o.retain_on_delete,
        "deletedWith": o.deleted_with,
        "replaceOnChanges": list(o.replace_on_changes),
        "importId": o.import_id,
    }


def _options_from_plain(value: Any, where: str) -> ResourceOptions:
    d = _obj(value, where)
    ct = d.get("customTimeouts")
    timeouts = None
    if ct is not None:
        if not isinstance(ct, list) or len(ct) != 3:
            raise CodecError(f"{where}.customTimeouts: expected [create, update, delete]")
        timeouts = CustomTimeouts(*(_num(v, f"{where}.customTimeouts") for v in ct))
    dbr = d.get("deleteBeforeReplace")
    return ResourceOptions(
        protect=_bool(d.get("protect"), f"{where}.protect"),
        ignore_changes=_strs(d.get("ignoreChanges"), f"{where}.ignoreChanges"),
        delete_before_replace=None if dbr is None else _bool(dbr, f"{where}.deleteBeforeReplace"),
        additional_secret_outputs=_strs(d.get("additionalSecretOutputs"), f"{where}.additionalSecretOutputs"),
        aliases=_strs(d.get("aliases"), f"{where}.aliases"),
        custom_timeouts=timeouts,
        retain_on_delete=_bool(d.get("retainOnDelete"), f"{where}.retainOnDelete"),
        deleted_with=_str(d.get("deletedWith"), f"{where}.deletedWith"),
        replace_on_changes=_strs(d.get("replaceOnChanges"), f"{where}.replaceOnChanges"),
        import_id=_str(d.get("importId"), f"{where}.importId"),
    )


def _resource_to_plain(r: Resource) -> dict[str, Any]:
    return {
        "urn": r.urn,
        "type": r.type,
        "name": r.name,
        "custom": r.custom,
        "id": r.id,
        "inputs": thaw(r.inputs),
        "outputs": thaw(r.outputs),
        "parent": r.parent,
        "dependencies": list(r.dependencies),
        "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()},
        "provider": r.provider,
        "options": _options_to_plain(r.options),
        "external": r.external,
        "delete": r.delete,
        "pendingReplacement": r.pending_replacement,
    }


def _resource_from_plain(value: Any, where: str) -> Resource:
    d = _obj(value, where)
    deps = _obj(d.get("propertyDependencies"), f"{where}.propertyDependencies")
    return Resource(
        urn=_str(d.get("urn"), f"{where}.urn"),
        type=_str(d.get("type"), f"{where}.type"),
        name=_str(d.get("name"), f"{where}.name"),
        custom=_bool(d.get("custom"), f"{where}.custom"),
        id=_str(d.get("id"), f"{where}.id"),
        inputs=_props(d.get("inputs"), f"{where}.inputs"),
        outputs=_props(d.get("outputs"), f"{where}.outputs"),
        parent=_str(d.get("parent"), f"{where}.parent"),
        dependencies=_strs(d.get("dependencies"), f"{where}.dependencies"),
        property_dependencies=FrozenDict(
            {str(k): _strs(v, f"{where}.propertyDependencies.{k}") for k, v in deps.items()}
        ),
        provider=_str(d.get("provider"), f"{where}.provider"),
        options=_options_from_plain(d.get("options"), f"{where}.options"),
        external=_bool(d.get("external"), f"{where}.external"),
        delete=_bool(d.get("delete"), f"{where}.delete"),
        pending_replacement=_bool(d.get("pendingReplacement"), f"{where}.pendingReplacement"),
    )


def graph_to_plain(graph: ResourceGraph) -> dict[str, Any]:
    """*graph* as JSON-ready data (:func:`graph_from_plain` is its inverse)."""
    return {
        "project": graph.project,
        "stack": graph.stack,
        "resources": [_resource_to_plain(r) for r in graph.resources],
        "outputs": thaw(graph.outputs),
        "organization": graph.organization,
        "source": graph.source,
        "dryRun": graph.dry_run,
        "config": dict(graph.config),
        "configSecretKeys": list(graph.config_secret_keys),
        "tags": dict(graph.tags),
        "diagnostics": list(graph.diagnostics),
    }


def graph_from_plain(value: Any) -> ResourceGraph:
    """The :class:`ResourceGraph` *value* describes; :class:`CodecError` when it isn't one."""
    d = _obj(value, "graph")
    resources = d.get("resources")
    if not isinstance(resources, list):
        raise CodecError("graph.resources: expected a list")
    try:
        return ResourceGraph(
            project=_str(d.get("project"), "graph.project"),
            stack=_str(d.get("stack"), "graph.stack"),
            resources=tuple(_resource_from_plain(r, f"graph.resources[{i}]") for i, r in enumerate(resources)),
            outputs=_props(d.get("outputs"), "graph.outputs"),
            organization=_str(d.get("organization"), "graph.organization"),
            source=_str(d.get("source"), "graph.source"),
            dry_run=_bool(d.get("dryRun"), "graph.dryRun"),
            config=_str_map(d.get("config"), "graph.config"),
            config_secret_keys=_strs(d.get("configSecretKeys"), "graph.configSecretKeys"),
            tags=_str_map(d.get("tags"), "graph.tags"),
            diagnostics=_strs(d.get("diagnostics"), "graph.diagnostics"),
        )
    except CodecError:
        raise
    except ValueError as e:  # the graph's own checks (duplicate URNs)
        raise CodecError(f"graph: {e}") from None


# --------------------------------------------------------------------------- findings


def _enum(cls: Any, value: Any, where: str) -> Any:
    text = _str(value, where)
    try:
        return cls(text)
    except ValueError:
        raise CodecError(f"{where}: {str(value)[:40]!r} is not a {cls.__name__}") from None


def finding_to_plain(f: Finding) -> dict[str, Any]:
    """*f* as plain data: also a finding of the JSON report (``findings.schema.json``)."""
    return {
        "kind": str(f.kind),
        "pack": f.pack,
        "packVersion": f.pack_version,
        "policy": f.policy,
        "policyType": f.policy_type,
        "enforcementLevel": str(f.enforcement_level),
        "severity": str(f.severity),
        "urn": f.urn,
        "resourceType": f.resource_type,
        "description": f.description,
        "message": f.message,
    }


def finding_from_plain(value: Any, where: str = "finding") -> Finding:
    d = _obj(value, where)
    policy_type = _str(d.get("policyType"), f"{where}.policyType")
    if policy_type not in ("resource", "stack"):
        raise CodecError(f"{where}.policyType: expected resource or stack")
    return Finding(
        kind=_enum(FindingKind, d.get("kind"), f"{where}.kind"),
        pack=_str(d.get("pack"), f"{where}.pack"),
        pack_version=_str(d.get("packVersion"), f"{where}.packVersion"),
        policy=_str(d.get("policy"), f"{where}.policy"),
        policy_type=policy_type,
        enforcement_level=_enum(EnforcementLevel, d.get("enforcementLevel"), f"{where}.enforcementLevel"),
        severity=_enum(Severity, d.get("severity"), f"{where}.severity"),
        urn=_str(d.get("urn"), f"{where}.urn"),
        resource_type=_str(d.get("resourceType"), f"{where}.resourceType"),
        description=_str(d.get("description"), f"{where}.description"),
        message=_str(d.get("message"), f"{where}.message"),
    )


def remediation_to_plain(r: Remediation) -> dict[str, Any]:
    return {
        "pack": r.pack,
        "packVersion": r.pack_version,
        "policy": r.policy,
        "urn": r.urn,
        "resourceType": r.resource_type,
        "description": r.description,
        "properties": thaw(r.properties),
        "changed": list(r.changed),
    }


def remediation_from_plain(value: Any, where: str = "remediation") -> Remediation:
    d = _obj(value, where)
    return Remediation(
        pack=_str(d.get("pack"), f"{where}.pack"),
        pack_version=_str(d.get("packVersion"), f"{where}.packVersion"),
        policy=_str(d.get("policy"), f"{where}.policy"),
        urn=_str(d.get("urn"), f"{where}.urn"),
        resource_type=_str(d.get("resourceType"), f"{where}.resourceType"),
        description=_str(d.get("description"), f"{where}.description"),
        properties=_props(d.get("properties"), f"{where}.properties"),
        changed=_strs(d.get("changed"), f"{where}.changed"),
    )
