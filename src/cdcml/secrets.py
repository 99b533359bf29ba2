"""Every secret of the run, and the one scrubber applied last to everything cdcml prints or
writes.

Secrets become known at several points — a ``secure:`` config value decrypted (each leaf
of a secure object too), a secret property value of a captured program or of stored
state — and :func:`remember` records each as soon as it is. :func:`scrub` then replaces
every form in which a secret can reappear in text with ``[secret]``:

* the value itself, and for a multi-line value each of its lines and its
  whitespace-normalised form (what a one-line error message makes of it);
* its JSON string forms (escaped quotes, backslashes, ``\\uXXXX`` for non-ASCII), its
  ``repr`` forms (the ways a policy or a program most often quotes a value) and its
  XML/HTML-escaped and Markdown-table-escaped forms (how the JUnit and Markdown reports
  carry text);
* for a non-string secret (a number, an object), its ``str``/JSON text.

Longer forms are replaced first, so a secret that contains another never stays
half-shown. Values shorter than :data:`MIN_LENGTH` are not scrubbed: replacing every
``1`` or ``on`` in a report would destroy it, and such values are not secrets anyone can
protect by redaction.

Credentials that are not secrets of the graph but of the run's own connections — a SAS
signature or an account key in a backend URL, a password in a URL's user info — are
recognised by their shape (:func:`redact_credentials`) and go too.

Secrets of a stack encrypted with Pulumi's passphrase secrets manager (``secure:`` config
values, ciphertexts in stack state) are decrypted by :class:`PassphraseCrypter`, with the
passphrase the Pulumi CLI would use (:func:`passphrase_from_env`,
:class:`PassphraseSource`); every plaintext is remembered as soon as it is decrypted.

The registry is per process (a CLI run is a process); :func:`forget_all` starts over,
for tests and for hosts that run several runs in one process. A capture adds its own
:class:`SecretSet` for as long as the program runs (:func:`including`), so whatever the
program prints or raises meanwhile is scrubbed of the secrets it has declared so far,
without the process keeping them afterwards. :class:`ScrubbingWriter` puts the scrubber
in front of a text stream (cdcml's stdout and stderr, and a worker's).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import html
import io
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from cdcml.errors import CdcmlError

if TYPE_CHECKING:
    from cdcml.inputs import ErrorFactory

__all__ = [
    "MIN_LENGTH",
    "PASSPHRASE_ENV",
    "PASSPHRASE_FILE_ENV",
    "PASSPHRASE_HINT",
    "REDACTED",
    "IncorrectPassphraseError",
    "PassphraseCrypter",
    "PassphraseSource",
    "ScrubbingWriter",
    "SecretSet",
    "forget_all",
    "including",
    "known",
    "passphrase_from_env",
    "redact_credentials",
    "remember",
    "remember_all",
    "scrub",
    "scrub_bytes",
]

REDACTED = "[secret]"
MIN_LENGTH = 3


def _forms(value: str) -> set[str]:
    forms = {value, " ".join(value.split())}
    if "\n" in value or "\r" in value:
        forms.update(line.strip() for line in value.splitlines())
    for text in list(forms):
        forms.add(json.dumps(text)[1:-1])
        forms.add(json.dumps(text, ensure_ascii=False)[1:-1])
        forms.add(repr(text)[1:-1])
        forms.add(ascii(text)[1:-1])
        forms.add(html.escape(text, quote=False))
        forms.add(html.escape(text, quote=True))
        forms.add(text.replace("|", "\\|"))
    return {f for f in forms if len(f) >= MIN_LENGTH and f != REDACTED}


class SecretSet:
    """Secret plaintexts and the forms they can take in text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: set[str] = set()
        self._ordered: list[str] | None = []

    def add(self, value: Any) -> None:
        """Remember *value* (a string, or any JSON value: its text and its string leaves)."""
        texts = _texts(value)
        with self._lock:
            before = len(self._forms)
            for t in texts:
                self._forms.update(_forms(t))
            if len(self._forms) != before:
                self._ordered = None

    def update(self, values: Iterable[Any]) -> None:
        for v in values:
            self.add(v)

    def merge(self, other: SecretSet) -> None:
        """Know every form *other* knows (no value is walked or quoted again)."""
        with other._lock:
            forms = set(other._forms)
        with self._lock:
            before = len(self._forms)
            self._forms |= forms
            if len(self._forms) != before:
                self._ordered = None

    def __len__(self) -> int:
        return len(self._forms)

    def __bool__(self) -> bool:
        return bool(self._forms)

    def _order(self) -> list[str]:
        with self._lock:
            if self._ordered is None:
                self._ordered = sorted(self._forms, key=len, reverse=True)
            return self._ordered

    def scrub(self, text: str) -> str:
        """*text* with every form of every secret replaced by ``[secret]``, longest first."""
        if not self._forms or not text:
            return text
        for form in self._order():
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def clear(self) -> None:
        with self._lock:
            self._forms.clear()
            self._ordered = []


