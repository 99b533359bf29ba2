"""The models as plain JSON data, both ways, for what crosses a process boundary (the
program's and the packs' workers, :mod:`cdcml.workers`).

Decoding validates every field's type: what a worker sends comes from code under review
and is parsed as data, never executed (no pickle). Property values are any JSON value
(NaN and infinities included, as Python's ``json`` writes them) and come back frozen.
A shape error raises :class:`CodecError` naming the path of the bad field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from cdcml.model.findings import (
    EnforcementLevel,
    EvaluatedResource,
    Finding,
    FindingKind,
    Findings,
    PackRef,
    Remediation,
    Severity,
)
from cdcml.model.graph import (
    CustomTimeouts,
    FrozenDict,
    Resource,
    ResourceGraph,
    ResourceOptions,
    SourcePosition,
    freeze,
    thaw,
)
from cdcml.model.verdict import (
    Artifact,
    LockInfo,
    PolicyInfo,
    Shard,
    StackRef,
    StackReport,
    Verdict,
    Waiver,
    WaiverMatch,
)

__all__ = [
    "CodecError",
    "artifact_to_plain",
    "finding_from_plain",
    "finding_to_plain",
    "graph_from_plain",
    "graph_to_plain",
    "policy_info_to_plain",
    "remediation_from_plain",
    "remediation_to_plain",
    "verdict_from_report",
    "waiver_to_plain",
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


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodecError(f"{where}: expected an integer")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise CodecError(f"{where}: expected a list")
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


def _freeze_parsed(value: Any) -> Any:
    """:func:`~cdcml.model.graph.freeze` of freshly parsed JSON (only ``dict``, ``list``
    and scalars, keys already strings): the same result, without the ABC checks."""
    kind = type(value)
    if kind is dict:
        return FrozenDict({str(k): _freeze_parsed(v) for k, v in value.items()})
    if kind is list:
        return tuple([_freeze_parsed(v) for v in value])
    return freeze(value) if kind is not str and isinstance(value, Mapping | list | tuple) else value


def _props(value: Any, where: str) -> FrozenDict:
    frozen = _freeze_parsed(_obj(value, where))
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


def _position_to_plain(p: SourcePosition | None) -> dict[str, Any] | None:
    return None if p is None else {"path": p.path, "line": p.line, "column": p.column}


def _position_from_plain(value: Any, where: str) -> SourcePosition | None:
    if value is None:
        return None
    d = _obj(value, where)
    return SourcePosition(
        path=_str(d.get("path"), f"{where}.path"),
        line=_int(d.get("line"), f"{where}.line"),
        column=_int(d.get("column"), f"{where}.column"),
    )


def _resource_to_plain(r: Resource, thaw: Callable[[Any], Any] = thaw) -> dict[str, Any]:
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
        "sourcePosition": _position_to_plain(r.source_position),
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
        source_position=_position_from_plain(d.get("sourcePosition"), f"{where}.sourcePosition"),
    )


def _as_is(value: Any) -> Any:
    return value


def graph_to_plain(graph: ResourceGraph, *, frozen: bool = False) -> dict[str, Any]:
    """*graph* as JSON-ready data (:func:`graph_from_plain` is its inverse). *frozen*
    leaves property values as they are (``FrozenDict`` and tuples: JSON encoders that take
    ``dict`` subclasses and tuples, such as orjson, need no copy)."""
    unfreeze = _as_is if frozen else thaw
    return {
        "project": graph.project,
        "stack": graph.stack,
        "resources": [_resource_to_plain(r, unfreeze) for r in graph.resources],
        "outputs": unfreeze(graph.outputs),
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


# --------------------------------------------------------------------------- verdicts
#
# The JSON report (``cdcml.report.json_report``) of one shard of a sharded run carries,
# besides what every report shows, what the other formats need (policy metadata, where
# findings point, waiver numbers): enough to rebuild the whole run's verdict from its
# shards (``cdcml report merge``). The encoders of those pieces are here, next to their
# decoders; :func:`verdict_from_report` reads a shard's report back into a Verdict.


def policy_info_to_plain(p: PolicyInfo) -> dict[str, Any]:
    return {
        "pack": p.pack,
        "packVersion": p.pack_version,
        "name": p.name,
        "policyType": p.policy_type,
        "description": p.description,
        "enforcementLevel": str(p.level),
        "severity": str(p.severity),
        "tags": list(p.tags),
        "remediationSteps": p.remediation_steps,
        "url": p.url,
        "framework": None if p.framework is None else dict(p.framework),
        "resourceTypes": list(p.resource_types),
    }


def _policy_info_from_plain(value: Any, where: str) -> PolicyInfo:
    d = _obj(value, where)
    framework = d.get("framework")
    policy_type = _str(d.get("policyType"), f"{where}.policyType")
    if policy_type not in ("resource", "stack"):
        raise CodecError(f"{where}.policyType: expected resource or stack")
    return PolicyInfo(
        pack=_str(d.get("pack"), f"{where}.pack"),
        pack_version=_str(d.get("packVersion"), f"{where}.packVersion"),
        name=_str(d.get("name"), f"{where}.name"),
        policy_type=policy_type,
        description=_str(d.get("description"), f"{where}.description"),
        level=_enum(EnforcementLevel, d.get("enforcementLevel"), f"{where}.enforcementLevel"),
        severity=_enum(Severity, d.get("severity"), f"{where}.severity"),
        tags=_strs(d.get("tags"), f"{where}.tags"),
        remediation_steps=_str(d.get("remediationSteps"), f"{where}.remediationSteps"),
        url=_str(d.get("url"), f"{where}.url"),
        framework=None if framework is None else _str_map(framework, f"{where}.framework"),
        resource_types=_strs(d.get("resourceTypes"), f"{where}.resourceTypes"),
    )


def waiver_to_plain(w: Waiver) -> dict[str, Any]:
    """*w* as in its waiver file, with its number there and the file."""
    return {**w.to_json(), "index": w.index, "source": w.source}


def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_str(value, where))
    except ValueError:
        raise CodecError(f"{where}: expected a date (YYYY-MM-DD)") from None


def _waiver_from_plain(value: Any, where: str) -> Waiver:
    d = _obj(value, where)
    return Waiver(
        policy=_str(d.get("policy"), f"{where}.policy"),
        urn=_str(d.get("urn"), f"{where}.urn"),
        reason=_str(d.get("reason"), f"{where}.reason"),
        owner=_str(d.get("owner"), f"{where}.owner"),
        expires=_date(d.get("expires"), f"{where}.expires"),
        index=_int(d.get("index"), f"{where}.index"),
        source=_str(d.get("source"), f"{where}.source"),
    )


def artifact_to_plain(a: Artifact) -> dict[str, Any]:
    return {"uri": a.uri, "baseId": a.base_id, "baseUri": a.base_uri, "lines": dict(a.lines)}


def _artifact_from_plain(value: Any, where: str) -> Artifact:
    d = _obj(value, where)
    lines = {str(k): _int(v, f"{where}.lines") for k, v in _obj(d.get("lines"), f"{where}.lines").items()}
    return Artifact(
        uri=_str(d.get("uri"), f"{where}.uri"),
        base_id=_str(d.get("baseId"), f"{where}.baseId"),
        base_uri=_str(d.get("baseUri"), f"{where}.baseUri"),
        lines=lines,
    )


def _lock_from_report(value: Any, where: str) -> LockInfo:
    d = _obj(value, where)
    pid = d.get("pid")
    return LockInfo(
        key=_str(d.get("key"), f"{where}.key"),
        pid=None if pid is None else _int(pid, f"{where}.pid"),
        username=_str(d.get("owner"), f"{where}.owner"),
        hostname=_str(d.get("hostname"), f"{where}.hostname"),
        timestamp=_str(d.get("timestamp"), f"{where}.timestamp"),
    )


def _packs_from_report(value: Any, where: str) -> tuple[PackRef, ...]:
    items = _list(value, where)
    return tuple(
        PackRef(_str(_obj(p, f"{where}[{i}]").get("name"), f"{where}[{i}].name"), _str(p.get("version"), where))
        for i, p in enumerate(items)
    )


def _findings_from_report(d: Mapping[str, Any], where: str) -> Findings:
    evaluated = []
    for i, r in enumerate(_list(d.get("resources"), f"{where}.resources")):
        at = f"{where}.resources[{i}]"
        r = _obj(r, at)
        evaluated.append(
            EvaluatedResource(
                _str(r.get("urn"), f"{at}.urn"),
                _str(r.get("type"), f"{at}.type"),
                _str(r.get("name"), f"{at}.name"),
                _strs(r.get("policies"), f"{at}.policies"),
            )
        )
    findings = _list(d.get("findings"), f"{where}.findings")
    remediations = _list(d.get("remediations"), f"{where}.remediations")
    return Findings(
        project=_str(d.get("project"), f"{where}.project"),
        stack=_str(d.get("stack"), f"{where}.stack"),
        source=_str(d.get("source"), f"{where}.source"),
        packs=_packs_from_report(d.get("packs"), f"{where}.packs"),
        findings=tuple(finding_from_plain(f, f"{where}.findings[{i}]") for i, f in enumerate(findings)),
        remediations=tuple(remediation_from_plain(r, f"{where}.remediations[{i}]") for i, r in enumerate(remediations)),
        evaluated=tuple(evaluated),
        stack_policies=_strs(d.get("stackPolicies"), f"{where}.stackPolicies"),
    )


def _stack_from_report(value: Any, extra: Any, waivers: Mapping[int, Waiver], where: str) -> StackReport:
    """One stack of a shard's report. Its graph holds what reports show of it (names,
    diagnostics), not its resources: the findings list what was evaluated."""
    d, x = _obj(value, where), _obj(extra, f"{where} (shard)")
    findings = _findings_from_report(d, where)
    organization = _str(x.get("organization"), f"{where}.organization")
    graph = ResourceGraph(
        findings.project,
        findings.stack,
        (),
        organization=organization,
        source=findings.source,
        diagnostics=_strs(d.get("diagnostics"), f"{where}.diagnostics"),
    )
    matches: dict[int, WaiverMatch] = {}
    for key, number in _obj(x.get("waivers"), f"{where}.waivers").items():
        item = findings.findings[int(key)] if key.isdigit() and int(key) < len(findings.findings) else None
        waiver = waivers.get(_int(number, f"{where}.waivers.{key}"))
        status = _obj(d["findings"][int(key)], where).get("waiver") if item is not None else None
        if item is None or waiver is None or not isinstance(status, Mapping):
            raise CodecError(f"{where}.waivers.{key}: no such waived finding or waiver")
        matches[int(key)] = WaiverMatch(waiver, status.get("status") == "active")
    summary = _obj(d.get("summary"), f"{where}.summary")
    locks = _list(d.get("locks", []), f"{where}.locks")
    return StackReport(
        ref=StackRef(organization, findings.project, findings.stack),
        graph=graph,
        findings=findings,
        location=_str(_obj(d.get("state"), f"{where}.state").get("location"), f"{where}.state.location"),
        artifact=_artifact_from_plain(x.get("artifact"), f"{where}.artifact"),
        locks=tuple(_lock_from_report(lock, f"{where}.locks[{i}]") for i, lock in enumerate(locks)),
        waivers=matches,
        baselined=_int(summary.get("baselined", 0), f"{where}.summary.baselined"),
    )


def verdict_from_report(doc: Any, where: str = "report") -> Verdict:
    """The verdict of one shard, from its JSON report (a ``stacks`` document with a
    ``shard``); :class:`CodecError` naming the field when it is not one."""
    d = _obj(doc, where)
    s = _obj(d.get("shard"), f"{where}.shard")
    waivers = [
        _waiver_from_plain(w, f"{where}.shard.waivers[{i}]")
        for i, w in enumerate(_list(s.get("waivers"), f"{where}.shard.waivers"))
    ]
    by_number = {w.index: w for w in waivers}
    today = _date(s.get("today"), f"{where}.shard.today")
    stacks = _list(d.get("stacks"), f"{where}.stacks")
    extras = _list(s.get("stacks"), f"{where}.shard.stacks")
    if len(extras) != len(stacks):
        raise CodecError(f"{where}.shard.stacks: expected one entry per stack")
    reports = tuple(
        _stack_from_report(r, x, by_number, f"{where}.stacks[{i}]")
        for i, (r, x) in enumerate(zip(stacks, extras, strict=True))
    )
    policies = _list(s.get("policies"), f"{where}.shard.policies")
    shard = Shard(
        index=_int(s.get("index"), f"{where}.shard.index"),
        count=_int(s.get("count"), f"{where}.shard.count"),
        total=_int(s.get("total"), f"{where}.shard.total"),
        listing=_str(s.get("listing"), f"{where}.shard.listing"),
        positions=tuple(_int(_obj(x, where).get("position"), f"{where}.shard.stacks.position") for x in extras),
    )
    return Verdict(
        command=_str(d.get("command"), f"{where}.command"),
        source=_str(d.get("source"), f"{where}.source"),
        stacks=reports,
        packs=_packs_from_report(d.get("packs"), f"{where}.packs"),
        policies=tuple(_policy_info_from_plain(p, f"{where}.shard.policies[{i}]") for i, p in enumerate(policies)),
        multi=True,
        waivers=tuple(waivers),
        expired_waivers=tuple(w for w in waivers if w.expired(today)),
        warnings=_strs(d.get("warnings"), f"{where}.warnings"),
        today=today,
        shard=shard,
    )
