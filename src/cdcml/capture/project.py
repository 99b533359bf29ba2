"""Pulumi project and stack configuration, read as the Pulumi CLI reads them.

``Pulumi.yaml`` gives the project name, runtime and ``main``; ``Pulumi.<stack>.yaml`` the
stack's configuration. Configuration reaches a program (and a policy pack) as the CLI
passes it: a flat map of ``"<namespace>:<key>"`` to strings, structured values as JSON,
``secure:`` values decrypted and listed as secret keys.
"""

from __future__ import annotations

import base64
import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdcml import secrets
from cdcml.errors import ConfigError, ProjectError
from cdcml.inputs import read_yaml_file, shorten
from cdcml.model.values import REDACTED, render_config_value

__all__ = [
    "NARROWING_FILE",
    "Project",
    "StackConfig",
    "load_project",
    "load_stack_config",
    "parse_config_overrides",
]

NARROWING_FILE = "cdcml-verify.yaml"
"""The file next to ``Pulumi.yaml`` that narrows the configurations ``cdcml verify``
generates (read by :mod:`cdcml.testing.spaces`)."""

_STACK_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class Project:
    """A Pulumi project: ``Pulumi.yaml`` and where its program lives."""

    name: str
    directory: Path
    runtime: str
    main: Path
    description: str = ""
    config_defaults: Mapping[str, str] = field(default_factory=dict)
    runtime_options: Mapping[str, Any] = field(default_factory=dict)
    """``runtime.options`` of Pulumi.yaml (``virtualenv``, ``toolchain``, ``typechecker``),
    as written; :mod:`cdcml.capture.interpreter` reads them."""

    @property
    def program_directory(self) -> Path:
        return self.main if self.main.is_dir() else self.main.parent

    @property
    def entry_point(self) -> Path:
        """The file the Python language host runs."""
        return self.main / "__main__.py" if self.main.is_dir() else self.main

    def stack_file(self, stack: str) -> Path:
        return self.directory / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """The stacks that have a ``Pulumi.<stack>.yaml`` next to ``Pulumi.yaml``."""
        out = []
        for p in sorted(self.directory.glob("Pulumi.*.yaml")):
            name = p.name[len("Pulumi.") : -len(".yaml")]
            if name and _STACK_NAME_RE.match(name):
                out.append(name)
        return out


def load_project(directory: str | os.PathLike[str]) -> Project:
    """Read ``Pulumi.yaml`` in *directory* (or the file itself)."""
    d = Path(directory)
    if d.is_file() and d.name in ("Pulumi.yaml", "Pulumi.yml"):
        d = d.parent
    if not d.exists():
        raise ProjectError(f"program directory {d} does not exist")
    path = d / "Pulumi.yaml"
    if not path.exists():
        alt = d / "Pulumi.yml"
        if not alt.exists():
            raise ProjectError(f"no Pulumi.yaml in {d}: not a Pulumi project directory")
        path = alt
    doc = read_yaml_file(path, ProjectError)
    if not isinstance(doc, Mapping):
        raise ProjectError(f"{path}: expected a mapping with at least 'name' and 'runtime'")
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise ProjectError(f"{path}: 'name' is missing or not a string")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if not isinstance(runtime_name, str):
        raise ProjectError(f"{path}: 'runtime' is missing")
    if runtime_name != "python":
        raise ProjectError(f"{path}: runtime is {runtime_name!r}; cdcml captures Python programs only")
    main_value = doc.get("main", ".")
    if not isinstance(main_value, str):
        raise ProjectError(f"{path}: 'main' must be a path")
    main = (d / main_value).resolve()
    if not main.exists():
        raise ProjectError(f"{path}: main {main_value!r} does not exist")
    if main.is_dir() and not (main / "__main__.py").exists():
        raise ProjectError(f"{path}: main {main_value!r} has no __main__.py")
    description = doc.get("description") or ""
    defaults = _project_config_defaults(name, doc.get("config"), path)
    return Project(
        name=name,
        directory=d.resolve(),
        runtime=runtime_name,
        main=main,
        description=str(description),
        config_defaults=defaults,
        runtime_options=(runtime.get("options") or {}) if isinstance(runtime, Mapping) else {},
    )


