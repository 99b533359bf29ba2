"""Self-managed ("DIY") Pulumi state backends, read-only: their layout, stacks and locks.

The layout is the Pulumi CLI's (``pkg/backend/diy``), under ``<root>/.pulumi/``:

* ``meta.yaml`` — ``version: 1`` is the project layout, stacks at
  ``stacks/<project>/<stack>.json[.gz|.zst]``; ``version: 0`` (or no file, with stack files
  at the top of ``stacks/``) is the legacy layout, stacks at ``stacks/<stack>.json[…]``
  with the project recorded only in the state's URNs. When several variants of a stack
  file exist, the most recently modified one is the stack's state, as the CLI picks it.
* ``locks/organization/<project>/<stack>/<id>.json`` (legacy: ``locks/<stack>/<id>.json``)
  — a lock held by a running update: ``{"pid", "username", "hostname", "timestamp"}``.

The objects are read through an :class:`~cdcml.state.stores.ObjectStore` (``file://``,
``s3://``, ``azblob://``; see :mod:`cdcml.state.stores` for URLs, credentials and
endpoints). **Read-only by construction**: a store can only list and read. Nothing is
written, no lock is taken or broken, no ``meta.yaml`` is created for a new backend.

Every failure is a :class:`~cdcml.errors.BackendError` with one line naming the backend
and what went wrong; messages never contain credentials.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from cdcml.errors import BackendError
from cdcml.inputs import decode_text, load_json, load_yaml
from cdcml.model import LockInfo, StackRef
from cdcml.state.stores import DEFAULT_TIMEOUT, ObjectInfo, ObjectNotFound, ObjectStore, open_store

__all__ = [
    "DEFAULT_TIMEOUT",
    "Backend",
    "BackendStack",
    "open_backend",
    "parse_stack_ref",
]

ORGANIZATION = "organization"
BOOKKEEPING = ".pulumi"
STACKS_DIR = f"{BOOKKEEPING}/stacks/"
LOCKS_DIR = f"{BOOKKEEPING}/locks/"
META_PATH = f"{BOOKKEEPING}/meta.yaml"
_STATE_SUFFIXES = (".json", ".json.gz", ".json.zst")
_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class BackendStack:
    """A stack found in a backend: where its state is, and any locks on it."""

    ref: StackRef
    key: str
    url: str
    legacy: bool = False
    locks: tuple[LockInfo, ...] = ()
    modified: dt.datetime | None = None

    @property
    def locked(self) -> bool:
        return bool(self.locks)


def parse_stack_ref(text: str) -> tuple[str, str]:
    """``(project, stack)`` of ``organization/<project>/<stack>``, ``organization/<stack>``
    or ``<stack>`` (``project`` is ``""`` when not given)."""
    parts = text.strip().split("/")
    if len(parts) == 3:
        org, project, stack = parts
    elif len(parts) == 2:
        org, project, stack = parts[0], "", parts[1]
    elif len(parts) == 1:
        org, project, stack = ORGANIZATION, "", parts[0]
    else:
        raise BackendError(f"invalid stack {text!r}: expected organization/<project>/<stack>")
    if org != ORGANIZATION:
        raise BackendError(f"invalid stack {text!r}: a self-managed backend has the single organization 'organization'")
    if project and not _NAME_RE.match(project):
        raise BackendError(f"invalid stack {text!r}: {project!r} is not a valid project name")
    if not _NAME_RE.match(stack):
        raise BackendError(f"invalid stack {text!r}: {stack!r} is not a valid stack name")
    return project, stack


def _stack_file(name: str) -> str | None:
    for suffix in _STATE_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem if _NAME_RE.match(stem) else None
    return None


def _parse_timestamp(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        # Go's time.Time JSON: RFC 3339 with nanoseconds; keep seconds and the offset.
        m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$", value)
        if m is None:
            return value[:40]
        return dt.datetime.fromisoformat(m.group(1) + m.group(2).replace("Z", "+00:00")).isoformat()
    except ValueError:
        return value[:40]


class Backend:
    """A self-managed backend, read-only."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.url = store.url
        self.warnings: list[str] = []
        self._stack_objects: list[ObjectInfo] | None = None
        self.version = self._meta_version()
        self._stacks: list[BackendStack] | None = None

    # ---- layout

    def _meta_version(self) -> int:
        try:
            body = self.store.read(META_PATH)
        except ObjectNotFound:
            # No meta.yaml: legacy if stack files sit at the top of stacks/, else the
            # project layout the CLI would create (it would write meta.yaml; we don't).
            legacy = [o for o in self._list_stacks_dir() if "/" not in o.key[len(STACKS_DIR) :]]
            return 0 if any(_stack_file(o.key[len(STACKS_DIR) :]) for o in legacy) else 1
        name = f"{self.url}: corrupt store: {META_PATH}"
        try:
            text = decode_text(body, name=name, error=BackendError, template="{name} is not valid YAML")
            meta = load_yaml(text, name=name, error=BackendError) if body.strip() else None
        except yaml.YAMLError:
            raise BackendError(f"{self.url}: corrupt store: {META_PATH} is not valid YAML") from None
        version = meta.get("version") if isinstance(meta, Mapping) else None
        if isinstance(version, bool) or not isinstance(version, int):
            raise BackendError(f"{self.url}: corrupt store: missing version in {META_PATH}")
        if version not in (0, 1):
            raise BackendError(
                f"{self.url}: state store unsupported: {META_PATH} version {version} is newer than cdcml reads (0-1)"
            )
        return version

    @property
    def legacy(self) -> bool:
        return self.version == 0

    # ---- listing

    def _list_stacks_dir(self) -> list[ObjectInfo]:
        """The objects under ``stacks/``, listed once (the layout check without a
        ``meta.yaml`` needs them too)."""
        if self._stack_objects is None:
            self._stack_objects = self.store.list(STACKS_DIR)
        return self._stack_objects

    def _locks(self) -> dict[tuple[str, str], list[LockInfo]]:
        locks: dict[tuple[str, str], list[LockInfo]] = {}
        for obj in self.store.list(LOCKS_DIR):
            parts = obj.key[len(LOCKS_DIR) :].split("/")
            if not obj.key.endswith(".json"):
                continue
            if len(parts) == 4 and parts[0] == ORGANIZATION and not self.legacy:
                target = (parts[1], parts[2])
            elif len(parts) == 2 and self.legacy:
                target = ("", parts[0])
            else:
                continue
            locks.setdefault(target, []).append(self._lock(obj.key))
        return locks

    def _lock(self, key: str) -> LockInfo:
        try:
            content = load_json(self.store.read(key).decode("utf-8"), name=key, error=BackendError)
        except ObjectNotFound:
            return LockInfo(key)  # released between listing and reading: still report it
        except (ValueError, UnicodeDecodeError, BackendError):
            return LockInfo(key)  # unreadable: the lock is still reported
        if not isinstance(content, Mapping):
            return LockInfo(key)
        pid = content.get("pid")
        return LockInfo(
            key=key,
            pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
            username=str(content.get("username") or "")[:100],
            hostname=str(content.get("hostname") or "")[:200],
            timestamp=_parse_timestamp(content.get("timestamp")),
        )

    def stacks(self) -> list[BackendStack]:
        """Every stack of the backend, sorted by project and name."""
        if self._stacks is not None:
            return self._stacks
        objects = self._list_stacks_dir()
        locks = self._locks()
        # (project, stack) -> best candidate: most recently modified; on a tie the later key.
        best: dict[tuple[str, str], ObjectInfo] = {}
        stray: list[str] = []
        for obj in objects:
            rel = obj.key[len(STACKS_DIR) :].split("/")
            if self.legacy:
                if len(rel) != 1:
                    continue
                project, name = "", _stack_file(rel[0])
            else:
                if len(rel) == 1:
                    if _stack_file(rel[0]):
                        stray.append(rel[0])
                    continue
                if len(rel) != 2 or not _NAME_RE.match(rel[0]):
                    continue
                project, name = rel[0], _stack_file(rel[1])
            if name is None:
                continue
            target = (project, name)
            current = best.get(target)
            if current is None or _newer_or_same(obj, current):
                best[target] = obj
        if stray:
            self.warnings.append(
                f"{self.url}: legacy stack files in a project-layout backend are not analyzed: "
                f"{', '.join(sorted(stray)[:5])}{' …' if len(stray) > 5 else ''} (run `pulumi state upgrade`)"
            )
        out = []
        for (project, name), obj in sorted(best.items()):
            out.append(
                BackendStack(
                    ref=StackRef(ORGANIZATION, project, name),
                    key=obj.key,
                    url=self.store.object_url(obj.key),
                    legacy=self.legacy,
                    locks=tuple(locks.get((project, name), ())),
                    modified=obj.modified,
                )
            )
        self._stacks = out
        return out

    def select(self, project: str | None = None) -> list[BackendStack]:
        """The stacks of *project* (all when ``None``). In the legacy layout the project is
        only known from the state, so every stack is returned and callers filter."""
        stacks = self.stacks()
        if project is None or self.legacy:
            return stacks
        return [s for s in stacks if s.ref.project == project]

    def find(self, text: str) -> BackendStack:
        """The stack named ``organization/<project>/<stack>`` (or an unambiguous ``<stack>``)."""
        project, name = parse_stack_ref(text)
        stacks = self.stacks()
        if self.legacy:
            matches = [s for s in stacks if s.ref.stack == name]
        else:
            matches = [s for s in stacks if s.ref.stack == name and (not project or s.ref.project == project)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            projects = ", ".join(s.ref.project for s in matches)
            raise BackendError(
                f"{self.url}: stack {name!r} exists in several projects ({projects}); "
                f"pass organization/<project>/{name}"
            )
        known = ", ".join(str(s.ref) for s in stacks[:10]) or "none"
        more = " …" if len(stacks) > 10 else ""
        raise BackendError(f"{self.url}: no stack {text!r} (stacks: {known}{more})")

    def read(self, stack: BackendStack) -> bytes:
        try:
            return self.store.read(stack.key)
        except ObjectNotFound:
            raise BackendError(f"{stack.url}: the stack's state disappeared while reading the backend") from None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _newer_or_same(obj: ObjectInfo, current: ObjectInfo) -> bool:
    if obj.modified is None or current.modified is None:
        return True
    return not obj.modified < current.modified


def open_backend(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Backend:
    """Open the self-managed backend at *url* (read-only)."""
    store = open_store(url, timeout=timeout)
    try:
        return Backend(store)
    except BaseException:
        store.close()
        raise
