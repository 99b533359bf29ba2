"""Pack loading: any Python CrossGuard pack directory, in-process, without blocking.

A pack's ``__main__.py`` ends in ``PolicyPack(...)``, which starts a gRPC server and
sleeps forever. Loading runs that file the way ``pulumi/policy/__main__.py`` does (cwd =
the pack directory, ``PULUMI_*`` settings configured), with the construction intercepted
*after* the SDK's own argument validation: the real ``_PolicyAnalyzerServicer`` is built
(so metadata is exactly what ``GetAnalyzerInfo`` would report) and the gRPC server is
never started.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdcml.errors import CdcmlError, PackError
from cdcml.inputs import read_yaml_file
from cdcml.model import EnforcementLevel, Severity

__all__ = [
    "BUNDLED_PACK",
    "DEFAULT_PACK",
    "Pack",
    "PolicyMeta",
    "bundled_pack",
    "load_pack",
    "pack_from_policies",
    "policy_meta",
    "policy_severity",
    "preflight",
]

_LOAD_LOCK = threading.RLock()

DEFAULT_PACK = Path("policies") / "cdc-ml-guardrails"
"""The repository's pack, relative to the project root (the default ``--policy-pack``)."""

BUNDLED_PACK = "guardrails"
"""Where the wheel carries a copy of :data:`DEFAULT_PACK`, inside the ``cdcml`` package
(``force-include`` in pyproject.toml), so a project without a pack of its own gets the
guardrails."""


def bundled_pack(package: Path | None = None) -> Path | None:
    """The guardrails pack that comes with cdcml: the wheel's copy in the installed
    *package* (default: cdcml's directory), or — cdcml installed from a source checkout
    (editable) — the checkout's own :data:`DEFAULT_PACK`."""
    package = package or Path(__file__).resolve().parents[1]
    for candidate in (package / BUNDLED_PACK, package.parents[1] / DEFAULT_PACK):
        if (candidate / "PulumiPolicy.yaml").is_file():
            return candidate
    return None


@dataclass(frozen=True, eq=False)
class Pack:
    """A loaded policy pack: what ``PolicyPack(...)`` was given, plus PulumiPolicy.yaml.

    ``version`` is PulumiPolicy.yaml's (the engine prefers it over the SDK's fixed
    ``0.0.1``). ``policies`` are the SDK's own Policy objects, in pack order.
    """

    name: str
    version: str
    policies: tuple[Any, ...]
    enforcement_level: EnforcementLevel = EnforcementLevel.ADVISORY
    initial_config: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    display_name: str = ""
    readme: str = ""
    provider: str = ""
    tags: tuple[str, ...] = ()
    repository: str = ""
    directory: Path | None = None
    servicer: Any = field(default=None, repr=False)
    analyzer_config: Mapping[str, Any] | None = field(default=None, repr=False)
    """For a pack loaded in its own process (:mod:`cdcml.engine.worker`): what the engine
    reads from ``GetAnalyzerInfo`` to build the pack's config (levels, config schemas,
    initial config) as plain data; ``policies`` are then :class:`PolicyMeta`."""

    def policy(self, name: str) -> Any:
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(name)

    def policy_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.policies)

    def analyzer_info(self) -> Any:
        """``GetAnalyzerInfo`` exactly as the pack process would answer it."""
        if self.servicer is None:
            raise TypeError(f"policy pack {self.name} was loaded in its own process; it has no servicer here")
        return self.servicer.GetAnalyzerInfo(None, None)

    @property
    def in_process(self) -> bool:
        """Its policies are the SDK's objects, here (not :class:`PolicyMeta` of a pack
        loaded in its own process)."""
        return self.servicer is not None

    def metas(self) -> tuple[PolicyMeta, ...]:
        return tuple(policy_meta(p) for p in self.policies)

    def policy_level(self, policy: Any, configured: EnforcementLevel | None = None) -> EnforcementLevel:
        """The level *policy* runs at: *configured* (its reconciled config), else its own,
        else the pack's."""
        if configured is not None:
            return configured
        if policy.enforcement_level is not None:
            return EnforcementLevel(policy.enforcement_level.value)
        return self.enforcement_level


