"""The marshaling the engine applies before it sends properties to an analyzer. The value
encodings are :mod:`cdcml.model.values`; the protobuf ``Struct`` they then travel in is
:mod:`cdcml.structs`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cdcml.model import Resource
from cdcml.model.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    OUTPUT_VALUE_SIG,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    is_unknown,
)

__all__ = ["RefResolver", "marshal_for_analyzer", "resource_ids"]


RefResolver = Callable[[str], str | None]
"""Maps a resource URN to its ID (``None`` when the ID is unknown, ``""`` for components)."""


def resource_ids(resources: Iterable[Resource]) -> dict[str, str | None]:
    """URN → what a reference to that resource marshals to (see :data:`RefResolver`);
    ``resource_ids(graph).get`` is the resolver for :func:`marshal_for_analyzer`. As the
    engine's ``MakeCustomResourceReference``: a custom resource's id, unknown when it is
    unknown or empty (not yet created); a component has no id, so its URN."""
    return {r.urn: ((None if not r.id or is_unknown(r.id) else r.id) if r.custom else "") for r in resources}


def marshal_for_analyzer(props: Mapping[str, Any], resolve_id: RefResolver | None = None) -> dict[str, Any]:
    """Marshal properties the way the engine does before sending them to an analyzer.

    Mirrors ``MarshalProperties(props, {KeepUnknowns: true, KeepSecrets: true,
    SkipInternalKeys: true})`` in ``analyzer_plugin.go``: internal keys (``__``-prefixed)
    are dropped at every level, secrets and unknowns are kept, resource references are
    downgraded to their ID (or URN for components, unknown when the ID is unknown), and
    output values are replaced by their value or an unknown sentinel.
    """
    return {k: _marshal(v, resolve_id) for k, v in props.items() if not str(k).startswith("__")}


def _marshal(value: Any, resolve_id: RefResolver | None) -> Any:
    if isinstance(value, Mapping):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return {SIG_KEY: SECRET_SIG, "value": _marshal(value.get("value"), resolve_id)}
        if sig == RESOURCE_REF_SIG:
            urn = str(value.get("urn", ""))
            if "id" in value:
                rid = value.get("id")
                return UNKNOWN if rid in (None, "") or is_unknown(rid) else rid
            if resolve_id is not None:
                resolved = resolve_id(urn)
                if resolved is None:
                    return UNKNOWN
                if resolved:
                    return resolved
            return urn
        if sig == OUTPUT_VALUE_SIG:
            if "value" not in value:
                return UNKNOWN
            inner = _marshal(value["value"], resolve_id)
            return {SIG_KEY: SECRET_SIG, "value": inner} if value.get("secret") else inner
        if sig in (ASSET_SIG, ARCHIVE_SIG):
            return {k: _marshal(v, resolve_id) for k, v in value.items()}
        return {k: _marshal(v, resolve_id) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, (list, tuple)):
        return [_marshal(v, resolve_id) for v in value]
    # Scalars (NaN and infinity included) pass as they are: a Struct carries them, as the
    # engine's does.
    return value