def _project_config_defaults(project: str, block: Any, path: Path) -> dict[str, str]:
    if block is None:
        return {}
    if not isinstance(block, Mapping):
        raise ProjectError(f"{path}: 'config' must be a mapping")
    out: dict[str, str] = {}
    for key, spec in block.items():
        full = namespaced_key(project, str(key))
        if isinstance(spec, Mapping) and ("default" in spec or "value" in spec or "type" in spec):
            if "value" in spec:
                out[full] = render_config_value(spec["value"])
            elif "default" in spec:
                out[full] = render_config_value(spec["default"])
        else:
            out[full] = render_config_value(spec)
    return out


def namespaced_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


@dataclass(frozen=True)
class StackConfig:
    """A stack's configuration as the CLI passes it to programs and policy packs.

    ``values`` holds decrypted secrets; never print it. ``secret_keys`` lists the keys
    whose value came from a ``secure:`` entry. ``undecryptable`` lists secret keys whose
    ciphertext could not be decrypted offline; their value is ``"[secret]"``, and a run
    says so (:meth:`undecryptable_notes`).
    """

    stack: str
    values: Mapping[str, str]
    secret_keys: tuple[str, ...] = ()
    undecryptable: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    undecryptable_hint: str = ""
    """Why the ``undecryptable`` keys could not be decrypted, or what would decrypt them
    (``set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE``)."""

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def undecryptable_notes(self) -> list[str]:
        """One warning per secure key the program and the policies saw as ``"[secret]"``
        (its name and what would decrypt it; never its ciphertext)."""
        hint = self.undecryptable_hint or secrets.PASSPHRASE_HINT
        return [
            f"config key {key} is secure and could not be decrypted ({hint}, or pass --config {key}=VALUE); "
            f'the program and the policies saw the placeholder "{REDACTED}", so the verdict may differ'
            for key in self.undecryptable
        ]


def load_stack_config(
    project: Project,
    stack: str,
    overrides: Mapping[str, str] | None = None,
    *,
    passphrase: str | None = None,
    require_file: bool = True,
) -> StackConfig:
    """Read ``Pulumi.<stack>.yaml`` of *project*, apply project defaults and *overrides*."""
    if not _STACK_NAME_RE.match(stack):
        raise ProjectError(f"invalid stack name {stack!r}")
    path = project.stack_file(stack)
    doc: Any = {}
    if path.exists():
        doc = read_yaml_file(path, ConfigError) or {}
        if not isinstance(doc, Mapping):
            raise ConfigError(f"{path}: expected a mapping")
    elif require_file:
        known = ", ".join(project.stacks()) or "none"
        raise ProjectError(f"unknown stack {stack!r}: no {path.name} in {project.directory} (stacks: {known})")
    block = doc.get("config") or {}
    if not isinstance(block, Mapping):
        raise ConfigError(f"{path}: 'config' must be a mapping")
    if doc.get("environment"):
        raise ConfigError(f"{path}: 'environment' (Pulumi ESC) can't be resolved offline; inline the values for cdcml")

    values: dict[str, str] = dict(project.config_defaults)
    secret_keys: list[str] = []
    undecryptable: list[str] = []

    @functools.cache
    def stack_crypter() -> secrets.PassphraseCrypter | str:
        # Made on the first secure value only: key derivation is slow.
        return _crypter_for(doc, path, passphrase)

    def decrypt(ciphertext: str, key: str) -> str:
        crypter = stack_crypter()
        if isinstance(crypter, str):
            undecryptable.append(key)
            return REDACTED
        return _decrypt(crypter, ciphertext, key, path)

    for raw_key, raw_value in block.items():
        key = str(raw_key)
        if ":" not in key:
            raise ConfigError(
                f"{path}: configuration key {key!r} is not namespaced; write it as '{project.name}:{key}'"
            )
        is_secret = [False]
        value = _resolve_secure(raw_value, key, decrypt, is_secret)
        values[key] = render_config_value(value)
        if is_secret[0]:
            secret_keys.append(key)

    for key, value in (overrides or {}).items():
        full = namespaced_key(project.name, key)
        values[full] = value
        if full in secret_keys:
            secret_keys.remove(full)
        if full in undecryptable:
            undecryptable.remove(full)

    # Known as secrets of the run from now on: nothing cdcml prints or writes shows them.
    secrets.remember(*(values[k] for k in secret_keys))
    tags = {"pulumi:project": project.name, "pulumi:runtime": project.runtime}
    if project.description:
        tags["pulumi:description"] = project.description
    hint = stack_crypter() if undecryptable else ""
    return StackConfig(
        stack=stack,
        values=values,
        secret_keys=tuple(secret_keys),
        undecryptable=tuple(dict.fromkeys(undecryptable)),
        tags=tags,
        undecryptable_hint=hint if isinstance(hint, str) else "",
    )