_MAX_JSON_TEXT = 1 << 20


def _texts(value: Any) -> list[str]:
    """The strings under which *value* can be shown: itself (str/number), its JSON, and the
    string leaves of a container."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, str):
        # A secret string holding JSON (a `secure:` value read with require_object) may be
        # shown leaf by leaf, or whole in its compact form.
        if value[:1] in ("{", "[") and len(value) <= _MAX_JSON_TEXT:
            with contextlib.suppress(ValueError, RecursionError):
                parsed = json.loads(value)
                if isinstance(parsed, (dict, list)):
                    return [value, *_texts(parsed)]
        return [value]
    if isinstance(value, (int, float)):
        return [str(value)]
    out: list[str] = []
    try:
        out.append(json.dumps(value, separators=(",", ":"), sort_keys=False))
    except (TypeError, ValueError):
        out.append(str(value))
    if isinstance(value, dict):
        for v in value.values():
            out.extend(_texts(v))
    elif isinstance(value, (list, tuple)):
        for v in value:
            out.extend(_texts(v))
    return out


_CREDENTIAL_KEYS = (
    r"sig|signature|accountkey|account_key|sharedaccesssignature|sharedaccesskey|"
    r"password|passwd|pwd|secret|client_secret|access_key|secret_key|secret_access_key|token|sas_token"
)
_CREDENTIAL_VALUE = r"[^&;\s'\"]+"
_CREDENTIAL_PARAM = re.compile(rf"(?i)(?<![A-Za-z0-9_])({_CREDENTIAL_KEYS})=({_CREDENTIAL_VALUE})")
"""What is redacted: ``key=value`` with a credential's key at a word start (the reference
:func:`_redact_params` keeps to, match for match)."""
_CREDENTIAL_KEY = re.compile(rf"(?i)(?<![A-Za-z0-9_])({_CREDENTIAL_KEYS})=")
_CREDENTIAL_VALUE_AT = re.compile(rf"(?i){_CREDENTIAL_VALUE}")
_LONGEST_KEY = len("sharedaccesssignature")


def _redact_params(text: str) -> str:
    """``_CREDENTIAL_PARAM.sub`` with the same matches, found from each ``=`` instead of
    trying the key alternation at every character (a report of tens of megabytes holds a
    few hundred ``=``: milliseconds, where the plain search took seconds)."""
    out: list[str] = []
    done = 0  # text[:done] is settled (copied to out, or redacted)
    eq = text.find("=")
    while eq != -1:
        # The key before this `=`, if any (a match ending at an earlier `=` was refused there).
        key = next(
            (k for k in _CREDENTIAL_KEY.finditer(text, max(done, eq - _LONGEST_KEY), eq + 1) if k.end() > eq), None
        )
        value = _CREDENTIAL_VALUE_AT.match(text, eq + 1) if key is not None else None
        if key is not None and value is not None:
            out.append(text[done : key.start()])
            out.append(f"{key.group(1)}={REDACTED}")
            done = value.end()
            eq = text.find("=", done)
        else:
            eq = text.find("=", eq + 1)
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


# A URL scheme is short (RFC 3986 allows any length; real ones are under 32 characters):
# bounding it keeps the search linear — an unbounded `[a-z0-9+.-]*` before "://" tries
# every start of a long word against every end, quadratic on a megabyte of text.
_URL_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}://[^/\s:@'\"]*):([^/\s@'\"]+)@")


def redact_credentials(text: str) -> str:
    """*text* with URL query or connection-string credentials (``sig=``, ``AccountKey=``,
    ``password=``, ``token=`` …) and the password of a URL's user info replaced. Each
    pattern runs only on text holding what every match of it holds (``=``; ``://`` and
    ``@``): a 36 MB report without them costs two substring scans, not seconds of regex."""
    if "=" in text:
        text = _redact_params(text)
    if "@" in text and "://" in text:
        text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}:{REDACTED}@", text)
    return text


_RUN = SecretSet()
_ACTIVE: list[SecretSet] = []


def remember(*values: Any) -> None:
    """Record secrets of the current run (see :class:`SecretSet.add`)."""
    _RUN.update(values)


def remember_all(known: SecretSet) -> None:
    """Record every secret of *known* as a secret of the current run."""
    _RUN.merge(known)


def known() -> int:
    """How many secret forms the run knows (for tests and diagnostics; never the values)."""
    return len(_RUN)


def scrub(text: str) -> str:
    """*text* without any secret of the run (or of a capture under way), and without
    credentials in URLs."""
    text = _RUN.scrub(redact_credentials(text))
    for extra in tuple(_ACTIVE):
        text = extra.scrub(text)
    return text


@contextlib.contextmanager
def including(extra: SecretSet) -> Iterator[SecretSet]:
    """:func:`scrub` also knows *extra*'s secrets while the block runs (a capture's)."""
    _ACTIVE.append(extra)
    try:
        yield extra
    finally:
        with contextlib.suppress(ValueError):
            _ACTIVE.remove(extra)


def scrub_bytes(data: bytes) -> bytes:
    """UTF-8 *data* without any secret of the run (other bytes are left as they are)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    clean = scrub(text)
    return data if clean == text else clean.encode("utf-8")