@dataclass(frozen=True)
class PolicyMeta:
    """What cdcml reads of a policy besides running it: its metadata, as plain data (how a
    pack loaded in its own process describes its policies)."""

    name: str
    policy_type: str  # "resource" | "stack"
    description: str = ""
    enforcement_level: EnforcementLevel | None = None
    severity: Severity | None = None
    tags: tuple[str, ...] = ()
    remediation_steps: str = ""
    url: str = ""
    framework: Mapping[str, str] | None = None
    resource_types: tuple[str, ...] = ()

    def to_plain(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "policyType": self.policy_type,
            "description": self.description,
            "enforcementLevel": None if self.enforcement_level is None else str(self.enforcement_level),
            "severity": None if self.severity is None else str(self.severity),
            "tags": list(self.tags),
            "remediationSteps": self.remediation_steps,
            "url": self.url,
            "framework": None if self.framework is None else dict(self.framework),
            "resourceTypes": list(self.resource_types),
        }


def policy_meta(policy: Any) -> PolicyMeta:
    """*policy*'s metadata (an SDK policy object, or a :class:`PolicyMeta` as it is)."""
    if isinstance(policy, PolicyMeta):
        return policy
    from pulumi_policy import StackValidationPolicy

    fw = getattr(policy, "framework", None)
    framework = (
        {k: str(getattr(fw, k)) for k in ("name", "version", "reference", "specification") if getattr(fw, k)}
        if fw is not None
        else None
    )
    level = policy.enforcement_level
    sev = getattr(policy, "severity", None)
    return PolicyMeta(
        name=policy.name,
        policy_type="stack" if isinstance(policy, StackValidationPolicy) else "resource",
        description=policy.description or "",
        enforcement_level=EnforcementLevel(level.value) if level is not None else None,
        severity=Severity(sev.value) if sev is not None else None,
        tags=tuple(str(t) for t in (getattr(policy, "tags", None) or ())),
        remediation_steps=str(getattr(policy, "remediation_steps", None) or ""),
        url=str(getattr(policy, "url", None) or ""),
        framework=framework or None,
        resource_types=tuple(getattr(policy, "resource_types", ()) or ()),
    )


def policy_severity(policy: Any) -> Severity:
    """A policy's severity (``UNSPECIFIED`` when it declares none)."""
    sev = getattr(policy, "severity", None)
    return Severity(sev.value) if sev is not None else Severity.UNSPECIFIED