def _resolve_secure(value: Any, key: str, decrypt: Any, is_secret: list[bool]) -> Any:
    if isinstance(value, Mapping):
        if set(value.keys()) == {"secure"}:
            is_secret[0] = True
            return decrypt(str(value["secure"]), key)
        return {str(k): _resolve_secure(v, key, decrypt, is_secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_secure(v, key, decrypt, is_secret) for v in value]
    return value


def parse_config_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """``k=v`` strings from ``--config`` flags."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--config {pair!r}: expected key=value")
        out[key.strip()] = value
    return out


def _crypter_for(doc: Mapping[str, Any], path: Path, passphrase: str | None) -> secrets.PassphraseCrypter | str:
    """The stack's passphrase secrets manager, or why its secrets can't be decrypted offline
    (another secrets provider, no salt, no passphrase given): a hint for the user."""
    provider = doc.get("secretsprovider")
    salt_state = doc.get("encryptionsalt")
    if provider not in (None, "", "passphrase"):
        scheme = str(provider).partition("://")[0] or "unknown"
        return f"the stack's secrets provider is {shorten(scheme, 40)}; cdcml decrypts only passphrase-managed secrets"
    if not isinstance(salt_state, str):
        return f"{path.name} has no encryptionsalt"
    if passphrase is None:
        passphrase = secrets.passphrase_from_env(ConfigError)
    if passphrase is None:
        return secrets.PASSPHRASE_HINT
    secrets.remember(passphrase)
    try:
        return secrets.PassphraseCrypter.from_state(passphrase, salt_state)
    except secrets.IncorrectPassphraseError:
        raise ConfigError(f"{path}: incorrect passphrase") from None
    except ValueError:
        raise ConfigError(f"{path}: encryptionsalt is malformed") from None


def _decrypt(crypter: secrets.PassphraseCrypter, ciphertext: str, key: str, path: Path) -> str:
    if not ciphertext.startswith("v1:"):
        raise ConfigError(f"{path}: secure value of {key} is not a v1 ciphertext")
    try:
        return crypter.decrypt(ciphertext)
    except ValueError:
        raise ConfigError(f"{path}: can't decrypt the secure value of {key} with this passphrase") from None


def encrypt_for_tests(passphrase: str, salt: bytes, plaintext: str, nonce: bytes) -> tuple[str, str]:
    """Produce an ``encryptionsalt`` and a ``v1:`` ciphertext the way Pulumi's passphrase
    manager does (used by tests that build stack files); the same arguments give the same
    text."""
    _, crypter = secrets.PassphraseCrypter.new_state(passphrase, salt)
    state = f"v1:{base64.b64encode(salt).decode()}:{crypter.encrypt('pulumi', bytes(12))}"
    return state, crypter.encrypt(plaintext, nonce)