def forget_all() -> None:
    """Forget every secret (a new run in the same process)."""
    _RUN.clear()


class ScrubbingWriter(io.TextIOBase):
    """A text stream that scrubs what it is given (:func:`scrub`) and passes it to *target*."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target

    def write(self, text: str) -> int:
        self._target.write(scrub(text))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._target, "errors", None)

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


# --------------------------------------------------------------------------- passphrase secrets

PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE"
PASSPHRASE_FILE_ENV = "PULUMI_CONFIG_PASSPHRASE_FILE"
PASSPHRASE_HINT = f"set {PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV}"
"""What a user does so that cdcml can decrypt passphrase-encrypted secrets."""
PASSPHRASE_FILE_LIMIT = 64 * 1024
"""A passphrase is a line of text; 64 KiB is a thousand times a long one."""
PBKDF2_ITERATIONS = 1_000_000
_CHECK_TEXT = "pulumi"
_NONCE_BYTES = 12


class IncorrectPassphraseError(ValueError):
    """The passphrase does not open a passphrase secrets manager's state (the Pulumi CLI's
    "incorrect passphrase")."""


@functools.lru_cache(maxsize=16)
def _derive_key(passphrase: str, salt: bytes) -> bytes:
    # 1,000,000 rounds take about a second: a run deriving the key of one salt again (every
    # stack of a backend, a test) finds it here.
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, PBKDF2_ITERATIONS, 32)


def _b64(text: str) -> bytes:
    """Strict standard base64 (Go's ``base64.StdEncoding``: padding required)."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("bad value: not base64") from None


class PassphraseCrypter:
    """Pulumi's passphrase secrets manager (``pkg/secrets/passphrase``, with
    ``config.symmetricCrypter`` of ``sdk/go/common/resource/config/crypt.go``).

    The key is PBKDF2-HMAC-SHA256 of the passphrase over the manager's salt, 1,000,000
    iterations, 32 bytes; a value is AES-256-GCM with a random 12-byte nonce and no
    associated data, written ``v1:<base64 nonce>:<base64 ciphertext and tag>``. The
    manager's state (``encryptionsalt:`` of ``Pulumi.<stack>.yaml``, ``salt`` of a state's
    ``secrets_providers``) is ``v1:<base64 salt>:<the value of "pulumi">``: what tells a
    right passphrase from a wrong one. Errors never carry a value, a key or a passphrase.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("AES-256-GCM needs a 32-byte key")
        self._key = key

    def __repr__(self) -> str:
        return "PassphraseCrypter(…)"

    @classmethod
    def from_state(cls, passphrase: str, state: str) -> PassphraseCrypter:
        """The crypter of *state* opened with *passphrase*: ``ValueError`` when the state is
        malformed, :class:`IncorrectPassphraseError` when the passphrase is wrong."""
        splits = state.split(":", 2)
        if len(splits) != 3:
            raise ValueError("malformed state value")
        if splits[0] != "v1":
            raise ValueError("unknown state version")
        try:
            salt = _b64(splits[1])
        except ValueError:
            raise ValueError("malformed state value: the salt is not base64") from None
        crypter = cls(_derive_key(passphrase, salt))
        try:
            check: str | None = crypter.decrypt(splits[2])
        except ValueError:
            check = None
        if check != _CHECK_TEXT:
            raise IncorrectPassphraseError("incorrect passphrase")
        return crypter

    @classmethod
    def new_state(cls, passphrase: str, salt: bytes | None = None) -> tuple[str, PassphraseCrypter]:
        """A new manager's state and its crypter (``NewPassphraseSecretsManager``; an 8-byte
        random salt unless given) — for tests and exports that write encrypted values."""
        salt = os.urandom(8) if salt is None else salt
        crypter = cls(_derive_key(passphrase, salt))
        return f"v1:{base64.b64encode(salt).decode()}:{crypter.encrypt(_CHECK_TEXT)}", crypter

    def encrypt(self, plaintext: str, nonce: bytes | None = None) -> str:
        """*plaintext* as a ``v1:`` value (a random nonce unless given: tests pin one)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        n = os.urandom(_NONCE_BYTES) if nonce is None else nonce
        sealed = AESGCM(self._key).encrypt(n, plaintext.encode("utf-8"), None)
        return f"v1:{base64.b64encode(n).decode()}:{base64.b64encode(sealed).decode()}"

    def decrypt(self, value: str) -> str:
        """The plaintext of a ``v1:`` value; ``ValueError`` when it is malformed or was not
        encrypted with this key (its authentication tag does not match). The caller
        remembers the plaintext (:func:`remember`) in the form it will use it."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        vals = value.split(":")
        if len(vals) != 3:
            raise ValueError("bad value")
        if vals[0] != "v1":
            raise ValueError("unknown value version")
        nonce, sealed = _b64(vals[1]), _b64(vals[2])
        if len(nonce) != _NONCE_BYTES:
            raise ValueError("bad value: nonce size is incorrect")
        try:
            plain = AESGCM(self._key).decrypt(nonce, sealed, None)
        except InvalidTag:
            raise ValueError("message authentication failed") from None
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the plaintext is not UTF-8") from None


def passphrase_from_env(error: ErrorFactory = CdcmlError) -> str | None:
    """The passphrase the Pulumi CLI uses without prompting (``readPassphrase``):
    ``PULUMI_CONFIG_PASSPHRASE`` when set (even to the empty passphrase), else the contents
    of the file ``PULUMI_CONFIG_PASSPHRASE_FILE`` names, whitespace trimmed (a file, or a
    pipe such as ``<(vault read …)``, read up to :data:`PASSPHRASE_FILE_LIMIT` bytes), else
    ``None``. A file that can't be read is an *error*. The passphrase is remembered as a
    secret of the run."""
    # Imported here: worker processes import this module in a program's own virtualenv,
    # which may lack cdcml's dependencies (cdcml.inputs needs PyYAML).
    from cdcml.inputs import decode_text, read_file, shorten

    passphrase = os.environ.get(PASSPHRASE_ENV)
    pfile = os.environ.get(PASSPHRASE_FILE_ENV)
    if passphrase is None and pfile:
        name = f"{PASSPHRASE_FILE_ENV} {shorten(pfile)}"
        try:
            data = read_file(pfile, name=name, error=error, limit=PASSPHRASE_FILE_LIMIT, streams=True)
        except OSError:
            raise error(f"{name} can't be read") from None
        passphrase = decode_text(data, name=name, error=error).strip()
    if passphrase is not None:
        remember(passphrase)
    return passphrase


class PassphraseSource:
    """The passphrase of one run: *passphrase* when given, else :func:`passphrase_from_env`
    (unless *env* is false) — read when first asked for, then kept, so a state or a stack
    without secrets never needs it and a pipe is read once. Safe to share between threads."""

    def __init__(self, passphrase: str | None = None, *, env: bool = True, error: ErrorFactory = CdcmlError) -> None:
        self._lock = threading.Lock()
        self._value = passphrase
        self._pending = passphrase is None and env
        self._error = error
        if passphrase is not None:
            remember(passphrase)

    def get(self) -> str | None:
        """The passphrase, or ``None`` when none was given."""
        with self._lock:
            if self._pending:
                self._value = passphrase_from_env(self._error)
                self._pending = False
            return self._value