class _Intercepted(BaseException):
    """Raised in place of starting the gRPC server; carries the constructed pack."""

    def __init__(self, servicer: Any, kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.servicer = servicer
        self.kwargs = kwargs


@contextlib.contextmanager
def _intercept_policy_pack() -> Iterator[None]:
    import pulumi_policy.policy as policy_module

    real_servicer = policy_module._PolicyAnalyzerServicer
    real_grpc = getattr(policy_module, "grpc")  # noqa: B009 - not re-exported; mypy needs getattr
    constructed: list[tuple[Any, dict[str, Any]]] = []

    class RecordingServicer(real_servicer):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            names = (
                "name",
                "version",
                "policies",
                "enforcement_level",
                "initial_config",
                "description",
                "display_name",
                "readme",
                "provider",
                "tags",
                "repository",
            )
            bound = dict(zip(names, args, strict=False))
            bound.update(kwargs)
            constructed.append((self, bound))

    class GrpcShim:
        def __getattr__(self, item: str) -> Any:
            return getattr(real_grpc, item)

        @staticmethod
        def server(*_args: Any, **_kwargs: Any) -> Any:
            servicer, kwargs = constructed[-1]
            raise _Intercepted(servicer, kwargs)

    # The module globals PolicyPack.__init__ reads; patched for the duration of one load.
    setattr(policy_module, "_PolicyAnalyzerServicer", RecordingServicer)  # noqa: B010
    setattr(policy_module, "grpc", GrpcShim())  # noqa: B010
    try:
        yield
    finally:
        setattr(policy_module, "_PolicyAnalyzerServicer", real_servicer)  # noqa: B010
        setattr(policy_module, "grpc", real_grpc)  # noqa: B010


@contextlib.contextmanager
def _pack_environment(directory: Path, env: Mapping[str, str]) -> Iterator[None]:
    saved_env = {k: os.environ.get(k) for k in env}
    cwd = os.getcwd()
    before = set(sys.modules)
    os.environ.update(env)
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(cwd)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        root = str(directory)
        for name in set(sys.modules) - before:
            file = getattr(sys.modules.get(name), "__file__", None) or ""
            if file.startswith(root):
                sys.modules.pop(name, None)


def _read_policy_yaml(directory: Path) -> dict[str, Any]:
    path = directory / "PulumiPolicy.yaml"
    if not path.exists():
        raise PackError(f"policy pack {directory} has no PulumiPolicy.yaml")
    doc = read_yaml_file(path, PackError) or {}
    if not isinstance(doc, dict):
        raise PackError(f"{path}: expected a mapping")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise PackError(f"{path}: runtime is {runtime_name!r}; cdcml runs Python policy packs only")
    return doc


def preflight(directory: str | os.PathLike[str]) -> Path:
    """The checks of a pack directory that run none of its code (it exists, has a
    ``PulumiPolicy.yaml`` of a Python pack and a ``__main__.py``); its resolved path."""
    return _checked(directory)[0]


def _checked(directory: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """:func:`preflight`'s checks; the resolved directory and its ``PulumiPolicy.yaml``."""
    d = Path(directory).resolve()
    if not d.is_dir():
        raise PackError(f"policy pack directory {directory} does not exist")
    doc = _read_policy_yaml(d)
    if not (d / "__main__.py").exists():
        raise PackError(f"policy pack {d} has no __main__.py")
    return d, doc


def load_pack(
    directory: str | os.PathLike[str],
    *,
    project: str = "project",
    stack: str = "stack",
    organization: str = "organization",
    dry_run: bool = True,
) -> Pack:
    """Load the Python CrossGuard pack in *directory* without starting its server."""
    d, doc = _checked(directory)
    env = {
        "PULUMI_PROJECT": project,
        "PULUMI_STACK": stack,
        "PULUMI_ORGANIZATION": organization,
        "PULUMI_DRY_RUN": "true" if dry_run else "false",
    }
    intercepted: _Intercepted | None = None
    with _LOAD_LOCK, _pack_environment(d, env), _intercept_policy_pack():
        try:
            # As pulumi/policy/__main__.py does: run the directory, which puts it on sys.path.
            runpy.run_path(str(d), run_name="__main__")
        except _Intercepted as got:
            intercepted = got
        except SystemExit as e:
            raise PackError(f"policy pack {d.name} exited while loading (code {e.code})") from None
        except CdcmlError:
            raise
        except Exception as e:  # noqa: BLE001 - any error in pack code is reported as a PackError
            raise PackError(_describe(e, d)) from None
    if intercepted is None:
        raise PackError(f"policy pack {d.name}: __main__.py finished without constructing PolicyPack(...)")
    kw = intercepted.kwargs
    level = kw.get("enforcement_level")
    version = doc.get("version")
    return Pack(
        name=str(kw["name"]),
        version=str(version) if version not in (None, "") else str(kw.get("version") or "0.0.1"),
        policies=tuple(kw["policies"]),
        enforcement_level=EnforcementLevel(level.value) if level is not None else EnforcementLevel.ADVISORY,
        initial_config=dict(kw.get("initial_config") or {}),
        description=str(kw.get("description") or doc.get("description") or ""),
        display_name=str(kw.get("display_name") or ""),
        readme=str(kw.get("readme") or ""),
        provider=str(kw.get("provider") or ""),
        tags=tuple(kw.get("tags") or ()),
        repository=str(kw.get("repository") or ""),
        directory=d,
        servicer=intercepted.servicer,
    )


def pack_from_policies(
    name: str,
    policies: list[Any],
    *,
    enforcement_level: EnforcementLevel | str = EnforcementLevel.ADVISORY,
    initial_config: Mapping[str, Any] | None = None,
    version: str = "0.0.1",
    description: str = "",
) -> Pack:
    """A Pack built in-process from Policy objects (tests, the harness), validated by
    the SDK exactly as ``PolicyPack(...)`` validates its arguments."""
    from pulumi_policy import EnforcementLevel as SdkLevel
    from pulumi_policy import PolicyPack

    level = SdkLevel(str(EnforcementLevel(enforcement_level)))
    with _LOAD_LOCK, _intercept_policy_pack():
        try:
            PolicyPack(
                name,
                policies,
                enforcement_level=level,
                initial_config=dict(initial_config) if initial_config else None,
                description=description or None,
            )
        except _Intercepted as got:
            servicer = got.servicer
        else:  # pragma: no cover - PolicyPack always reaches grpc.server
            raise AssertionError("PolicyPack construction was not intercepted")
    return Pack(
        name=name,
        version=version,
        policies=tuple(policies),
        enforcement_level=EnforcementLevel(level.value),
        initial_config=dict(initial_config or {}),
        description=description,
        servicer=servicer,
    )


def _describe(exc: BaseException, directory: Path) -> str:
    root = str(directory)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(root)]
    where = f" at {os.path.relpath(frames[-1].filename, root)}:{frames[-1].lineno}" if frames else ""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())
    return f"policy pack {directory.name} failed to load{where}: {detail}"
