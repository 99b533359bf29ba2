"""The secrets of one stored state: decrypted as the Pulumi engine decrypts them when cdcml
can, and named when it can't.

A state keeps each secret value as ``{"4dabf…": "1b47…", "ciphertext": "…"}``, encrypted
by the stack's secrets manager (the deployment's ``secrets_providers``: ``{"type": …,
"state": …}``); the plaintext is the JSON of the value. With the ``passphrase`` manager
and a passphrase (:class:`~cdcml.secrets.PassphraseSource`: ``PULUMI_CONFIG_PASSPHRASE``
or ``PULUMI_CONFIG_PASSPHRASE_FILE``), :class:`StateSecrets` decrypts each ciphertext as
``pulumi stack export --show-secrets`` does, and policies see the value (still a secret in
the wire form, so the engine's secret handling and cdcml's redaction apply). A wrong
passphrase is a one-line error ("incorrect passphrase"), as the CLI's; a ciphertext that
the right key can't open is an error naming the resource and the property path.

Without a passphrase, or with a secrets provider cdcml can't use offline (the Pulumi
Cloud, a cloud KMS), a secret stays ``"[secret]"`` — what ``pulumi policy analyze`` hands
policies — and :meth:`StateSecrets.notes` names every resource and property path whose
value policies did not see, for the run's warnings. Nothing here returns, logs or raises
a plaintext or a ciphertext; each plaintext is remembered as a secret of the run
(:func:`cdcml.secrets.remember`) as soon as it is decrypted.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from cdcml import secrets
from cdcml.errors import StateError
from cdcml.inputs import shorten
from cdcml.model.values import REDACTED
from cdcml.state.urns import parse_urn

__all__ = ["MAX_NAMED", "StateSecrets"]

MAX_NAMED = 20
"""How many hidden values a note names before it counts the rest."""


class StateSecrets:
    """Decrypts the secrets of one state (made per state read; :meth:`open` binds it to the
    state's ``secrets_providers``), and records the ones it could not."""

    def __init__(self, passphrase: secrets.PassphraseSource | None = None) -> None:
        self._passphrase = passphrase
        self._lock = threading.Lock()
        self._providers: Any = None
        self._source = "state"
        self._crypter: secrets.PassphraseCrypter | None = None
        self._reason: str | None = None  # None: not decided yet
        self.hidden: list[str] = []
        """``"<type>::<name> inputs.a.b"`` (or ``"config <key>"``) of each value policies
        see as ``"[secret]"``, in the order they were read."""

    def open(self, providers: Any, source: str) -> None:
        """Bind to a state's ``secrets_providers`` (read when the first secret needs them)."""
        self._providers = providers
        self._source = source

    @property
    def provider(self) -> str:
        """The type of the state's secrets manager (``passphrase``, ``service``, ``b64`` …),
        or ``unknown``."""
        sp = self._providers
        kind = sp.get("type") if isinstance(sp, Mapping) else None
        return shorten(kind, 40) if isinstance(kind, str) and kind else "unknown"

    def _decide(self) -> None:
        """Open the secrets manager (once): a crypter, or the reason there is none."""
        sp = self._providers
        if self.provider != "passphrase":
            kind = self.provider
            self._reason = f"the state's secrets provider is {kind}; cdcml decrypts only passphrase-managed secrets"
            return
        state = sp.get("state") if isinstance(sp, Mapping) else None
        salt = state.get("salt") if isinstance(state, Mapping) else None
        if not isinstance(salt, str):
            raise StateError(f"{self._source}: secrets_providers.state.salt of the passphrase provider is missing")
        passphrase = self._passphrase.get() if self._passphrase is not None else None
        if passphrase is None:
            self._reason = secrets.PASSPHRASE_HINT
            return
        try:
            self._crypter = secrets.PassphraseCrypter.from_state(passphrase, salt)
        except secrets.IncorrectPassphraseError:
            raise StateError(
                f"{self._source}: incorrect passphrase: the state's secrets were encrypted with another passphrase "
                f"than the one {secrets.PASSPHRASE_ENV} or {secrets.PASSPHRASE_FILE_ENV} gives"
            ) from None
        except ValueError:
            raise StateError(f"{self._source}: secrets_providers.state.salt is malformed") from None
        self._reason = ""

    def decrypt(self, ciphertext: str, urn: str, path: str) -> str | None:
        """The plaintext (JSON text) of the secret of resource *urn* at *path*
        (``inputs.a.b``), or ``None`` when it can't be decrypted here (recorded in
        :attr:`hidden`)."""
        with self._lock:
            if self._reason is None:
                self._decide()
            crypter = self._crypter
        if crypter is None:
            self.hidden.append(_display(urn, path))
            return None
        try:
            plaintext = crypter.decrypt(ciphertext)
        except ValueError:
            at = f"{self._source}: {shorten(urn, 200)}.{shorten(path, 120)}"
            raise StateError(
                f"{at}: the secret can't be decrypted with the state's passphrase (a corrupt ciphertext)"
            ) from None
        secrets.remember(plaintext)
        return plaintext

    def decrypt_config(self, key: str, ciphertext: str) -> str | None:
        """A ``secure`` config value of a checkpoint decrypted, or ``None`` (recorded in
        :attr:`hidden`) when it can't be — a checkpoint's config may predate the state's
        secrets manager, so a value that doesn't open is hidden, not an error."""
        with self._lock:
            if self._reason is None:
                self._decide()
            crypter = self._crypter
        if crypter is not None:
            try:
                plaintext = crypter.decrypt(ciphertext)
            except ValueError:
                pass
            else:
                secrets.remember(plaintext)
                return plaintext
        self.hidden.append(f"config {shorten(key, 200)}")
        return None

    def notes(self, stack: str) -> list[str]:
        """The run's warning about *stack*'s secrets that policies did not see (none when
        every secret was decrypted): what would decrypt them and where they are."""
        if not self.hidden:
            return []
        named = ", ".join(self.hidden[:MAX_NAMED])
        more = f" (and {len(self.hidden) - MAX_NAMED} more)" if len(self.hidden) > MAX_NAMED else ""
        why = self._reason or secrets.PASSPHRASE_HINT
        return [
            f"stack {stack}: {len(self.hidden)} secret value(s) could not be decrypted ({why}); policies saw the "
            f'placeholder "{REDACTED}" in {named}{more}, so the verdict may differ'
        ]


def _display(urn: str, path: str) -> str:
    """``"<type>::<name> <path>"`` of a resource's property (the type without its parents)."""
    parsed = parse_urn(urn)
    if parsed is None:
        return f"{shorten(urn, 200)} {shorten(path, 160)}"
    qualified_type, name = parsed[2], parsed[3]
    return f"{shorten(qualified_type.rsplit('$', 1)[-1], 120)}::{shorten(name, 120)} {shorten(path, 160)}"
