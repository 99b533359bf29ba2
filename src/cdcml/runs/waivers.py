"""Waivers: accepted risks with an owner and an expiry date.

A **waiver file** is checked into the repository, in YAML or JSON::

    version: 1
    waivers:
      - policy: cdc-enforce-recurrence-bounds      # a policy name, or <pack>/<policy>; globs allowed
        urn: "urn:pulumi:prod::cdcml::*::orders-cdc"  # a glob over the resource URN ("*" spans "::")
        reason: Scoring needs a 5-minute cadence until the Q3 migration.
        owner: data-platform@contoso.com
        expires: 2026-09-30                       # valid through this day (UTC)

A violation matched by a waiver that has not expired is *waived*: it is still reported,
marked as waived, and does not count as a mandatory violation. An expired waiver waives
nothing, and fails the run (exit code 1, as a mandatory violation does): the accepted risk
has lapsed and must be renewed or removed. Findings that are not violations (unknown,
not applicable) are never waived.

The :class:`~cdcml.model.Waiver` and :class:`~cdcml.model.WaiverMatch` records are part of
the verdict model; this module loads waiver files and matches waivers to findings.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema

from cdcml.errors import CdcmlError
from cdcml.inputs import SafeLoader, read_document_file, shorten
from cdcml.model import Finding, FindingKind, Waiver, WaiverMatch

__all__ = [
    "WAIVER_FILE_SCHEMA",
    "WaiverError",
    "load_waivers",
    "match_waivers",
    "today_utc",
]


class WaiverError(CdcmlError):
    """A waiver or baseline file is missing or malformed."""


_DATE = r"^\d{4}-\d{2}-\d{2}$"
WAIVER_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "cdcml waiver file",
    "type": "object",
    "required": ["waivers"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["policy", "urn", "reason", "owner", "expires"],
                "additionalProperties": False,
                "properties": {
                    "policy": {"type": "string", "minLength": 1},
                    "urn": {"type": "string", "minLength": 1},
                    "reason": {"type": "string", "minLength": 1, "pattern": r"\S"},
                    "owner": {"type": "string", "minLength": 1, "pattern": r"\S"},
                    "expires": {"type": "string", "pattern": _DATE},
                },
            },
        },
    },
}


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _plain_dates(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dates(v) for v in value]
    return value


class _Loader(SafeLoader):
    """Bounded safe YAML (:class:`cdcml.inputs.SafeLoader`) without implicit timestamps:
    ``expires`` stays text and is checked here, so an impossible date is reported against
    its waiver."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()
}


def load_waivers(path: str | os.PathLike[str]) -> tuple[Waiver, ...]:
    """The waivers of a YAML or JSON waiver file (a bare list of waivers is accepted too)."""
    p = Path(path)
    doc = read_document_file(p, name=f"waiver file {p}", error=WaiverError, loader=_Loader)
    if doc is None:
        doc = {"waivers": []}
    if isinstance(doc, list):
        doc = {"waivers": doc}
    doc = _plain_dates(doc)
    errors = sorted(jsonschema.Draft202012Validator(WAIVER_FILE_SCHEMA).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        path_parts = list(first.absolute_path)
        where = ""
        if len(path_parts) >= 2 and path_parts[0] == "waivers":
            where = f" waiver #{int(path_parts[1]) + 1}"
            if len(path_parts) > 2:
                where += f" {path_parts[2]!s}"
        detail = shorten(_schema_message(first), 200)
        raise WaiverError(f"waiver file {p}{where}: {detail}")
    out = []
    for i, w in enumerate(doc["waivers"], start=1):
        try:
            expires = dt.date.fromisoformat(w["expires"])
        except ValueError:
            raise WaiverError(f"waiver file {p} waiver #{i} expires: {w['expires']!r} is not a date") from None
        out.append(
            Waiver(
                policy=w["policy"],
                urn=w["urn"],
                reason=" ".join(w["reason"].split()),
                owner=w["owner"].strip(),
                expires=expires,
                index=i,
                source=str(p),
            )
        )
    return tuple(out)


def _schema_message(e: jsonschema.ValidationError) -> str:
    if e.validator == "required":
        return str(e.message).replace("is a required property", "is missing")
    if e.validator == "additionalProperties":
        return "unknown key(s): " + str(e.message).split("(", 1)[-1].rstrip(")").replace(" were unexpected", "")
    if e.validator == "pattern" and e.validator_value == _DATE:
        return "must be a date YYYY-MM-DD"
    if e.validator in ("minLength", "pattern"):
        return "must not be empty"
    if e.validator == "type":
        return f"must be {e.validator_value if isinstance(e.validator_value, str) else 'of another type'}"
    if e.validator == "const":
        return "version must be 1"
    return "invalid"


def match_waivers(findings: Sequence[Finding], waivers: Sequence[Waiver], today: dt.date) -> dict[int, WaiverMatch]:
    """For each finding index, the waiver that applies: the first active match, else the
    first expired one (which waives nothing but is shown)."""
    out: dict[int, WaiverMatch] = {}
    if not waivers:
        return out
    for i, f in enumerate(findings):
        if f.kind is not FindingKind.VIOLATION:
            continue
        expired: Waiver | None = None
        for w in waivers:
            if not w.matches(f):
                continue
            if not w.expired(today):
                out[i] = WaiverMatch(w, True)
                break
            if expired is None:
                expired = w
        else:
            if expired is not None:
                out[i] = WaiverMatch(expired, False)
    return out
