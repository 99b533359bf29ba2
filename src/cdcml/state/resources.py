"""Resource records of stored state → :class:`~cdcml.model.Resource`.

Each field is checked the way Go's JSON decoder checks the engine's ``ResourceV3`` struct
(``null`` is the field's zero value; a value of the wrong type is an error naming the
resource and the field); property values are decoded by
:class:`~cdcml.state.properties.PropertyDecoder`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdcml.errors import StateError
from cdcml.inputs import shorten, value_problem
from cdcml.model import CustomTimeouts, FrozenDict, Resource, ResourceOptions
from cdcml.state.properties import PropertyDecoder
from cdcml.state.urns import parse_urn

__all__ = ["decode_resource", "dedupe_resources"]


def _typed(res: Mapping[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    """``res[key]`` checked like Go's JSON decoder checks a struct field (``null`` ⇒ default)."""
    value = res.get(key)
    if value is None:
        return default
    if not isinstance(value, kind):
        raise StateError(f"{where}: {key!r} must be {_WHAT[kind]}")
    return value


_WHAT: dict[type, str] = {bool: "a boolean", str: "a string", list: "a list", Mapping: "an object"}


def _strings(res: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = _typed(res, key, list, [], where)
    if not all(isinstance(x, str) for x in value):
        raise StateError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _timeouts(res: Mapping[str, Any], where: str) -> CustomTimeouts | None:
    ct = _typed(res, "customTimeouts", Mapping, None, where)
    if ct is None:
        return None
    values: dict[str, float] = {}
    for key in ("create", "update", "delete"):
        x = ct.get(key)
        if x is None:
            values[key] = 0.0
        elif isinstance(x, bool) or not isinstance(x, (int, float)) or value_problem(x) is not None:
            raise StateError(f"{where}: customTimeouts.{key} must be a number of seconds")
        else:
            values[key] = float(x)
    if not any(values.values()):
        return None
    return CustomTimeouts(**values)


def decode_resource(res: Any, index: int, decoder: PropertyDecoder) -> Resource:
    source = decoder.source
    if not isinstance(res, Mapping):
        raise StateError(f"{source}: resources[{index}] must be an object")
    urn = res.get("urn")
    if not isinstance(urn, str) or not urn:
        raise StateError(f"{source}: resources[{index}] is missing its 'urn'")
    parsed = parse_urn(urn)
    if parsed is None:
        raise StateError(f"{source}: resources[{index}] has an invalid URN {shorten(urn, 200)!r}")
    where = f"{source}: {shorten(urn, 200)}"
    rtype = res.get("type")
    if not isinstance(rtype, str) or not rtype:
        raise StateError(f"{where}: missing its 'type'")
    custom = _typed(res, "custom", bool, False, where)
    rid = _typed(res, "id", str, "", where)
    if not custom and rid:
        raise StateError(f"{where}: 'custom' is false but it has an ID")
    parent = _typed(res, "parent", str, "", where)
    if parent and parse_urn(parent) is None:
        raise StateError(f"{where}: invalid parent URN {shorten(parent, 200)!r}")
    dependencies = _strings(res, "dependencies", where)
    raw_pdeps = _typed(res, "propertyDependencies", Mapping, {}, where)
    pdeps: dict[str, tuple[str, ...]] = {}
    for key, urns in raw_pdeps.items():
        if urns is None:
            pdeps[str(key)] = ()
        elif isinstance(urns, list) and all(isinstance(u, str) for u in urns):
            pdeps[str(key)] = tuple(urns)
        else:
            raise StateError(f"{where}: propertyDependencies.{shorten(str(key))} must be a list of URNs")
    provider = _typed(res, "provider", str, "", where)
    if provider and (parse_urn(provider.rsplit("::", 1)[0]) is None or "::" not in provider):
        raise StateError(f"{where}: invalid provider reference (expected '<provider URN>::<provider ID>')")
    dbr = res.get("deleteBeforeReplace")
    if dbr is not None and not isinstance(dbr, bool):
        raise StateError(f"{where}: 'deleteBeforeReplace' must be a boolean")
    options = ResourceOptions(
        protect=_typed(res, "protect", bool, False, where),
        ignore_changes=_strings(res, "ignoreChanges", where),
        delete_before_replace=dbr,
        additional_secret_outputs=_strings(res, "additionalSecretOutputs", where),
        aliases=_aliases(res, where),
        custom_timeouts=_timeouts(res, where),
        retain_on_delete=_typed(res, "retainOnDelete", bool, False, where),
        deleted_with=_typed(res, "deletedWith", str, "", where),
        replace_on_changes=_strings(res, "replaceOnChanges", where),
        import_id=_typed(res, "importID", str, "", where),
    )
    return Resource(
        urn=urn,
        type=rtype,
        name=parsed[3],
        custom=custom,
        id=rid,
        inputs=decoder.props(res.get("inputs"), urn, "inputs"),
        outputs=decoder.props(res.get("outputs"), urn, "outputs"),
        parent=parent,
        dependencies=dependencies,
        property_dependencies=FrozenDict(pdeps),
        provider=provider,
        options=options,
        external=_typed(res, "external", bool, False, where),
        delete=_typed(res, "delete", bool, False, where),
        pending_replacement=_typed(res, "pendingReplacement", bool, False, where),
    )


def _aliases(res: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """Aliases are URNs; newer states may also record alias specs (objects), which
    analyzers receive as the URNs they resolve to and which can't be resolved here."""
    value = _typed(res, "aliases", list, [], where)
    out = []
    for a in value:
        if isinstance(a, str):
            out.append(a)
        elif not isinstance(a, Mapping):
            raise StateError(f"{where}: 'aliases' must be a list of URNs")
    return tuple(out)


def dedupe_resources(resources: Sequence[Resource], source: str) -> tuple[list[Resource], list[str]]:
    """A state may hold a resource twice: the live one and an old copy pending deletion
    (``delete: true``, after a failed replacement). Analysis skips the old copy, so it is
    dropped here; any other duplicate URN is an error."""
    live: dict[str, int] = {}
    for r in resources:
        if not r.delete:
            if r.urn in live:
                raise StateError(f"{source}: duplicate resource URN {r.urn}")
            live[r.urn] = 1
    out: list[Resource] = []
    seen_deleted: set[str] = set()
    dropped = 0
    for r in resources:
        if r.delete and (r.urn in live or r.urn in seen_deleted):
            dropped += 1
            continue
        if r.delete:
            seen_deleted.add(r.urn)
        out.append(r)
    notes = []
    if dropped:
        notes.append(f"{dropped} old cop(ies) of replaced resources pending deletion were skipped")
    return out, notes
